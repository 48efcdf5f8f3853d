//! What the system tests share to check their results: a seeded PRNG (runs print their seed
//! and replay with it) and JSON compared without regard to order.

use serde_json::Value;
use std::time::Duration;

// ---------- a small deterministic PRNG (xorshift64*) ----------

pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        Rng((z ^ (z >> 31)) | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    /// A duration in `[0, max)`.
    pub fn within(&mut self, max: Duration) -> Duration {
        Duration::from_micros(self.below(max.as_micros().max(1) as u64))
    }
}

/// The value with every array sorted (by its elements' JSON): order never matters.
pub fn canon(v: Value) -> Value {
    match v {
        Value::Array(a) => {
            let mut items: Vec<Value> = a.into_iter().map(canon).collect();
            items.sort_by_cached_key(|i| i.to_string());
            Value::Array(items)
        }
        Value::Object(o) => Value::Object(o.into_iter().map(|(k, v)| (k, canon(v))).collect()),
        v => v,
    }
}
