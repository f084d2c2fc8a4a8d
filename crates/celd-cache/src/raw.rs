//! [`RawIndex`]: the exact text of an expression (and its environment) to the program it
//! compiled, so a repeated text is found before any parsing.

use std::hash::BuildHasher;
use std::sync::atomic::{AtomicU64, Ordering};

/// Bytes of one slot: a tag and the 128-bit program key hash.
const SLOT_BYTES: u64 = 24;

/// The index takes about this fraction of the cache's budget (a power of two of slots).
const BUDGET_FRACTION: u64 = 64;
const MIN_SLOTS: u64 = 64;
const MAX_SLOTS: u64 = 1 << 16;

/// A direct-mapped table from a hash of (environment id, text) to the key hash of the
/// program compiled from that very text. It holds no program: a lookup goes through the
/// cache, and the entry found is compared with the text, so a collision, a torn slot or an
/// evicted program is a miss, never a wrong program. Its fixed size is taken from the budget.
pub(crate) struct RawIndex {
    slots: Box<[[AtomicU64; 3]]>,
    seed: foldhash::fast::RandomState,
}

impl RawIndex {
    pub fn for_budget(max_bytes: u64) -> RawIndex {
        let wanted = (max_bytes / BUDGET_FRACTION / SLOT_BYTES).clamp(MIN_SLOTS, MAX_SLOTS);
        let count = wanted.next_power_of_two().min(MAX_SLOTS) as usize;
        RawIndex {
            slots: (0..count).map(|_| Default::default()).collect(),
            seed: Default::default(),
        }
    }

    /// Bytes the table holds, charged against the budget.
    pub fn bytes(&self) -> u64 {
        self.slots.len() as u64 * SLOT_BYTES + 16
    }

    fn slot_and_tag(&self, env_id: u64, text: &str) -> (&[AtomicU64; 3], u64) {
        let hash = self.seed.hash_one((env_id, text));
        let slot = &self.slots[(hash as usize) & (self.slots.len() - 1)];
        // Tag 0 marks an empty slot.
        (slot, hash | 1)
    }

    /// The key hash recorded for `text` in the environment `env_id`, if any.
    pub fn get(&self, env_id: u64, text: &str) -> Option<u128> {
        let (slot, tag) = self.slot_and_tag(env_id, text);
        if slot[0].load(Ordering::Acquire) != tag {
            return None;
        }
        let high = slot[1].load(Ordering::Relaxed);
        let low = slot[2].load(Ordering::Relaxed);
        Some((u128::from(high) << 64) | u128::from(low))
    }

    /// Records that `text` in `env_id` compiled the program under `key_hash`.
    pub fn record(&self, env_id: u64, text: &str, key_hash: u128) {
        let (slot, tag) = self.slot_and_tag(env_id, text);
        slot[0].store(0, Ordering::Relaxed);
        slot[1].store((key_hash >> 64) as u64, Ordering::Relaxed);
        slot[2].store(key_hash as u64, Ordering::Relaxed);
        slot[0].store(tag, Ordering::Release);
    }
}
