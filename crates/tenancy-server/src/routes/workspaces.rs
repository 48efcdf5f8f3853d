//! Workspaces and communities.

use super::*;
use crate::service::PageParams;
use axum::extract::State;
use tenancy::wire::*;
use tenancy::CommunityId;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_workspaces, create_workspace))
        .routes(routes!(get_workspace, update_workspace, delete_workspace))
        .routes(routes!(change_plan))
        .routes(routes!(usage))
        .routes(routes!(list_communities, create_community))
        .routes(routes!(get_community, update_community))
}

/// Workspaces the caller belongs to, with their role in each.
#[utoipa::path(get, path = "/v1/workspaces", tag = "workspaces", security(("bearer" = [])), params(PageParams),
    responses((status = 200, body = Page<Membership>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_workspaces(State(s): State<Service>, Caller(ctx): Caller, Query(p): Query<PageParams>) -> Result<Json<Page<Membership>>> {
    Ok(Json(s.list_workspaces(&ctx, &p).await?))
}

/// Create a workspace with seeded defaults (first community, built-in roles, caller as owner).
#[utoipa::path(post, path = "/v1/workspaces", tag = "workspaces", security(("bearer" = [])), request_body = CreateWorkspace,
    responses((status = 201, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_workspace(State(s): State<Service>, Caller(ctx): Caller, Json(req): Json<CreateWorkspace>) -> Result<Created<Workspace>> {
    Ok(Created(s.create_workspace(&ctx, req).await?))
}

/// One workspace, by id or slug. Carries an ETag.
#[utoipa::path(get, path = "/v1/workspaces/{ws}", tag = "workspaces", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn get_workspace(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>) -> Result<Tagged<Workspace>> {
    let w = s.workspace(&ctx, &ws(w)).await?;
    Ok(Tagged(w.version, w))
}

/// Rename the workspace or change its security policy (admin, owner).
#[utoipa::path(patch, path = "/v1/workspaces/{ws}", tag = "workspaces", security(("bearer" = [])), request_body = UpdateWorkspace,
    params(("ws" = String, Path, description = "Workspace id or slug"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update_workspace(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, IfMatch(v): IfMatch, Json(req): Json<UpdateWorkspace>) -> Result<Tagged<Workspace>> {
    let w = s.update_workspace(&ctx, &ws(w), req, v).await?;
    Ok(Tagged(w.version, w))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Confirm {
    /// The workspace slug, typed by the user to confirm.
    confirm: String,
}

/// Soft-delete the workspace (owner; confirm by typing the slug). Restorable for 30 days.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}", tag = "workspaces", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug"), Confirm, ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn delete_workspace(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, IfMatch(v): IfMatch, Query(c): Query<Confirm>) -> Result<Json<Workspace>> {
    Ok(Json(s.delete_workspace(&ctx, &ws(w), &c.confirm, v).await?))
}

/// Change the plan (owner). Enterprise is provisioned by platform admins.
#[utoipa::path(put, path = "/v1/workspaces/{ws}/plan", tag = "workspaces", security(("bearer" = [])), request_body = ChangePlan,
    params(("ws" = String, Path, description = "Workspace id or slug"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Workspace), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change_plan(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, IfMatch(v): IfMatch, Json(req): Json<ChangePlan>) -> Result<Tagged<Workspace>> {
    let w = s.change_plan(&ctx, &ws(w), req.plan, v).await?;
    Ok(Tagged(w.version, w))
}

/// Plan usage against limits.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/usage", tag = "workspaces", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug")),
    responses((status = 200, body = WorkspaceUsage), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn usage(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>) -> Result<Json<WorkspaceUsage>> {
    Ok(Json(s.usage(&ctx, &ws(w)).await?))
}

/// Communities of the workspace, by slug.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/communities", tag = "communities", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug"), PageParams),
    responses((status = 200, body = Page<Community>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_communities(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(p): Query<PageParams>) -> Result<Json<Page<Community>>> {
    Ok(Json(s.communities(&ctx, &ws(w), &p).await?))
}

/// Create a community (admin, owner; plan limits apply).
#[utoipa::path(post, path = "/v1/workspaces/{ws}/communities", tag = "communities", security(("bearer" = [])), request_body = CreateCommunity,
    params(("ws" = String, Path, description = "Workspace id or slug")),
    responses((status = 201, body = Community), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_community(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Json(req): Json<CreateCommunity>) -> Result<Created<Community>> {
    Ok(Created(s.create_community(&ctx, &ws(w), req).await?))
}

/// One community. Carries an ETag.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/communities/{community}", tag = "communities", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug"), ("community" = String, Path, description = "Community id")),
    responses((status = 200, body = Community), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn get_community(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>) -> Result<Tagged<Community>> {
    let c = s.community(&ctx, &ws(w), c).await?;
    Ok(Tagged(c.version, c))
}

/// Change a community's identity fields (community.manage).
#[utoipa::path(patch, path = "/v1/workspaces/{ws}/communities/{community}", tag = "communities", security(("bearer" = [])), request_body = UpdateCommunity,
    params(("ws" = String, Path, description = "Workspace id or slug"), ("community" = String, Path, description = "Community id"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Community), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update_community(State(s): State<Service>, Caller(ctx): Caller, Path((w, c)): Path<(String, CommunityId)>, IfMatch(v): IfMatch, Json(req): Json<UpdateCommunity>) -> Result<Tagged<Community>> {
    let c = s.update_community(&ctx, &ws(w), c, req, v).await?;
    Ok(Tagged(c.version, c))
}
