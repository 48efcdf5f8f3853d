//! The audit log and the change feed.

use super::*;
use crate::service::PageParams;
use axum::extract::State;
use axum::http::{header, HeaderName};
use axum::response::IntoResponse;
use tenancy::wire::*;
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(audit_log)).routes(routes!(changes)).routes(routes!(snapshot))
}

/// The workspace's audit log, newest first (owners and admins; a community's managers, its
/// entries), filtered over its whole history; the cursor pages through what matches.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/audit", tag = "feed", security(("bearer" = [])),
    params(("ws" = String, Path, description = "Workspace id or slug"), AuditSearch, PageParams),
    responses((status = 200, body = Page<AuditEntry>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn audit_log(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(f): Query<AuditSearch>, Query(p): Query<PageParams>) -> Result<Json<Page<AuditEntry>>> {
    Ok(Json(s.audit_log(&ctx, &ws(w), &f, &p).await?))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct Since {
    /// The last sequence number applied; 0 for everything.
    #[serde(default)]
    since: i64,
    /// At most this many changes (1–20000, default 1000).
    limit: Option<u32>,
}

/// Every change visible to the caller after `since`, in order; 410 when `since` is too old.
#[utoipa::path(get, path = "/v1/changes", tag = "feed", security(("bearer" = [])), params(Since),
    responses((status = 200, body = ChangeBatch, headers(
        ("Tenantry-Has-More" = bool, description = "`has_more` of the body, ahead of it"),
        ("Tenantry-Next-Since" = i64, description = "`next_since` of the body, ahead of it: the next page can be asked for while this one is read"),
    )), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn changes(State(s): State<Service>, Caller(ctx): Caller, Query(q): Query<Since>) -> Result<impl IntoResponse> {
    let page = s.changes(&ctx, q.since, q.limit).await?;
    // Where the feed goes on from, ahead of the body: a client can ask for the next page
    // while it still reads this one.
    let headers = [
        (header::CONTENT_TYPE, "application/json".to_owned()),
        (HeaderName::from_static("tenantry-has-more"), page.has_more.to_string()),
        (HeaderName::from_static("tenantry-next-since"), page.next_since.to_string()),
    ];
    Ok((headers, page.into_json()))
}

#[derive(serde::Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
struct SnapshotScope {
    /// Only this workspace (its id), e.g. one just joined; absent for every workspace.
    workspace: Option<String>,
    /// Only this community of `workspace` (its id), e.g. one the caller has just come to see.
    community: Option<String>,
    /// Only this kind of entity, e.g. `api_key`.
    kind: Option<EntityKind>,
}

/// The current state of everything the change feed shows the caller, as upserts, with the
/// sequence number it reflects: rebuild a mirror from it when `/v1/changes` answers 410, or
/// load a workspace just joined, then follow the feed from `next_since`.
#[utoipa::path(get, path = "/v1/snapshot", tag = "feed", security(("bearer" = [])), params(SnapshotScope),
    responses((status = 200, body = ChangeBatch), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn snapshot(State(s): State<Service>, Caller(ctx): Caller, Query(q): Query<SnapshotScope>) -> Result<Json<ChangeBatch>> {
    let workspace = q
        .workspace
        .map(|w| w.parse::<tenancy::WorkspaceId>().map_err(|_| ApiError::validation("workspace must be a workspace id, as the change feed gives it.")))
        .transpose()?;
    let community = q
        .community
        .map(|c| c.parse::<tenancy::CommunityId>().map_err(|_| ApiError::validation("community must be a community id, as the change feed gives it.")))
        .transpose()?;
    Ok(Json(s.snapshot(&ctx, workspace, community, q.kind).await?))
}
