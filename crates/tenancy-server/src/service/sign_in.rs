//! Sign-up, sign-in, rotating refresh tokens with reuse detection, sign-out, TOTP.

use tenancy::audit::AuditAction;
use super::*;
use crate::credentials;
use crate::store::{AccessTokenRecord, RefreshTokenRecord};
use chrono::Duration;
use tenancy::wire::*;
use tenancy::Email;

impl Service {
    /// The caller behind an access token, or 401. With `keep`, the read transaction the token
    /// was checked in stays open in the returned `Ctx` for the request's first read (a GET's),
    /// which then sees the token and the data in one snapshot: a token revoked or expired is
    /// refused by that very transaction, as before.
    pub async fn authenticate(&self, token: &str, request_id: &str, keep: bool) -> ApiResult<Ctx> {
        let now = super::now();
        let mut tx = self.read_anonymous().await?;
        let unauth = || {
            ApiError::new(ProblemKind::Unauthenticated, "Your session has expired or was signed out. Refresh it with your refresh token, or sign in again.")
        };
        let (rec, user) = tx.access_token_user(&credentials::token_hash(token), now).await?.ok_or_else(unauth)?;
        // The same test as the query's, whose transaction acts for the user only then.
        if rec.revoked_at.is_some() || rec.expires_at <= now {
            return Err(unauth());
        }
        let pending = if keep { super::Pending::new(tx) } else { Default::default() };
        Ok(Ctx { user, session_family: Some(rec.family_id), request_id: request_id.to_owned(), now, pending })
    }

    async fn issue_session(&self, unit: &mut Unit, user: &UserRecord, family: Uuid) -> ApiResult<Session> {
        let access_token = credentials::new_token("tnt_at_");
        let refresh_token = credentials::new_token("tnt_rt_");
        unit.tx
            .insert_access_token(&AccessTokenRecord {
                token_hash: credentials::token_hash(&access_token),
                family_id: family,
                user_id: user.id,
                expires_at: unit.now + Duration::seconds(credentials::ACCESS_TOKEN_TTL_SECS),
                revoked_at: None,
            })
            .await?;
        unit.tx
            .insert_refresh_token(&RefreshTokenRecord {
                token_hash: credentials::token_hash(&refresh_token),
                family_id: family,
                user_id: user.id,
                created_at: unit.now,
                expires_at: unit.now + Duration::days(credentials::REFRESH_TOKEN_TTL_DAYS),
                used_at: None,
                revoked_at: None,
            })
            .await?;
        Ok(Session { access_token, refresh_token, expires_in: credentials::ACCESS_TOKEN_TTL_SECS as u64, user: user.public() })
    }

    pub async fn register(&self, req: RegisterRequest, request_id: &str) -> ApiResult<Session> {
        if let Some(problem) = tenancy::values::password_problem(&req.password) {
            return Err(ApiError::validation(problem));
        }
        let hash = credentials::hash_password(&req.password);
        let now = super::now();
        let user = UserRecord {
            id: UserId::new(),
            email: req.email,
            display_name: req.display_name.to_string(),
            password_hash: hash,
            totp_secret: None,
            totp_enabled: false,
            platform_admin: false,
            free_limit_lifted: false,
            created_at: now,
        };
        let mut unit = self.write(request_id, Some(user.id), now).await?;
        if unit.tx.user_by_email(user.email.as_str()).await?.is_some() {
            return Err(ApiError::conflict("An account with that email already exists. Sign in instead, or reset the password with your admin."));
        }
        unit.tx.insert_user(&user).await?;
        let session = self.issue_session(&mut unit, &user, Uuid::now_v7()).await?;
        unit.audit(None, AuditAction::UserRegister, user.id, NONE, Some(&user.public())).await?;
        unit.commit().await?;
        Ok(session)
    }

