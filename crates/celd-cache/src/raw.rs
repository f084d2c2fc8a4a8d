//! [`RawIndex`]: the exact text of an expression (and its environment) to the program it
//! compiled, so a repeated text is found before any parsing and without the cache's map.

use std::hash::BuildHasher;
use std::sync::{Arc, Mutex, Weak};

use crate::entry::CachedProgram;

/// The index takes about this fraction of the cache's budget (a power of two of slots).
const BUDGET_FRACTION: u64 = 64;
const MIN_SLOTS: u64 = 64;
const MAX_SLOTS: u64 = 1 << 16;

/// One slot: the tag of the text it holds (0: empty) and a weak reference to its program.
#[derive(Default)]
struct Slot {
    tag: u64,
    program: Weak<CachedProgram>,
}

/// A direct-mapped table from a hash of (environment id, text) to the cached program
/// compiled from that very text. It owns no program: a slot holds a weak reference, and the
/// cache clears the slot when it evicts the program ([`RawIndex::forget`]), so nothing
/// outlives the cache's budget. The program found is compared with the text and the
/// environment, so a collision is a miss, never a wrong program. Its fixed size is taken
/// from the budget.
pub(crate) struct RawIndex {
    slots: Box<[Mutex<Slot>]>,
    seed: foldhash::fast::RandomState,
}

impl RawIndex {
    pub fn for_budget(max_bytes: u64) -> RawIndex {
        let slot_bytes = size_of::<Mutex<Slot>>() as u64;
        let wanted = (max_bytes / BUDGET_FRACTION / slot_bytes).clamp(MIN_SLOTS, MAX_SLOTS);
        let count = wanted.next_power_of_two().min(MAX_SLOTS) as usize;
        RawIndex {
            slots: (0..count).map(|_| Mutex::default()).collect(),
            seed: Default::default(),
        }
    }

    /// Bytes the table holds, charged against the budget.
    pub fn bytes(&self) -> u64 {
        (self.slots.len() * size_of::<Mutex<Slot>>() + size_of::<RawIndex>()) as u64
    }

    fn slot_and_tag(&self, env_id: u64, text: &str) -> (&Mutex<Slot>, u64) {
        let hash = self.seed.hash_one((env_id, text));
        let slot = &self.slots[(hash as usize) & (self.slots.len() - 1)];
        // Tag 0 marks an empty slot.
        (slot, hash | 1)
    }

    fn lock(slot: &Mutex<Slot>) -> std::sync::MutexGuard<'_, Slot> {
        // A slot is two words written under the lock; a panic cannot leave it half-written.
        slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The program recorded for `text` in the environment `env_id`, if it is still cached
    /// and really is that text's.
    pub fn get(&self, env_id: u64, text: &str) -> Option<Arc<CachedProgram>> {
        let (slot, tag) = self.slot_and_tag(env_id, text);
        let program = {
            let slot = Self::lock(slot);
            if slot.tag != tag {
                return None;
            }
            slot.program.upgrade()?
        };
        let same = program.program.source().text() == text && program.env.id() == env_id;
        same.then_some(program)
    }

    /// Records that `text` in `env_id` compiled `program`, which the cache holds.
    pub fn record(&self, env_id: u64, text: &str, program: &Arc<CachedProgram>) {
        let (slot, tag) = self.slot_and_tag(env_id, text);
        let old = std::mem::replace(
            &mut *Self::lock(slot),
            Slot {
                tag,
                program: Arc::downgrade(program),
            },
        );
        drop(old);
    }

    /// Clears the slot of an evicted program, if the slot still points at it.
    pub fn forget(&self, program: &Arc<CachedProgram>) {
        let (slot, _) = self.slot_and_tag(program.env.id(), program.program.source().text());
        let old = {
            let mut slot = Self::lock(slot);
            if !std::ptr::eq(slot.program.as_ptr(), Arc::as_ptr(program)) {
                return;
            }
            std::mem::take(&mut *slot)
        };
        drop(old);
    }
}
