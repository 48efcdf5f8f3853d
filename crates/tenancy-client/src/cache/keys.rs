//! The mirror numbers every id it stores (workspaces, communities, people, roles) in the `keys`
//! table, so the assignments, hundreds of thousands of rows, hold four small integers instead of
//! four uuids. This is that numbering: what a cache has committed, and what one transaction adds.

use super::CHUNK;
use crate::error::Result;
use sqlx::{QueryBuilder, Row, Sqlite, SqliteConnection};
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A map keyed by the ids of the feed, hashed the cheap way: a full sync looks up the four ids
/// of each of 200,000 assignments several times, and the standard hasher (built to resist
/// flooding by hostile keys, which these ids from the user's own server are not) was a visible
/// part of applying them.
pub type IdMap<K, V> = HashMap<K, V, BuildHasherDefault<IdHasher>>;
/// The set beside [`IdMap`].
pub type IdSet<K> = std::collections::HashSet<K, BuildHasherDefault<IdHasher>>;

/// The multiply-rotate hash of the Rust compiler's own tables ("FxHash"), eight bytes at a time.
#[derive(Default, Clone, Copy)]
pub struct IdHasher(u64);

impl IdHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
}

impl Hasher for IdHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut words = bytes.chunks_exact(8);
        for w in &mut words {
            self.add(u64::from_le_bytes(w.try_into().expect("eight bytes")));
        }
        let tail = words.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(i as u64);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_i64(&mut self, i: i64) {
        self.add(i as u64);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// The numbers of the ids in `keys` that a cache has committed, read once from the table and
/// kept up to date by the transactions that write it (which hold them while they run).
#[derive(Default)]
pub struct KnownKeys {
    loaded: bool,
    map: IdMap<String, i64>,
}

impl KnownKeys {
    /// Reads the table the first time; after that the map is the table.
    pub async fn load(&mut self, tx: &mut SqliteConnection) -> Result<()> {
        if !self.loaded {
            let rows: Vec<(String, i64)> = sqlx::query_as("SELECT id, k FROM keys").fetch_all(&mut *tx).await?;
            self.map = rows.into_iter().collect();
            self.loaded = true;
        }
        Ok(())
    }
    /// After a commit: the numbers that transaction gave.
    pub fn extend(&mut self, new: IdMap<String, i64>) {
        self.map.extend(new);
    }
    /// After a commit that dropped numbers: read the table again next time.
    pub fn reload(&mut self) {
        self.map.clear();
        self.loaded = false;
    }
    /// After a commit that emptied `keys` (and gave `new`).
    pub fn replace(&mut self, new: IdMap<String, i64>) {
        self.map = new;
        self.loaded = true;
    }
}

/// The numbers of ids during one transaction: those committed before it, and those it gives.
pub struct Keys<'a> {
    known: &'a IdMap<String, i64>,
    new: IdMap<String, i64>,
}

impl<'a> Keys<'a> {
    pub fn new(known: &'a KnownKeys) -> Self {
        Keys { known: &known.map, new: IdMap::default() }
    }
    /// For a transaction that starts from an empty `keys` table.
    pub fn empty() -> Keys<'static> {
        static EMPTY: std::sync::OnceLock<IdMap<String, i64>> = std::sync::OnceLock::new();
        Keys { known: EMPTY.get_or_init(IdMap::default), new: IdMap::default() }
    }
    pub fn get(&self, id: &str) -> Option<i64> {
        self.known.get(id).or_else(|| self.new.get(id)).copied()
    }
    /// The numbers this transaction gave, to keep once it commits.
    pub fn into_new(self) -> IdMap<String, i64> {
        self.new
    }
}

/// Numbers the `ids` not numbered yet, in the order given (so two caches fed the same changes
/// number them alike). Only ids new to the cache reach SQLite: a full sync refers to the same
/// 20,000 people and 1,000 communities in batch after batch.
pub async fn intern(tx: &mut SqliteConnection, ids: &[&str], keys: &mut Keys<'_>) -> Result<()> {
    let fresh: Vec<&str> = ids.iter().copied().filter(|id| keys.get(id).is_none()).collect();
    for chunk in fresh.chunks(CHUNK) {
        let mut qb = QueryBuilder::<Sqlite>::new("INSERT INTO keys (id) ");
        qb.push_values(chunk, |mut row, id| {
            row.push_bind(*id);
        });
        qb.push(" ON CONFLICT (id) DO NOTHING RETURNING id, k");
        for r in qb.build().fetch_all(&mut *tx).await? {
            keys.new.insert(r.get::<String, _>(0), r.get::<i64, _>(1));
        }
        // Numbered already though not known here (were the table written some other way).
        let missing: Vec<&str> = chunk.iter().copied().filter(|id| !keys.new.contains_key(*id)).collect();
        if !missing.is_empty() {
            let mut qb = QueryBuilder::<Sqlite>::new("SELECT id, k FROM keys WHERE id IN (");
            let mut sep = qb.separated(", ");
            for id in &missing {
                sep.push_bind(*id);
            }
            qb.push(")");
            for r in qb.build().fetch_all(&mut *tx).await? {
                keys.new.insert(r.get::<String, _>(0), r.get::<i64, _>(1));
            }
        }
    }
    Ok(())
}
