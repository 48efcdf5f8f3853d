//! The typed `/v1` client. Access tokens live in memory only; the refresh token lives in the
//! OS keyring and is rotated on every refresh. A 401 triggers one silent refresh and a retry.

use crate::account_ref::{AccountKey, AccountRef};
use crate::error::{ClientError, ErrorCode, Result};
use crate::secret::{SecretStore, Sensitive};
pub use reqwest::Method;
use reqwest::StatusCode;
use serde::de::DeserializeOwned;
use serde::Serialize;
use std::sync::Arc;
use std::time::Duration;
use tenancy::wire::*;
use tenancy::*;

struct Tokens {
    access: Sensitive<String>,
    refresh: Sensitive<String>,
}

pub struct ApiClient {
    server: String,
    account: AccountKey,
    http: reqwest::Client,
    secrets: Arc<dyn SecretStore>,
    tokens: tokio::sync::Mutex<Option<Tokens>>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").field("server", &self.server).field("account", &self.account).finish_non_exhaustive()
    }
}

fn enc(s: &str) -> String {
    s.chars().map(|c| if c.is_ascii_alphanumeric() || "-_.~".contains(c) { c.to_string() } else { format!("%{:02X}", c as u32) }).collect()
}

/// `?a=b&c=d` from pairs, skipping `None`s.
pub fn query(pairs: &[(&str, Option<String>)]) -> String {
    let parts: Vec<_> = pairs.iter().filter_map(|(k, v)| v.as_ref().map(|v| format!("{k}={}", enc(v)))).collect();
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

impl ApiClient {
    pub fn new(account: &AccountRef, secrets: Arc<dyn SecretStore>) -> Result<Self> {
        let account = AccountRef::new(&account.server, &account.email)?;
        let http = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(5))
            .timeout(Duration::from_secs(60))
            .build()
            .map_err(|e| ClientError::internal(format!("HTTP client: {e}")))?;
        Ok(Self { account: account.key(), server: account.server, http, secrets, tokens: tokio::sync::Mutex::new(None) })
    }

    pub fn server(&self) -> &str {
        &self.server
    }
    pub fn account(&self) -> &AccountKey {
        &self.account
    }

    async fn raw<B: Serialize + ?Sized>(&self, method: Method, path: &str, bearer: Option<&str>, body: Option<&B>, if_match: Option<i64>) -> Result<reqwest::Response> {
        let mut req = self.http.request(method, format!("{}{}", self.server, path));
        if let Some(t) = bearer {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        if let Some(v) = if_match {
            req = req.header("if-match", format!("\"{v}\""));
        }
        req.send().await.map_err(|e| {
            if e.is_connect() || e.is_timeout() || e.is_request() {
                ClientError::offline(&self.server)
            } else {
                ClientError::internal(format!("Request to {} failed: {}", self.server, e.without_url()))
            }
        })
    }

    async fn decode<T: DeserializeOwned>(&self, res: reqwest::Response) -> Result<T> {
        let status = res.status();
        let bytes = res.bytes().await.map_err(|_| ClientError::offline(&self.server))?;
        if status.is_success() {
            let bytes = if bytes.is_empty() { &b"null"[..] } else { &bytes[..] };
            return serde_json::from_slice(bytes).map_err(|e| ClientError::internal(format!("The server's answer could not be read ({e}); is {} a Tenantry tenancy server?", self.server)));
        }
        match serde_json::from_slice::<Problem>(&bytes) {
            Ok(p) => Err(ClientError::from_problem(status.as_u16(), &p)),
            // A gateway before the server (a load balancer with no server behind it) says so
            // without a problem document.
            Err(_) if matches!(status.as_u16(), 502..=504) => Err(ClientError::unavailable(&self.server)),
            Err(_) => Err(ClientError::internal(format!("{} answered {status} without an explanation; is it a Tenantry tenancy server?", self.server))),
        }
    }

    async fn store_session(&self, s: &Session) -> Result<()> {
        let refresh = Sensitive::new(s.refresh_token.clone());
        let secrets = self.secrets.clone();
        let account = self.account.clone();
        let r = refresh.clone();
        tokio::task::spawn_blocking(move || secrets.set(account.as_str(), &r)).await.map_err(|e| ClientError::internal(e.to_string()))??;
        *self.tokens.lock().await = Some(Tokens { access: Sensitive::new(s.access_token.clone()), refresh });
        Ok(())
    }

    /// Creates the account (`/v1/auth/register`) and signs in with it; the refresh token goes to
    /// the keyring.
    pub async fn register(&self, display_name: &Name, password: &str) -> Result<User> {
        let req = RegisterRequest { email: Email::parse(self.account.email()).map_err(|e| ClientError::new(ErrorCode::Validation, e.to_string()))?, display_name: display_name.clone(), password: password.to_owned() };
        let res = self.raw(Method::POST, "/v1/auth/register", None, Some(&req), None).await?;
        let s: Session = self.decode(res).await?;
        self.store_session(&s).await?;
        Ok(s.user)
    }

    /// Signs in; the refresh token goes to the keyring.
    pub async fn sign_in(&self, password: &str, totp: Option<&str>) -> Result<User> {
        let email = self.account.email().to_owned();
        let req = LoginRequest { email, password: password.to_owned(), totp: totp.map(str::to_owned) };
        let res = self.raw(Method::POST, "/v1/auth/login", None, Some(&req), None).await?;
        let s: Session = self.decode(res).await?;
        self.store_session(&s).await?;
        Ok(s.user)
    }

    /// Trades the stored refresh token for a fresh session.
    pub async fn refresh(&self) -> Result<User> {
        let stored = {
            let t = self.tokens.lock().await;
            t.as_ref().map(|t| t.refresh.clone())
        };
        let refresh = match stored {
            Some(r) => r,
            None => {
                let secrets = self.secrets.clone();
                let account = self.account.clone();
                tokio::task::spawn_blocking(move || secrets.get(account.as_str())).await.map_err(|e| ClientError::internal(e.to_string()))??.ok_or_else(|| {
                    ClientError::new(ErrorCode::Unauthorized, format!("You are not signed in to {}. Sign in to continue.", self.server))
                })?
            }
        };
        let req = RefreshRequest { refresh_token: refresh.expose().clone() };
        let res = self.raw(Method::POST, "/v1/auth/refresh", None, Some(&req), None).await?;
        match self.decode::<Session>(res).await {
            Ok(s) => {
                self.store_session(&s).await?;
                Ok(s.user)
            }
            Err(e) if e.code == ErrorCode::Unauthorized => {
                // The session is over; forget the dead token so nobody retries it.
                *self.tokens.lock().await = None;
                let _ = self.forget_stored();
                Err(ClientError::new(ErrorCode::Unauthorized, format!("Your session on {} has ended. Sign in again; your view stays as it is.", self.server)))
            }
            Err(e) => Err(e),
        }
    }

    fn forget_stored(&self) -> Result<()> {
        self.secrets.delete(self.account.as_str())
    }

    /// Ends the session on the server (when reachable) and removes the keyring entry.
    pub async fn sign_out(&self) -> Result<()> {
        let access = self.tokens.lock().await.take().map(|t| t.access);
        if let Some(a) = access {
            let _ = self.raw::<()>(Method::POST, "/v1/auth/logout", Some(a.expose()), None, None).await;
        }
        let secrets = self.secrets.clone();
        let account = self.account.clone();
        tokio::task::spawn_blocking(move || secrets.delete(account.as_str())).await.map_err(|e| ClientError::internal(e.to_string()))?
    }

    pub async fn is_signed_in(&self) -> bool {
        self.tokens.lock().await.is_some()
    }

    /// An authenticated call with one silent refresh on 401.
    pub async fn call<B: Serialize + ?Sized, T: DeserializeOwned>(&self, method: Method, path: &str, body: Option<&B>, if_match: Option<i64>) -> Result<T> {
        let res = self.respond(method, path, body, if_match).await?;
        self.decode(res).await
    }

    /// [`ApiClient::call`] up to the response's headers (after the silent refresh).
    async fn respond<B: Serialize + ?Sized>(&self, method: Method, path: &str, body: Option<&B>, if_match: Option<i64>) -> Result<reqwest::Response> {
        let access = { self.tokens.lock().await.as_ref().map(|t| t.access.clone()) };
        let access = match access {
            Some(a) => a,
            None => {
                self.refresh().await?;
                self.tokens.lock().await.as_ref().map(|t| t.access.clone()).ok_or_else(|| ClientError::internal("no session after refresh"))?
            }
        };
        let res = self.raw(method.clone(), path, Some(access.expose()), body, if_match).await?;
        if res.status() == StatusCode::UNAUTHORIZED {
            self.refresh().await?;
            let access = self.tokens.lock().await.as_ref().map(|t| t.access.clone()).ok_or_else(|| ClientError::internal("no session after refresh"))?;
            return self.raw(method, path, Some(access.expose()), body, if_match).await;
        }
        Ok(res)
    }

    pub async fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T> {
        self.call::<(), T>(Method::GET, path, None, None).await
    }

    // ---------- typed endpoints ----------

    pub async fn me(&self) -> Result<Me> {
        self.get("/v1/me").await
    }
    pub async fn changes(&self, since: i64, limit: u32) -> Result<ChangeBatch> {
        self.get(&format!("/v1/changes?since={since}&limit={limit}")).await
    }
    /// [`ApiClient::changes`] with each entity left as JSON text (what a sync applies).
    pub async fn changes_raw(&self, since: i64, limit: u32) -> Result<RawChangeBatch> {
        self.get(&format!("/v1/changes?since={since}&limit={limit}")).await
    }
    /// Asks for a page of the change feed (entities as JSON text) and returns once its headers
    /// are in: they say where the feed goes on from, so the next page can be asked for while
    /// this one's body is still being read.
    pub async fn changes_raw_start(&self, since: i64, limit: u32) -> Result<FeedPageResponse<'_>> {
        let res = self.respond::<()>(Method::GET, &format!("/v1/changes?since={since}&limit={limit}"), None, None).await?;
        Ok(FeedPageResponse { api: self, res })
    }
    /// [`ApiClient::snapshot_of`] with each entity left as JSON text.
    pub async fn snapshot_raw(&self, workspace: Option<WorkspaceId>, kind: Option<EntityKind>) -> Result<RawChangeBatch> {
        self.get(&Self::snapshot_path(workspace, kind)).await
    }
    fn snapshot_path(workspace: Option<WorkspaceId>, kind: Option<EntityKind>) -> String {
        let kind = kind.map(|k| k.as_str().to_owned());
        format!("/v1/snapshot{}", query(&[("workspace", workspace.map(|w| w.to_string())), ("kind", kind)]))
    }
    /// The current state of what the feed shows this account (or of one of its workspaces), as
    /// upserts with the cursor to follow the feed from.
    pub async fn snapshot(&self, workspace: Option<WorkspaceId>) -> Result<ChangeBatch> {
        self.snapshot_of(workspace, None).await
    }
    /// The snapshot narrowed to one entity kind.
    pub async fn snapshot_of(&self, workspace: Option<WorkspaceId>, kind: Option<EntityKind>) -> Result<ChangeBatch> {
        self.get(&Self::snapshot_path(workspace, kind)).await
    }
    pub async fn permissions(&self) -> Result<Vec<tenancy::catalogue::CatalogueEntry>> {
        self.get("/v1/permissions").await
    }
    pub async fn alert_volumes(&self, ws: WorkspaceId, community: CommunityId) -> Result<Vec<AlertVolume>> {
        self.get(&format!("/v1/workspaces/{ws}/communities/{community}/alert-volumes")).await
    }
    /// Every community's daily alert volumes in one workspace (the last 90 days).
    pub async fn workspace_alert_volumes(&self, ws: WorkspaceId) -> Result<Vec<AlertVolume>> {
        self.get(&format!("/v1/workspaces/{ws}/alert-volumes")).await
    }
    /// A page of the audit log entries matching `s` over the whole history, newest first.
    pub async fn audit(&self, ws: WorkspaceId, s: &AuditSearch, cursor: Option<String>, limit: u32) -> Result<Page<AuditEntry>> {
        let pairs = [
            ("action", s.action.clone()),
            ("actor_id", s.actor_id.map(|u| u.to_string())),
            ("target_kind", s.target_kind.clone()),
            ("target_id", s.target_id.clone()),
            ("community_id", s.community_id.map(|c| c.to_string())),
            ("from", s.from.map(|t| t.to_rfc3339())),
            ("to", s.to.map(|t| t.to_rfc3339())),
            ("cursor", cursor),
            ("limit", Some(limit.to_string())),
        ];
        self.get(&format!("/v1/workspaces/{ws}/audit{}", query(&pairs))).await
    }
    pub async fn usage(&self, ws: WorkspaceId) -> Result<WorkspaceUsage> {
        self.get(&format!("/v1/workspaces/{ws}/usage")).await
    }

    pub async fn create_workspace(&self, req: &CreateWorkspace) -> Result<Workspace> {
        self.call(Method::POST, "/v1/workspaces", Some(req), None).await
    }
    pub async fn update_workspace(&self, ws: WorkspaceId, req: &UpdateWorkspace, version: Option<i64>) -> Result<Workspace> {
        self.call(Method::PATCH, &format!("/v1/workspaces/{ws}"), Some(req), version).await
    }
    pub async fn change_plan(&self, ws: WorkspaceId, plan: Plan, version: Option<i64>) -> Result<Workspace> {
        self.call(Method::PUT, &format!("/v1/workspaces/{ws}/plan"), Some(&ChangePlan { plan }), version).await
    }
    pub async fn delete_workspace(&self, ws: WorkspaceId, confirm_slug: &str, version: Option<i64>) -> Result<Workspace> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}{}", query(&[("confirm", Some(confirm_slug.to_owned()))])), None, version).await
    }
    pub async fn restore_workspace(&self, ws: WorkspaceId) -> Result<Workspace> {
        self.call::<(), _>(Method::POST, &format!("/v1/admin/workspaces/{ws}/restore"), None, None).await
    }
    pub async fn deleted_workspaces(&self) -> Result<Vec<Workspace>> {
        self.get("/v1/admin/workspaces/deleted").await
    }
    pub async fn create_community(&self, ws: WorkspaceId, req: &CreateCommunity) -> Result<Community> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/communities"), Some(req), None).await
    }
    pub async fn update_community(&self, ws: WorkspaceId, c: CommunityId, req: &UpdateCommunity, version: Option<i64>) -> Result<Community> {
        self.call(Method::PATCH, &format!("/v1/workspaces/{ws}/communities/{c}"), Some(req), version).await
    }
    pub async fn invite(&self, ws: WorkspaceId, req: &CreateInvitation) -> Result<Invitation> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/invitations"), Some(req), None).await
    }
    /// Invites a client contact to `community`'s portal (enabled first, by its settings).
    pub async fn invite_contact(&self, ws: WorkspaceId, community: CommunityId, req: &InviteContact) -> Result<Invitation> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/communities/{community}/contacts"), Some(req), None).await
    }
    pub async fn revoke_invitation(&self, ws: WorkspaceId, id: InvitationId) -> Result<Invitation> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/invitations/{id}"), None, None).await
    }
    pub async fn accept_invitation(&self, id: InvitationId) -> Result<Membership> {
        self.call::<(), _>(Method::POST, &format!("/v1/invitations/{id}/accept"), None, None).await
    }
    pub async fn decline_invitation(&self, id: InvitationId) -> Result<Invitation> {
        self.call::<(), _>(Method::POST, &format!("/v1/invitations/{id}/decline"), None, None).await
    }
    pub async fn change_member_role(&self, ws: WorkspaceId, user: UserId, role: WorkspaceRole, version: Option<i64>) -> Result<Member> {
        self.call(Method::PATCH, &format!("/v1/workspaces/{ws}/members/{user}"), Some(&ChangeMemberRole { role }), version).await
    }
    pub async fn remove_member(&self, ws: WorkspaceId, user: UserId) -> Result<()> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/members/{user}"), None, None).await
    }
    pub async fn reset_2fa(&self, ws: WorkspaceId, user: UserId) -> Result<Member> {
        self.call::<(), _>(Method::POST, &format!("/v1/workspaces/{ws}/members/{user}/2fa/reset"), None, None).await
    }
    pub async fn assign_roles(&self, ws: WorkspaceId, user: UserId, req: &AssignRoles) -> Result<Vec<RoleAssignment>> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/members/{user}/assignments"), Some(req), None).await
    }
    pub async fn unassign_role(&self, ws: WorkspaceId, id: AssignmentId) -> Result<()> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/assignments/{id}"), None, None).await
    }
    pub async fn create_role(&self, ws: WorkspaceId, req: &CreateRole) -> Result<Role> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/roles"), Some(req), None).await
    }
    pub async fn update_role(&self, ws: WorkspaceId, id: RoleId, req: &UpdateRole, version: Option<i64>) -> Result<Role> {
        self.call(Method::PATCH, &format!("/v1/workspaces/{ws}/roles/{id}"), Some(req), version).await
    }
    pub async fn delete_role(&self, ws: WorkspaceId, id: RoleId) -> Result<()> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/roles/{id}"), None, None).await
    }
    pub async fn create_api_key(&self, ws: WorkspaceId, c: CommunityId, req: &CreateApiKey) -> Result<CreatedApiKey> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/communities/{c}/api-keys"), Some(req), None).await
    }
    pub async fn revoke_api_key(&self, ws: WorkspaceId, c: CommunityId, id: ApiKeyId) -> Result<ApiKey> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/communities/{c}/api-keys/{id}"), None, None).await
    }
    pub async fn create_intake(&self, ws: WorkspaceId, c: CommunityId, req: &CreateIntake) -> Result<Intake> {
        self.call(Method::POST, &format!("/v1/workspaces/{ws}/communities/{c}/intakes"), Some(req), None).await
    }
    pub async fn update_intake(&self, ws: WorkspaceId, c: CommunityId, id: IntakeId, req: &UpdateIntake) -> Result<Intake> {
        self.call(Method::PATCH, &format!("/v1/workspaces/{ws}/communities/{c}/intakes/{id}"), Some(req), None).await
    }
    pub async fn delete_intake(&self, ws: WorkspaceId, c: CommunityId, id: IntakeId) -> Result<()> {
        self.call::<(), _>(Method::DELETE, &format!("/v1/workspaces/{ws}/communities/{c}/intakes/{id}"), None, None).await
    }
    pub async fn enrol_totp(&self) -> Result<TotpEnrolment> {
        self.call::<(), _>(Method::POST, "/v1/me/2fa/enrol", None, None).await
    }
    pub async fn verify_totp(&self, code: &str) -> Result<User> {
        self.call(Method::POST, "/v1/me/2fa/verify", Some(&TotpCode { code: code.to_owned() }), None).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_encode_and_skip_absent_values() {
        assert_eq!(query(&[("confirm", Some("acme corp".into())), ("cursor", None)]), "?confirm=acme%20corp");
        assert_eq!(query(&[("cursor", None)]), "");
    }

    #[test]
    fn servers_must_be_urls() {
        let r = AccountRef { server: "tenancy.example".into(), email: "a@b.io".into() };
        let e = ApiClient::new(&r, Arc::new(crate::secret::MemorySecrets::default())).unwrap_err();
        assert_eq!(e.code, ErrorCode::Validation);
    }
}

