//! Sign-up, sign-in, sessions, the caller's own account, and the permission catalogue.

use super::*;
use tenancy::wire::*;
use tenancy::catalogue::{catalogue, CatalogueEntry};
use tenancy::InvitationId;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(register))
        .routes(routes!(login))
        .routes(routes!(refresh))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(totp_enrol))
        .routes(routes!(totp_verify))
        .routes(routes!(permissions))
        .routes(routes!(accept_invitation))
        .routes(routes!(decline_invitation))
}

/// Create an account and sign in.
#[utoipa::path(post, path = "/v1/auth/register", tag = "auth", request_body = RegisterRequest,
    responses((status = 201, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn register(axum::extract::State(s): axum::extract::State<Service>, RequestId(rid): RequestId, Json(req): Json<RegisterRequest>) -> Result<Created<Session>> {
    Ok(Created(s.register(req, &rid).await?))
}

/// Sign in with email, password and, when enrolled, a TOTP code.
#[utoipa::path(post, path = "/v1/auth/login", tag = "auth", request_body = LoginRequest,
    responses((status = 200, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn login(axum::extract::State(s): axum::extract::State<Service>, RequestId(rid): RequestId, Json(req): Json<LoginRequest>) -> Result<Json<Session>> {
    Ok(Json(s.login(req, &rid).await?))
}

/// Trade a refresh token for a new session; the old refresh token stops working.
#[utoipa::path(post, path = "/v1/auth/refresh", tag = "auth", request_body = RefreshRequest,
    responses((status = 200, body = Session), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn refresh(axum::extract::State(s): axum::extract::State<Service>, RequestId(rid): RequestId, Json(req): Json<RefreshRequest>) -> Result<Json<Session>> {
    Ok(Json(s.refresh(req, &rid).await?))
}

/// End this session (its access and refresh tokens).
#[utoipa::path(post, path = "/v1/auth/logout", tag = "auth", security(("bearer" = [])),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn logout(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller) -> Result<StatusCode> {
    s.logout(&ctx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The caller, their workspaces and their pending invitations.
#[utoipa::path(get, path = "/v1/me", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = Me), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn me(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller) -> Result<Json<Me>> {
    Ok(Json(s.me(&ctx).await?))
}

/// Start TOTP enrolment: returns the secret for the authenticator app.
#[utoipa::path(post, path = "/v1/me/2fa/enrol", tag = "me", security(("bearer" = [])),
    responses((status = 200, body = TotpEnrolment), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn totp_enrol(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller) -> Result<Json<TotpEnrolment>> {
    Ok(Json(s.totp_enrol(&ctx).await?))
}

/// Finish TOTP enrolment with a current code.
#[utoipa::path(post, path = "/v1/me/2fa/verify", tag = "me", security(("bearer" = [])), request_body = TotpCode,
    responses((status = 200, body = User), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn totp_verify(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller, Json(req): Json<TotpCode>) -> Result<Json<User>> {
    Ok(Json(s.totp_verify(&ctx, &req.code).await?))
}

/// The permission catalogue, grouped by area, with legacy identifiers.
#[utoipa::path(get, path = "/v1/permissions", tag = "roles",
    responses((status = 200, body = Vec<CatalogueEntry>)))]
async fn permissions() -> Json<Vec<CatalogueEntry>> {
    Json(catalogue())
}

/// Accept an invitation addressed to the caller's email.
#[utoipa::path(post, path = "/v1/invitations/{id}/accept", tag = "invitations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = Membership), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn accept_invitation(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller, Path(id): Path<InvitationId>) -> Result<Json<Membership>> {
    Ok(Json(s.accept_invitation(&ctx, id).await?))
}

/// Decline an invitation addressed to the caller's email.
#[utoipa::path(post, path = "/v1/invitations/{id}/decline", tag = "invitations", security(("bearer" = [])),
    params(("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = Invitation), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn decline_invitation(axum::extract::State(s): axum::extract::State<Service>, Caller(ctx): Caller, Path(id): Path<InvitationId>) -> Result<Json<Invitation>> {
    Ok(Json(s.decline_invitation(&ctx, id).await?))
}
