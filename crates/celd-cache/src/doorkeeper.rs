//! [`Doorkeeper`]: admits a template into a full cache only on its second sighting, so a
//! flood of one-off expressions cannot evict programs that are in use.

use std::sync::atomic::{AtomicU64, Ordering};

/// How many template hashes the doorkeeper remembers (a fixed 32 KiB, outside the budget).
pub(crate) const DOORKEEPER_SLOTS: usize = 4096;

/// A direct-mapped table of recently seen template hashes: slot by the low bits, tag by the
/// high 64 bits. A collision forgets the older hash, which only costs that template one more
/// uncached compilation.
pub(crate) struct Doorkeeper {
    slots: Box<[AtomicU64]>,
}

impl Default for Doorkeeper {
    fn default() -> Self {
        Doorkeeper {
            slots: (0..DOORKEEPER_SLOTS).map(|_| AtomicU64::new(0)).collect(),
        }
    }
}

impl Doorkeeper {
    /// Whether `hash` was seen before; remembers it either way.
    pub fn seen_before(&self, hash: u128) -> bool {
        let slot = &self.slots[(hash as usize) % DOORKEEPER_SLOTS];
        // Tag 0 marks an empty slot, so a tag is never 0.
        let tag = ((hash >> 64) as u64) | 1;
        slot.swap(tag, Ordering::Relaxed) == tag
    }
}
