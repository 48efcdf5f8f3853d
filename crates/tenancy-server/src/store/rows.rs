//! Reading rows of either database: the typed columns the decoders read, and the conversions
//! both stores share (ids as text, times as Unix milliseconds, lists as JSON text).

use super::*;
use sqlx::Row;
use std::str::FromStr;

/// The typed columns the row decoders read, from either database's rows.
pub(crate) trait Cols {
    fn text(&self, col: &str) -> R<String>;
    fn text_opt(&self, col: &str) -> R<Option<String>>;
    fn int(&self, col: &str) -> R<i64>;
    fn int_opt(&self, col: &str) -> R<Option<i64>>;
    fn flag(&self, col: &str) -> R<bool>;
}

macro_rules! cols_for {
    ($row:ty) => {
        impl Cols for $row {
            fn text(&self, col: &str) -> R<String> {
                Ok(self.try_get(col)?)
            }
            fn text_opt(&self, col: &str) -> R<Option<String>> {
                Ok(self.try_get(col)?)
            }
            fn int(&self, col: &str) -> R<i64> {
                Ok(self.try_get(col)?)
            }
            fn int_opt(&self, col: &str) -> R<Option<i64>> {
                Ok(self.try_get(col)?)
            }
            fn flag(&self, col: &str) -> R<bool> {
                Ok(self.try_get(col)?)
            }
        }
    };
}
cols_for!(sqlx::sqlite::SqliteRow);
cols_for!(sqlx::postgres::PgRow);

// ---------- conversions ----------

pub(crate) fn ms(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}
pub(crate) fn opt_ms(t: Option<DateTime<Utc>>) -> Option<i64> {
    t.map(ms)
}
pub(crate) fn time(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(v).unwrap_or_default()
}
pub(crate) fn corrupt(what: impl std::fmt::Display) -> StoreError {
    StoreError::Corrupt(what.to_string())
}
pub(crate) fn parse<T: FromStr>(row: &impl Cols, col: &str) -> R<T>
where
    T::Err: std::fmt::Display,
{
    let s = row.text(col)?;
    s.parse().map_err(|e: T::Err| corrupt(format!("{col}: {e}")))
}
pub(crate) fn parse_opt<T: FromStr>(row: &impl Cols, col: &str) -> R<Option<T>>
where
    T::Err: std::fmt::Display,
{
    let s = row.text_opt(col)?;
    s.map(|s| s.parse().map_err(|e: T::Err| corrupt(format!("{col}: {e}")))).transpose()
}
pub(crate) fn json<T: serde::de::DeserializeOwned>(row: &impl Cols, col: &str) -> R<T> {
    let s = row.text(col)?;
    serde_json::from_str(&s).map_err(|e| corrupt(format!("{col}: {e}")))
}
pub(crate) fn t(row: &impl Cols, col: &str) -> R<DateTime<Utc>> {
    Ok(time(row.int(col)?))
}
pub(crate) fn t_opt(row: &impl Cols, col: &str) -> R<Option<DateTime<Utc>>> {
    Ok(row.int_opt(col)?.map(time))
}
pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).expect("serialisable")
}
pub(crate) fn uniq(e: sqlx::Error) -> StoreError {
    match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            // PostgreSQL names the constraint; SQLite names the columns in its message.
            StoreError::Unique(d.constraint().map(str::to_owned).unwrap_or_else(|| d.message().trim_start_matches("UNIQUE constraint failed: ").to_owned()))
        }
        _ => StoreError::Database(e),
    }
}
pub(crate) fn u32_of(v: i64) -> u32 {
    u32::try_from(v).unwrap_or(u32::MAX)
}
