//! Accounts and sign-in sessions: users, their refresh and access tokens (stored as hashes), and revoking them.
//!
//! The trait says what a transaction can do here; `impl_sessions_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::rows::*;
use super::*;

#[derive(Clone, Debug)]
pub struct UserRecord {
    pub id: UserId,
    pub email: Email,
    pub display_name: String,
    pub password_hash: String,
    pub totp_secret: Option<String>,
    pub totp_enabled: bool,
    pub platform_admin: bool,
    pub free_limit_lifted: bool,
    pub created_at: DateTime<Utc>,
}

impl UserRecord {
    pub fn public(&self) -> User {
        User {
            id: self.id,
            email: self.email.clone(),
            display_name: self.display_name.clone(),
            two_factor_enabled: self.totp_enabled,
            platform_admin: self.platform_admin,
            created_at: self.created_at,
        }
    }
}

#[derive(Clone, Debug)]
pub struct RefreshTokenRecord {
    pub token_hash: String,
    pub family_id: Uuid,
    pub user_id: UserId,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
    pub used_at: Option<DateTime<Utc>>,
    pub revoked_at: Option<DateTime<Utc>>,
}

#[derive(Clone, Debug)]
pub struct AccessTokenRecord {
    pub token_hash: String,
    pub family_id: Uuid,
    pub user_id: UserId,
    pub expires_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
}

pub(crate) fn user_row(r: &impl Cols) -> R<UserRecord> {
    Ok(UserRecord {
        id: parse(r, "id")?,
        email: Email::parse(&r.text("email")?).map_err(corrupt)?,
        display_name: r.text("display_name")?,
        password_hash: r.text("password_hash")?,
        totp_secret: r.text_opt("totp_secret")?,
        totp_enabled: r.flag("totp_enabled")?,
        platform_admin: r.flag("platform_admin")?,
        free_limit_lifted: r.flag("free_limit_lifted")?,
        created_at: t(r, "created_at")?,
    })
}