    pub async fn login(&self, req: LoginRequest, request_id: &str) -> ApiResult<Session> {
        let wrong = || {
            ApiError::new(ProblemKind::InvalidCredentials, "Email or password is wrong. Check both and try again; if you forgot the password, ask your admin to reset it.")
        };
        let now = super::now();
        let user = {
            let mut tx = self.read_anonymous().await?;
            let email = Email::parse(&req.email).map_err(|e| ApiError::validation(e.to_string()))?;
            tx.user_by_email(email.as_str()).await?
        };
        let Some(user) = user else {
            credentials::verify_dummy(&req.password);
            return Err(wrong());
        };
        let password = req.password.clone();
        let hash = user.password_hash.clone();
        let ok = tokio::task::spawn_blocking(move || credentials::verify_password(&password, &hash)).await.unwrap_or(false);
        if !ok {
            return Err(wrong());
        }
        if user.totp_enabled {
            let secret = user.totp_secret.as_deref().unwrap_or_default();
            match req.totp.as_deref() {
                None | Some("") => {
                    return Err(ApiError::new(
                        ProblemKind::TotpRequired,
                        "This account uses two-factor authentication. Send the 6-digit code from your authenticator app as `totp`.",
                    ))
                }
                Some(code) if !credentials::totp_check(secret, code) => {
                    return Err(ApiError::new(
                        ProblemKind::TotpInvalid,
                        "The two-factor code is wrong or expired. Type the current code from your authenticator app; if you lost the device, ask an admin to reset your 2FA.",
                    ))
                }
                Some(_) => {}
            }
        }
        let mut unit = self.write(request_id, Some(user.id), now).await?;
        let family = Uuid::now_v7();
        let session = self.issue_session(&mut unit, &user, family).await?;
        unit.audit(None, AuditAction::SessionCreate, family, NONE, NONE).await?;
        unit.commit().await?;
        Ok(session)
    }

    pub async fn refresh(&self, req: RefreshRequest, request_id: &str) -> ApiResult<Session> {
        let now = super::now();
        let mut unit = self.write(request_id, None, now).await?;
        let ended = || {
            ApiError::new(ProblemKind::Unauthenticated, "This session has ended (expired or signed out). Sign in again.")
        };
        let hash = credentials::token_hash(&req.refresh_token);
        let rec = unit.tx.refresh_token(&hash).await?.ok_or_else(ended)?;
        if rec.revoked_at.is_some() || rec.expires_at <= now {
            return Err(ended());
        }
        if rec.used_at.is_some() {
            // A used refresh token came back: someone else holds a copy. End the whole session.
            unit.actor = Some(rec.user_id);
            unit.tx.revoke_family(rec.family_id, now).await?;
            unit.audit(None, AuditAction::SessionReuseDetected, rec.family_id, NONE, NONE).await?;
            unit.commit().await?;
            return Err(ApiError::new(
                ProblemKind::RefreshTokenReused,
                "This refresh token was already used, so the session was ended to protect your account. Sign in again.",
            ));
        }
        let user = unit.tx.user(rec.user_id).await?.ok_or_else(ended)?;
        unit.actor = Some(user.id);
        unit.tx.mark_refresh_token_used(&hash, now).await?;
        let session = self.issue_session(&mut unit, &user, rec.family_id).await?;
        unit.audit(None, AuditAction::SessionRefresh, rec.family_id, NONE, NONE).await?;
        unit.commit().await?;
        Ok(session)
    }

    pub async fn logout(&self, ctx: &Ctx) -> ApiResult<()> {
        let mut unit = self.unit(ctx).await?;
        if let Some(f) = ctx.session_family {
            unit.tx.revoke_family(f, ctx.now).await?;
        }
        unit.audit(None, AuditAction::SessionRevoke, ctx.session_family.unwrap_or_default(), NONE, NONE).await?;
        unit.commit().await
    }

