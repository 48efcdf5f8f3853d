//! Platform-admin endpoints.

use super::*;
use crate::service::PageParams;
use axum::extract::State;
use tenancy::wire::*;
use tenancy::UserId;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(deleted_workspaces))
        .routes(routes!(restore_workspace))
        .routes(routes!(admin_change_plan))
        .routes(routes!(update_user))
        .routes(routes!(purge))
        .routes(routes!(instance_audit))
}

/// Soft-deleted workspaces awaiting purge.
#[utoipa::path(get, path = "/v1/admin/workspaces/deleted", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = Vec<Workspace>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn deleted_workspaces(State(s): State<Service>, Caller(ctx): Caller) -> Result<Json<Vec<Workspace>>> {
    Ok(Json(s.deleted_workspaces(&ctx).await?))
}

/// Restore a soft-deleted workspace.
#[utoipa::path(post, path = "/v1/admin/workspaces/{ws}/restore", tag = "admin", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn restore_workspace(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>) -> Result<Json<Workspace>> {
    Ok(Json(s.restore_workspace(&ctx, &ws(w)).await?))
}

/// Set any plan, enterprise included.
#[utoipa::path(put, path = "/v1/admin/workspaces/{ws}/plan", tag = "admin", security(("bearer" = [])), request_body = ChangePlan,
    params(("ws" = String, Path, description = "Workspace id or slug")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn admin_change_plan(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Json(req): Json<ChangePlan>) -> Result<Json<Workspace>> {
    Ok(Json(s.admin_change_plan(&ctx, &ws(w), req.plan).await?))
}

/// Make a user platform admin, or lift their free-workspace limit.
#[utoipa::path(patch, path = "/v1/admin/users/{id}", tag = "admin", security(("bearer" = [])), request_body = UpdateUserAdmin,
    params(("id" = String, Path, description = "User id")),
    responses((status = 200, body = User), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update_user(State(s): State<Service>, Caller(ctx): Caller, Path(id): Path<UserId>, Json(req): Json<UpdateUserAdmin>) -> Result<Json<User>> {
    Ok(Json(s.admin_update_user(&ctx, id, req).await?))
}

/// Purge now every workspace deleted more than 30 days ago (also runs hourly).
#[utoipa::path(post, path = "/v1/admin/purge", tag = "admin", security(("bearer" = [])),
    responses((status = 200, body = PurgeReport), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn purge(State(s): State<Service>, Caller(ctx): Caller) -> Result<Json<PurgeReport>> {
    Ok(Json(s.admin_purge(&ctx).await?))
}

/// Instance-level audit entries (sign-ins, sign-ups, purges, admin changes), newest first.
#[utoipa::path(get, path = "/v1/admin/audit", tag = "admin", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn instance_audit(State(s): State<Service>, Caller(ctx): Caller, Query(p): Query<PageParams>) -> Result<Json<Page<AuditEntry>>> {
    Ok(Json(s.instance_audit(&ctx, &p).await?))
}
