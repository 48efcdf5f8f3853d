//! What a community is fed by and lets in: API keys (secrets stored as hashes), intakes, daily alert volumes.
//!
//! The trait says what a transaction can do here; `impl_keys_rows!` implements it once for both
//! SQL stores with the same SQL text (see `sql.rs`).

use super::rows::*;
use super::*;

pub(crate) fn api_key_row(r: &impl Cols) -> R<ApiKey> {
    Ok(ApiKey {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        community_id: parse(r, "community_id")?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        prefix: r.text("prefix")?,
        role_ids: json(r, "role_ids")?,
        created_by: parse(r, "created_by")?,
        created_at: t(r, "created_at")?,
        expires_at: t_opt(r, "expires_at")?,
        last_used_at: t_opt(r, "last_used_at")?,
        revoked_at: t_opt(r, "revoked_at")?,
    })
}

pub(crate) fn intake_row(r: &impl Cols) -> R<Intake> {
    Ok(Intake {
        id: parse(r, "id")?,
        workspace_id: parse(r, "workspace_id")?,
        community_id: parse(r, "community_id")?,
        name: Name::parse(&r.text("name")?).map_err(corrupt)?,
        kind: parse(r, "kind")?,
        created_at: t(r, "created_at")?,
    })
}

#[async_trait]
pub trait KeyRows: Send {
    async fn api_key(&mut self, ws: WorkspaceId, id: ApiKeyId) -> R<Option<ApiKey>>;
    /// The key and its secret hash, by the public prefix.
    async fn api_key_by_prefix(&mut self, prefix: &str) -> R<Option<(ApiKey, String)>>;
    async fn api_keys(&mut self, ws: WorkspaceId, community: CommunityId, after_id: Option<ApiKeyId>, limit: u32) -> R<Vec<ApiKey>>;
    async fn insert_api_key(&mut self, k: &ApiKey, secret_hash: &str) -> R<()>;
    async fn update_api_key(&mut self, k: &ApiKey) -> R<()>;
    async fn intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<Option<Intake>>;
    async fn intakes(&mut self, ws: WorkspaceId, community: CommunityId) -> R<Vec<Intake>>;
    async fn insert_intake(&mut self, i: &Intake) -> R<()>;
    async fn update_intake(&mut self, i: &Intake) -> R<()>;
    async fn delete_intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<()>;
    /// One community's daily volumes, or every community's (`None`), by community then day.
    /// ... as the JSON array of [`AlertVolume`]s the API sends, written by the database.
    async fn alert_volumes_json(&mut self, ws: WorkspaceId, community: Option<CommunityId>, from: NaiveDate, to: NaiveDate) -> R<String>;
    async fn insert_alert_volumes(&mut self, ws: WorkspaceId, v: &[AlertVolume]) -> R<()>;
}