    pub async fn me(&self, ctx: &Ctx) -> ApiResult<Me> {
        let mut tx = self.read(ctx).await?;
        let memberships = tx.memberships(ctx.user.id).await?.into_iter().map(|(workspace, role)| Membership { workspace, role }).collect();
        let mut invitations = Vec::new();
        for i in tx.invitations_for_email(&ctx.user.email).await?.into_iter().filter(|i| i.status(ctx.now) == InvitationStatus::Pending) {
            // An invitee may read the workspace that invited them, and the inviter's account.
            let Some(ws) = tx.workspace(i.workspace_id).await? else { continue };
            let inviter = tx.user(i.invited_by).await?;
            invitations.push(InvitationOffer {
                workspace_name: ws.name.to_string(),
                workspace_slug: ws.slug.to_string(),
                invited_by_name: inviter.as_ref().map(|u| u.display_name.clone()).unwrap_or_default(),
                invited_by_email: inviter.map(|u| u.email.to_string()).unwrap_or_default(),
                roles: i.offered_roles.clone(),
                contact_of_name: i.contact_of.as_ref().map(|(_, n)| n.clone()),
                invitation: i.public(ctx.now),
            });
        }
        let user = tx.user(ctx.user.id).await?.unwrap_or_else(|| ctx.user.clone()).public();
        Ok(Me { user, memberships, invitations })
    }

    pub async fn totp_enrol(&self, ctx: &Ctx) -> ApiResult<TotpEnrolment> {
        let mut unit = self.unit(ctx).await?;
        let mut user = unit.tx.user(ctx.user.id).await?.ok_or_else(ApiError::internal)?;
        if user.totp_enabled {
            return Err(ApiError::conflict("Two-factor authentication is already on for this account. Ask an admin to reset it if you need to enrol a new device."));
        }
        let secret = credentials::new_totp_secret();
        user.totp_secret = Some(secret.clone());
        unit.tx.update_user(&user).await?;
        unit.audit(None, AuditAction::UserTwoFactorEnrol, user.id, NONE, NONE).await?;
        unit.commit().await?;
        let otpauth_url = credentials::totp_url(&secret, user.email.as_str());
        Ok(TotpEnrolment { secret, otpauth_url })
    }

    pub async fn totp_verify(&self, ctx: &Ctx, code: &str) -> ApiResult<User> {
        let mut unit = self.unit(ctx).await?;
        let mut user = unit.tx.user(ctx.user.id).await?.ok_or_else(ApiError::internal)?;
        if user.totp_enabled {
            return Err(ApiError::conflict("Two-factor authentication is already on for this account."));
        }
        let Some(secret) = user.totp_secret.clone() else {
            return Err(ApiError::conflict("Start enrolment first with POST /v1/me/2fa/enrol, then verify a code from the app."));
        };
        if !credentials::totp_check(&secret, code) {
            return Err(ApiError::new(ProblemKind::TotpInvalid, "That code does not match. Check the time on your device and type the current 6-digit code."));
        }
        user.totp_enabled = true;
        unit.tx.update_user(&user).await?;
        self.fan_out_member_changes(&mut unit, &user).await?;
        unit.audit(None, AuditAction::UserTwoFactorEnable, user.id, NONE, Some(&user.public())).await?;
        unit.commit().await?;
        Ok(user.public())
    }

    /// A user-level change (2FA state) shows in every workspace's member list they are in —
    /// soft-deleted workspaces included, whose members still follow them in the feed and see
    /// them again when they are restored.
    /// The caller may be another user (an admin resetting 2FA): the fan-out acts for the user
    /// it concerns, whose workspaces the caller need not share, then for the caller again.
    pub(crate) async fn fan_out_member_changes(&self, unit: &mut Unit, user: &UserRecord) -> ApiResult<()> {
        unit.tx.act_for(Some(user.id)).await?;
        for ws in unit.tx.member_workspaces(user.id).await? {
            if let Some(m) = unit.tx.member(ws, user.id).await? {
                unit.change(Some(ws), EntityKind::Member, MemberKey::of(&m), Some(&m), Some(user.id), None).await?;
            }
        }
        unit.tx.act_for(unit.actor).await?;
        Ok(())
    }
}
