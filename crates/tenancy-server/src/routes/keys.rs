//! API keys, intakes and alert volumes of a community.

use super::*;
use crate::service::{DayRange, PageParams};
use axum::extract::State;
use tenancy::wire::*;
use tenancy::{ApiKeyId, CommunityId, IntakeId};
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_api_keys, create_api_key))
        .routes(routes!(revoke_api_key))
        .routes(routes!(introspect))
        .routes(routes!(list_intakes, create_intake))
        .routes(routes!(update_intake, delete_intake))
        .routes(routes!(alert_volumes))
        .routes(routes!(workspace_alert_volumes))
}

const WS: &str = "Workspace id or slug";

/// The community's API keys (never their secrets).
#[utoipa::path(get, path = "/v1/workspaces/{ws}/communities/{community}/api-keys", tag = "api-keys", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), PageParams),
    responses((status = 200, body = Page<ApiKey>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_api_keys(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, Query(p): Query<PageParams>) -> Result<Json<Page<ApiKey>>> {
    Ok(Json(s.api_keys(&ctx, &ws(w), c, &p).await?))
}

/// Create an API key; the response is the only time its secret is shown.
#[utoipa::path(post, path = "/v1/workspaces/{ws}/communities/{community}/api-keys", tag = "api-keys", security(("bearer" = [])), request_body = CreateApiKey,
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id")),
    responses((status = 201, body = CreatedApiKey), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_api_key(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, Json(req): Json<CreateApiKey>) -> Result<Created<CreatedApiKey>> {
    Ok(Created(s.create_api_key(&ctx, &ws(w), c, req).await?))
}

/// Revoke an API key.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/communities/{community}/api-keys/{id}", tag = "api-keys", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), ("id" = String, Path, description = "API key id")),
    responses((status = 200, body = ApiKey), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn revoke_api_key(State(s): State<Service>, Caller(ctx): Caller, Path((w, c, id)): Path<(String, CommunityId, ApiKeyId)>) -> Result<Json<ApiKey>> {
    Ok(Json(s.revoke_api_key(&ctx, &ws(w), c, id).await?))
}

/// For services that accept keys: what the presented key (as Bearer) may do. Records last use.
#[utoipa::path(get, path = "/v1/api-keys/introspect", tag = "api-keys", security(("bearer" = [])),
    responses((status = 200, body = ApiKeyIntrospection), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn introspect(State(s): State<Service>, BearerToken(key): BearerToken) -> Result<Json<ApiKeyIntrospection>> {
    Ok(Json(s.introspect_api_key(&key).await?))
}

/// The community's intakes (data sources).
#[utoipa::path(get, path = "/v1/workspaces/{ws}/communities/{community}/intakes", tag = "intakes", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), PageParams),
    responses((status = 200, body = Page<Intake>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_intakes(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, Query(p): Query<PageParams>) -> Result<Json<Page<Intake>>> {
    Ok(Json(s.intakes(&ctx, &ws(w), c, &p).await?))
}

/// Add an intake (intakes.manage).
#[utoipa::path(post, path = "/v1/workspaces/{ws}/communities/{community}/intakes", tag = "intakes", security(("bearer" = [])), request_body = CreateIntake,
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id")),
    responses((status = 201, body = Intake), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_intake(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, Json(req): Json<CreateIntake>) -> Result<Created<Intake>> {
    Ok(Created(s.create_intake(&ctx, &ws(w), c, req).await?))
}

/// Rename an intake (intakes.manage).
#[utoipa::path(patch, path = "/v1/workspaces/{ws}/communities/{community}/intakes/{id}", tag = "intakes", security(("bearer" = [])), request_body = UpdateIntake,
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), ("id" = String, Path, description = "Intake id")),
    responses((status = 200, body = Intake), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update_intake(State(s): State<Service>, Caller(ctx): Caller, Path((w, c, id)): Path<(String, CommunityId, IntakeId)>, Json(req): Json<UpdateIntake>) -> Result<Json<Intake>> {
    Ok(Json(s.update_intake(&ctx, &ws(w), c, id, req).await?))
}

/// Remove an intake no restricted role is scoped to.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/communities/{community}/intakes/{id}", tag = "intakes", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), ("id" = String, Path, description = "Intake id")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn delete_intake(State(s): State<Service>, Caller(ctx): Caller, Path((w, c, id)): Path<(String, CommunityId, IntakeId)>) -> Result<StatusCode> {
    s.delete_intake(&ctx, &ws(w), c, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Daily alert volumes of the community (default: the last 90 days).
#[utoipa::path(get, path = "/v1/workspaces/{ws}/communities/{community}/alert-volumes", tag = "communities", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id"), DayRange),
    responses((status = 200, body = Vec<AlertVolume>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn alert_volumes(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, Query(d): Query<DayRange>) -> Result<impl IntoResponse> {
    Ok(json_text(s.alert_volumes(&ctx, &ws(w), Some(c), &d).await?))
}

/// Daily alert volumes of every community of the workspace, in one answer (for aggregated views).
#[utoipa::path(get, path = "/v1/workspaces/{ws}/alert-volumes", tag = "communities", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), DayRange),
    responses((status = 200, body = Vec<AlertVolume>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn workspace_alert_volumes(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(d): Query<DayRange>) -> Result<impl IntoResponse> {
    Ok(json_text(s.alert_volumes(&ctx, &ws(w), None, &d).await?))
}