/// A page of the change feed whose headers have arrived (see [`ApiClient::changes_raw_start`]).
pub struct FeedPageResponse<'a> {
    api: &'a ApiClient,
    res: reqwest::Response,
}

impl FeedPageResponse<'_> {
    /// Where the feed goes on from when more changes follow this page (`Tenantry-Has-More`,
    /// `Tenantry-Next-Since`); `None` at the end, or when the server did not say.
    pub fn continues_from(&self) -> Option<i64> {
        let h = self.res.headers();
        let header = |name: &str| h.get(name).and_then(|v| v.to_str().ok());
        if !self.res.status().is_success() || header("tenantry-has-more") != Some("true") {
            return None;
        }
        header("tenantry-next-since")?.parse().ok()
    }
    /// Reads the body; a page's JSON (megabytes in a full sync) is parsed on a blocking thread,
    /// off the runtime that applies the previous page meanwhile.
    pub async fn read(self) -> Result<RawChangeBatch> {
        let FeedPageResponse { api, res } = self;
        if !res.status().is_success() {
            return api.decode(res).await;
        }
        let bytes = res.bytes().await.map_err(|_| ClientError::offline(&api.server))?;
        let server = api.server.clone();
        tokio::task::spawn_blocking(move || {
            serde_json::from_slice(&bytes).map_err(|e| ClientError::internal(format!("The server's answer could not be read ({e}); is {server} a Tenantry tenancy server?")))
        })
        .await
        .map_err(|e| ClientError::internal(e.to_string()))?
    }
}
