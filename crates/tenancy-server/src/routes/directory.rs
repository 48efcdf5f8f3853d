//! Members, role assignments, roles and invitations.

use super::*;
use crate::service::{AssignmentFilter, MemberFilter, PageParams};
use axum::extract::State;
use tenancy::wire::*;
use tenancy::{AssignmentId, CommunityId, EffectivePermissions, InvitationId, RoleId, UserId};
use utoipa_axum::routes;

pub fn routes(r: OpenApiRouter<AppState>) -> OpenApiRouter<AppState> {
    r.routes(routes!(list_members))
        .routes(routes!(get_member, change_member_role, remove_member))
        .routes(routes!(member_permissions))
        .routes(routes!(reset_2fa))
        .routes(routes!(assign_roles))
        .routes(routes!(list_assignments))
        .routes(routes!(unassign_role))
        .routes(routes!(list_roles, create_role))
        .routes(routes!(get_role, update_role, delete_role))
        .routes(routes!(list_invitations, invite))
        .routes(routes!(revoke_invitation))
        .routes(routes!(invite_contact))
}

const WS: &str = "Workspace id or slug";

/// Members of the workspace, by email; filter by text and workspace role.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/members", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), MemberFilter, PageParams),
    responses((status = 200, body = Page<Member>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_members(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(f): Query<MemberFilter>, Query(p): Query<PageParams>) -> Result<Json<Page<Member>>> {
    Ok(Json(s.members(&ctx, &ws(w), &f, &p).await?))
}

/// One member. Carries an ETag.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/members/{user}", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id")),
    responses((status = 200, body = Member), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn get_member(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>) -> Result<Tagged<Member>> {
    let m = s.member(&ctx, &ws(w), u).await?;
    Ok(Tagged(m.version, m))
}

/// Change a member's workspace role; ownership changes are owner-only and never leave zero owners.
#[utoipa::path(patch, path = "/v1/workspaces/{ws}/members/{user}", tag = "members", security(("bearer" = [])), request_body = ChangeMemberRole,
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Member), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn change_member_role(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>, IfMatch(v): IfMatch, Json(req): Json<ChangeMemberRole>) -> Result<Tagged<Member>> {
    let m = s.change_member_role(&ctx, &ws(w), u, req.role, v).await?;
    Ok(Tagged(m.version, m))
}

/// Remove a member, or leave (your own user id). The last owner cannot go.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/members/{user}", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn remove_member(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>, IfMatch(v): IfMatch) -> Result<StatusCode> {
    s.remove_member(&ctx, &ws(w), u, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A member's effective permissions: the union of their roles, with where each comes from.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/members/{user}/permissions", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id")),
    responses((status = 200, body = EffectivePermissions), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn member_permissions(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>) -> Result<Json<EffectivePermissions>> {
    Ok(Json(s.member_permissions(&ctx, &ws(w), u).await?))
}

/// Reset a member's two-factor authentication (community Admin, workspace admin/owner).
#[utoipa::path(post, path = "/v1/workspaces/{ws}/members/{user}/2fa/reset", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id")),
    responses((status = 200, body = Member), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn reset_2fa(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>) -> Result<Json<Member>> {
    Ok(Json(s.reset_member_2fa(&ctx, &ws(w), u).await?))
}

/// Give a member community roles, in one or many communities at once (all or none).
#[utoipa::path(post, path = "/v1/workspaces/{ws}/members/{user}/assignments", tag = "members", security(("bearer" = [])), request_body = AssignRoles,
    params(("ws" = String, Path, description = WS), ("user" = String, Path, description = "User id")),
    responses((status = 200, body = Vec<RoleAssignment>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn assign_roles(State(s): State<Service>, Caller(ctx): Caller, Path((w, u)): Path<(String, UserId)>, Json(req): Json<AssignRoles>) -> Result<Json<Vec<RoleAssignment>>> {
    Ok(Json(s.assign_roles(&ctx, &ws(w), u, req).await?))
}

/// Community role assignments, optionally for one community or one user.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/assignments", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), AssignmentFilter, PageParams),
    responses((status = 200, body = Page<RoleAssignment>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_assignments(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(f): Query<AssignmentFilter>, Query(p): Query<PageParams>) -> Result<Json<Page<RoleAssignment>>> {
    Ok(Json(s.assignments(&ctx, &ws(w), &f, &p).await?))
}

/// Take a community role away.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/assignments/{id}", tag = "members", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("id" = String, Path, description = "Assignment id")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn unassign_role(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, AssignmentId)>) -> Result<StatusCode> {
    s.unassign_role(&ctx, &ws(w), id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Built-in, custom and restricted roles of the workspace.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/roles", tag = "roles", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), PageParams),
    responses((status = 200, body = Page<Role>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_roles(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(p): Query<PageParams>) -> Result<Json<Page<Role>>> {
    Ok(Json(s.roles(&ctx, &ws(w), &p).await?))
}

/// Define a custom, restricted or intake-restricted role.
#[utoipa::path(post, path = "/v1/workspaces/{ws}/roles", tag = "roles", security(("bearer" = [])), request_body = CreateRole,
    params(("ws" = String, Path, description = WS)),
    responses((status = 201, body = Role), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn create_role(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Json(req): Json<CreateRole>) -> Result<Created<Role>> {
    Ok(Created(s.create_role(&ctx, &ws(w), req).await?))
}

/// One role. Carries an ETag.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/roles/{id}", tag = "roles", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("id" = String, Path, description = "Role id")),
    responses((status = 200, body = Role), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn get_role(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, RoleId)>) -> Result<Tagged<Role>> {
    let r = s.role(&ctx, &ws(w), id).await?;
    Ok(Tagged(r.version, r))
}

/// Change a custom or restricted role (built-in roles are immutable).
#[utoipa::path(patch, path = "/v1/workspaces/{ws}/roles/{id}", tag = "roles", security(("bearer" = [])), request_body = UpdateRole,
    params(("ws" = String, Path, description = WS), ("id" = String, Path, description = "Role id"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 200, body = Role), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn update_role(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, RoleId)>, IfMatch(v): IfMatch, Json(req): Json<UpdateRole>) -> Result<Tagged<Role>> {
    let r = s.update_role(&ctx, &ws(w), id, req, v).await?;
    Ok(Tagged(r.version, r))
}

/// Delete a custom or restricted role that nobody holds.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/roles/{id}", tag = "roles", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("id" = String, Path, description = "Role id"), ("If-Match" = Option<String>, Header, description = "ETag from a read")),
    responses((status = 204), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn delete_role(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, RoleId)>, IfMatch(v): IfMatch) -> Result<StatusCode> {
    s.delete_role(&ctx, &ws(w), id, v).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Invitations of the workspace, with their status.
#[utoipa::path(get, path = "/v1/workspaces/{ws}/invitations", tag = "invitations", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), PageParams),
    responses((status = 200, body = Page<Invitation>), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn list_invitations(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Query(p): Query<PageParams>) -> Result<Json<Page<Invitation>>> {
    Ok(Json(s.invitations(&ctx, &ws(w), &p).await?))
}

/// Invite someone by email with a workspace role and community roles; expires in 7 days.
#[utoipa::path(post, path = "/v1/workspaces/{ws}/invitations", tag = "invitations", security(("bearer" = [])), request_body = CreateInvitation,
    params(("ws" = String, Path, description = WS)),
    responses((status = 201, body = Invitation), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn invite(State(s): State<Service>, Caller(ctx): Caller, Path(w): Path<String>, Json(req): Json<CreateInvitation>) -> Result<Created<Invitation>> {
    Ok(Created(s.invite(&ctx, &ws(w), req).await?))
}

/// Invite a client contact to a community whose client portal is enabled: read-only in that
/// community, not counted against the plan's seats. For workspace admins and owners.
#[utoipa::path(post, path = "/v1/workspaces/{ws}/communities/{community}/contacts", tag = "invitations", security(("bearer" = [])), request_body = InviteContact,
    params(("ws" = String, Path, description = WS), ("community" = String, Path, description = "Community id")),
    responses((status = 201, body = Invitation), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn invite_contact(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, CommunityId)>, Json(req): Json<InviteContact>) -> Result<Created<Invitation>> {
    Ok(Created(s.invite_contact(&ctx, &ws(w), id, req).await?))
}

/// Revoke a pending invitation.
#[utoipa::path(delete, path = "/v1/workspaces/{ws}/invitations/{id}", tag = "invitations", security(("bearer" = [])),
    params(("ws" = String, Path, description = WS), ("id" = String, Path, description = "Invitation id")),
    responses((status = 200, body = Invitation), (status = "4XX", body = Problem, content_type = "application/problem+json")))]
async fn revoke_invitation(State(s): State<Service>, Caller(ctx): Caller, Path((w, id)): Path<(String, InvitationId)>) -> Result<Json<Invitation>> {
    Ok(Json(s.revoke_invitation(&ctx, &ws(w), id).await?))
}
