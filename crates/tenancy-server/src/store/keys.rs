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

/// Which alert volumes a read covers: communities read whole (their daily totals), and
/// communities read for some intakes only (the sum over those).
#[derive(Clone, Debug, Default)]
pub struct VolumeScope {
    /// `None`: every community of the workspace.
    pub whole: Option<Vec<CommunityId>>,
    pub narrowed: Vec<(CommunityId, Vec<IntakeId>)>,
}

/// One intake's alerts on one day (what the platform records; community totals are sums).
#[derive(Clone, Debug)]
pub struct IntakeVolume {
    pub community_id: CommunityId,
    pub intake_id: IntakeId,
    pub day: NaiveDate,
    pub alerts: u32,
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
    /// The daily volumes `scope` covers, by community then day, as the JSON array of
    /// [`AlertVolume`]s the API sends, written by the database.
    async fn alert_volumes_json(&mut self, ws: WorkspaceId, scope: &VolumeScope, from: NaiveDate, to: NaiveDate) -> R<String>;
    /// Per-intake volumes, and each community's daily totals from them.
    async fn insert_intake_volumes(&mut self, ws: WorkspaceId, v: &[IntakeVolume]) -> R<()>;
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
                // One text per shape, read in order from `api_keys_community_id`.
                let mut sql = Sql::new("SELECT * FROM api_keys WHERE workspace_id = ");
                let w = sql.arg(ws.to_string());
                let c = sql.arg(community.to_string());
                sql.text += &format!("{w} AND community_id = {c}");
                if let Some(a) = after_id {
                    let p = sql.arg(a.to_string());
                    sql.text += &format!(" AND id > {p}");
                }
                let l = sql.arg(limit as i64);
                sql.text += &format!(" ORDER BY id LIMIT {l}");
                self.all(Self::built(&sql), api_key_row).await
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
            async fn alert_volumes_json(&mut self, ws: WorkspaceId, scope: &VolumeScope, from: NaiveDate, to: NaiveDate) -> R<String> {
                // 90,000 rows for a large MSSP's 90 days: written as JSON by the database (read
                // into typed rows and serialised again, they cost 200 ms of CPU per answer).
                let mut sql = Sql::new("");
                let (w, f, t) = (sql.arg(ws.to_string()), sql.arg(from.to_string()), sql.arg(to.to_string()));
                let mut arms = vec![format!("SELECT community_id, day, alerts FROM alert_volumes WHERE workspace_id = {w} AND day >= {f} AND day <= {t}")];
                if let Some(ids) = &scope.whole {
                    let list = sql.list(ids.iter().map(|c| c.to_string()));
                    arms[0] += &format!(" AND community_id IN ({list})");
                }
                for (c, intakes) in &scope.narrowed {
                    let (c, list) = (sql.arg(c.to_string()), sql.list(intakes.iter().map(|i| i.to_string())));
                    arms.push(format!(
                        "SELECT community_id, day, SUM(alerts) AS alerts FROM intake_volumes WHERE community_id = {c} AND intake_id IN ({list}) AND day >= {f} AND day <= {t} GROUP BY community_id, day"
                    ));
                }
                sql.text = format!(
                    "SELECT '[' || COALESCE(string_agg(format('{{\"community_id\":\"%s\",\"day\":\"%s\",\"alerts\":%s}}', community_id, day, alerts), ',' ORDER BY community_id, day), '') || ']' FROM ({}) v",
                    arms.join(" UNION ALL ")
                );
                let row = Self::built(&sql).fetch_one(&mut *self.tx).await?;
                Ok(row.try_get::<String, _>(0)?)
            }
            async fn insert_intake_volumes(&mut self, ws: WorkspaceId, v: &[IntakeVolume]) -> R<()> {
                // Whole days of whole communities at a time (the seeder's): many rows per statement.
                let w = ws.to_string();
                let mut totals: std::collections::BTreeMap<(CommunityId, NaiveDate), i64> = Default::default();
                for chunk in v.chunks(150) {
                    let mut sql = Sql::new("INSERT INTO intake_volumes (workspace_id, community_id, intake_id, day, alerts) VALUES ");
                    let rows: Vec<String> = chunk
                        .iter()
                        .map(|a| {
                            *totals.entry((a.community_id, a.day)).or_default() += a.alerts as i64;
                            let p = [sql.arg(w.as_str()), sql.arg(a.community_id.to_string()), sql.arg(a.intake_id.to_string()), sql.arg(a.day.to_string()), sql.arg(a.alerts as i64)];
                            format!("({})", p.join(","))
                        })
                        .collect();
                    sql.text += &rows.join(",");
                    sql.text += " ON CONFLICT (community_id, intake_id, day) DO UPDATE SET alerts = excluded.alerts";
                    Self::built(&sql).execute(&mut *self.tx).await?;
                }
                let totals: Vec<_> = totals.into_iter().collect();
                for chunk in totals.chunks(200) {
                    let mut sql = Sql::new("INSERT INTO alert_volumes (workspace_id, community_id, day, alerts) VALUES ");
                    let rows: Vec<String> = chunk
                        .iter()
                        .map(|((c, day), alerts)| {
                            let p = [sql.arg(w.as_str()), sql.arg(c.to_string()), sql.arg(day.to_string()), sql.arg(*alerts)];
                            format!("({})", p.join(","))
                        })
                        .collect();
                    sql.text += &rows.join(",");
                    sql.text += " ON CONFLICT (community_id, day) DO UPDATE SET alerts = excluded.alerts";
                    Self::built(&sql).execute(&mut *self.tx).await?;
                }
                Ok(())
            }
        }
    };
}