pub(crate) fn refresh_row(r: &impl Cols) -> R<RefreshTokenRecord> {
    Ok(RefreshTokenRecord {
        token_hash: r.text("token_hash")?,
        family_id: parse(r, "family_id")?,
        user_id: parse(r, "user_id")?,
        created_at: t(r, "created_at")?,
        expires_at: t(r, "expires_at")?,
        used_at: t_opt(r, "used_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
    })
}

#[async_trait]
pub trait SessionRows: Send {
    async fn user(&mut self, id: UserId) -> R<Option<UserRecord>>;
    async fn user_by_email(&mut self, email: &str) -> R<Option<UserRecord>>;
    async fn insert_user(&mut self, u: &UserRecord) -> R<()>;
    async fn update_user(&mut self, u: &UserRecord) -> R<()>;
    async fn insert_refresh_token(&mut self, t: &RefreshTokenRecord) -> R<()>;
    async fn refresh_token(&mut self, hash: &str) -> R<Option<RefreshTokenRecord>>;
    async fn mark_refresh_token_used(&mut self, hash: &str, at: DateTime<Utc>) -> R<()>;
    async fn insert_access_token(&mut self, t: &AccessTokenRecord) -> R<()>;
    async fn access_token(&mut self, hash: &str) -> R<Option<AccessTokenRecord>>;
    /// The access token with this hash and its user, in one query. On PostgreSQL the same
    /// query makes the transaction act for that user when the token is live at `now` (neither
    /// revoked nor expired), so that a signed-in request's transaction needs no second round
    /// trip to set it; a dead token's transaction acts for nobody.
    async fn access_token_user(&mut self, hash: &str, now: DateTime<Utc>) -> R<Option<(AccessTokenRecord, UserRecord)>>;
    async fn revoke_family(&mut self, family: Uuid, at: DateTime<Utc>) -> R<()>;
    async fn revoke_user_sessions(&mut self, user: UserId, at: DateTime<Utc>) -> R<()>;
}

/// Implements [`SessionRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_sessions_rows {
    ($tx:ty) => {
        #[async_trait]
        impl SessionRows for $tx {
            async fn user(&mut self, id: UserId) -> R<Option<UserRecord>> {
                self.one(q!("SELECT * FROM users WHERE id = $1", id.to_string()), user_row).await
            }
            async fn user_by_email(&mut self, email: &str) -> R<Option<UserRecord>> {
                self.one(q!("SELECT * FROM users WHERE email = $1", email.trim().to_ascii_lowercase()), user_row).await
            }
            async fn insert_user(&mut self, u: &UserRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO users (id, email, display_name, password_hash, totp_secret, totp_enabled, platform_admin, free_limit_lifted, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)",
                    u.id.to_string(), u.email.as_str(), &u.display_name, &u.password_hash, &u.totp_secret, u.totp_enabled, u.platform_admin, u.free_limit_lifted, ms(u.created_at)
                )).await?;
                Ok(())
            }
            async fn update_user(&mut self, u: &UserRecord) -> R<()> {
                self.exec(q!(
                    "UPDATE users SET display_name = $1, password_hash = $2, totp_secret = $3, totp_enabled = $4, platform_admin = $5, free_limit_lifted = $6 WHERE id = $7",
                    &u.display_name, &u.password_hash, &u.totp_secret, u.totp_enabled, u.platform_admin, u.free_limit_lifted, u.id.to_string()
                )).await?;
                Ok(())
            }
            async fn insert_refresh_token(&mut self, t: &RefreshTokenRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at, used_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7)",
                    &t.token_hash, t.family_id.to_string(), t.user_id.to_string(), ms(t.created_at), ms(t.expires_at), opt_ms(t.used_at), opt_ms(t.revoked_at)
                )).await?;
                Ok(())
            }
            async fn refresh_token(&mut self, hash: &str) -> R<Option<RefreshTokenRecord>> {
                // Locked in a write (a refresh): of two refreshes with one token, the second
                // waits and then finds it used — reuse, which ends the session.
                self.one(q!(&format!("SELECT * FROM refresh_tokens WHERE token_hash = $1{}", self.lock_clause()), hash), refresh_row).await
            }
            async fn mark_refresh_token_used(&mut self, hash: &str, at: DateTime<Utc>) -> R<()> {
                self.exec(q!("UPDATE refresh_tokens SET used_at = $1 WHERE token_hash = $2", ms(at), hash)).await?;
                Ok(())
            }
            async fn insert_access_token(&mut self, t: &AccessTokenRecord) -> R<()> {
                self.exec(q!(
                    "INSERT INTO access_tokens (token_hash, family_id, user_id, expires_at, revoked_at) VALUES ($1,$2,$3,$4,$5)",
                    &t.token_hash, t.family_id.to_string(), t.user_id.to_string(), ms(t.expires_at), opt_ms(t.revoked_at)
                )).await?;
                Ok(())
            }
            async fn access_token(&mut self, hash: &str) -> R<Option<AccessTokenRecord>> {
                self.one(q!("SELECT * FROM access_tokens WHERE token_hash = $1", hash), |r| {
                    Ok(AccessTokenRecord {
                        token_hash: r.text("token_hash")?,
                        family_id: parse(r, "family_id")?,
                        user_id: parse(r, "user_id")?,
                        expires_at: t(r, "expires_at")?,
                        revoked_at: t_opt(r, "revoked_at")?,
                    })
                })
                .await
            }
            async fn access_token_user(&mut self, hash: &str, now: DateTime<Utc>) -> R<Option<(AccessTokenRecord, UserRecord)>> {
                let acting = act_as("CASE WHEN t.revoked_at IS NULL AND t.expires_at > $2 THEN t.user_id ELSE '' END");
                let sql = format!(
                    "SELECT u.*, t.token_hash AS token_hash, t.family_id AS token_family_id, t.expires_at AS token_expires_at, t.revoked_at AS token_revoked_at, {acting} AS acting \
                     FROM access_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1"
                );
                self.one(q!(&sql, hash, ms(now)), |r| {
                    let user = user_row(r)?;
                    let token = AccessTokenRecord {
                        token_hash: r.text("token_hash")?,
                        family_id: parse(r, "token_family_id")?,
                        user_id: user.id,
                        expires_at: t(r, "token_expires_at")?,
                        revoked_at: t_opt(r, "token_revoked_at")?,
                    };
                    Ok((token, user))
                })
                .await
            }
            async fn revoke_family(&mut self, family: Uuid, at: DateTime<Utc>) -> R<()> {
                let f = family.to_string();
                self.exec(q!("UPDATE refresh_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL", ms(at), &f)).await?;
                self.exec(q!("UPDATE access_tokens SET revoked_at = $1 WHERE family_id = $2 AND revoked_at IS NULL", ms(at), &f)).await?;
                Ok(())
            }
            async fn revoke_user_sessions(&mut self, user: UserId, at: DateTime<Utc>) -> R<()> {
                let u = user.to_string();
                self.exec(q!("UPDATE refresh_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", ms(at), &u)).await?;
                self.exec(q!("UPDATE access_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL", ms(at), &u)).await?;
                Ok(())
            }
        }
    };
}