/// Implements [`KeyRows`] for a store's transaction type (see `impl_sql_tx!`).
macro_rules! impl_keys_rows {
    ($tx:ty) => {
        #[async_trait]
        impl KeyRows for $tx {
            async fn api_key(&mut self, ws: WorkspaceId, id: ApiKeyId) -> R<Option<ApiKey>> {
                self.one(q!("SELECT * FROM api_keys WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), api_key_row).await
            }
            async fn api_key_by_prefix(&mut self, prefix: &str) -> R<Option<(ApiKey, String)>> {
                self.one(q!("SELECT * FROM api_keys WHERE prefix = $1", prefix), |r| Ok((api_key_row(r)?, r.text("secret_hash")?))).await
            }
            async fn api_keys(&mut self, ws: WorkspaceId, community: CommunityId, after_id: Option<ApiKeyId>, limit: u32) -> R<Vec<ApiKey>> {
                self.all(
                    q!(
                        "SELECT * FROM api_keys WHERE workspace_id = $1 AND community_id = $2 AND ($3 IS NULL OR id > $3) ORDER BY id LIMIT $4",
                        ws.to_string(), community.to_string(), after_id.map(|a| a.to_string()), limit as i64
                    ),
                    api_key_row,
                )
                .await
            }
            async fn insert_api_key(&mut self, k: &ApiKey, secret_hash: &str) -> R<()> {
                self.exec(q!(
                    "INSERT INTO api_keys (id, workspace_id, community_id, name, prefix, secret_hash, role_ids, created_by, created_at, expires_at, last_used_at, revoked_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12)",
                    k.id.to_string(), k.workspace_id.to_string(), k.community_id.to_string(), k.name.as_str(), &k.prefix, secret_hash, to_json(&k.role_ids),
                    k.created_by.to_string(), ms(k.created_at), opt_ms(k.expires_at), opt_ms(k.last_used_at), opt_ms(k.revoked_at)
                )).await?;
                Ok(())
            }
            async fn update_api_key(&mut self, k: &ApiKey) -> R<()> {
                self.exec(q!(
                    "UPDATE api_keys SET name = $1, last_used_at = $2, revoked_at = $3 WHERE workspace_id = $4 AND id = $5",
                    k.name.as_str(), opt_ms(k.last_used_at), opt_ms(k.revoked_at), k.workspace_id.to_string(), k.id.to_string()
                )).await?;
                Ok(())
            }
            async fn intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<Option<Intake>> {
                self.one(q!("SELECT * FROM intakes WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string()), intake_row).await
            }
            async fn intakes(&mut self, ws: WorkspaceId, community: CommunityId) -> R<Vec<Intake>> {
                self.all(q!("SELECT * FROM intakes WHERE workspace_id = $1 AND community_id = $2 ORDER BY name", ws.to_string(), community.to_string()), intake_row).await
            }
            async fn insert_intake(&mut self, i: &Intake) -> R<()> {
                self.exec(q!(
                    "INSERT INTO intakes (id, workspace_id, community_id, name, kind, created_at) VALUES ($1,$2,$3,$4,$5,$6)",
                    i.id.to_string(), i.workspace_id.to_string(), i.community_id.to_string(), i.name.as_str(), i.kind.as_str(), ms(i.created_at)
                )).await?;
                Ok(())
            }
            async fn update_intake(&mut self, i: &Intake) -> R<()> {
                self.exec(q!("UPDATE intakes SET name = $1 WHERE workspace_id = $2 AND id = $3", i.name.as_str(), i.workspace_id.to_string(), i.id.to_string())).await?;
                Ok(())
            }
            async fn delete_intake(&mut self, ws: WorkspaceId, id: IntakeId) -> R<()> {
                self.exec(q!("DELETE FROM intakes WHERE workspace_id = $1 AND id = $2", ws.to_string(), id.to_string())).await?;
                Ok(())
            }
            async fn alert_volumes_json(&mut self, ws: WorkspaceId, community: Option<CommunityId>, from: NaiveDate, to: NaiveDate) -> R<String> {
                // 90,000 rows for a large MSSP's 90 days: written as JSON by the database (read
                // into typed rows and serialised again, they cost 200 ms of CPU per answer).
                let row = q!(
                    "SELECT '[' || COALESCE(string_agg(format('{\"community_id\":\"%s\",\"day\":\"%s\",\"alerts\":%s}', community_id, day, alerts), ',' ORDER BY community_id, day), '') || ']' \
                     FROM alert_volumes WHERE workspace_id = $1 AND ($2 IS NULL OR community_id = $2) AND day >= $3 AND day <= $4",
                    ws.to_string(), community.map(|c| c.to_string()), from.to_string(), to.to_string()
                )
                .fetch_one(&mut *self.tx)
                .await?;
                Ok(row.try_get::<String, _>(0)?)
            }
            async fn insert_alert_volumes(&mut self, ws: WorkspaceId, v: &[AlertVolume]) -> R<()> {
                let w = ws.to_string();
                for a in v {
                    self.exec(q!(
                        "INSERT INTO alert_volumes (workspace_id, community_id, day, alerts) VALUES ($1,$2,$3,$4) ON CONFLICT (community_id, day) DO UPDATE SET alerts = excluded.alerts",
                        &w, a.community_id.to_string(), a.day.to_string(), a.alerts as i64
                    ))
                    .await?;
                }
                Ok(())
            }
        }
    };
}
