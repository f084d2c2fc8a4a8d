//! The memory an evaluation allocates, measured per thread by a counting global allocator.
//!
//! A program's binary opts in by installing [`MeteredAlloc`] (`celd` does); then each thread
//! keeps the bytes it has allocated minus the bytes it has freed, and an evaluation that has
//! grown that figure by more than `Limits::max_memory_bytes` stops with a `limit` error: at
//! its checkpoints (every 1,024 cost units, every 64 iterations), and before a function
//! allocates a large value ([`check_room`]). Without the allocator, the limit is not
//! enforced (the size limits still are).
//!
//! Bytes freed on another thread than the one that allocated them make the figures drift
//! apart; during one evaluation (one thread, values it builds itself) they agree with what it
//! holds.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::LazyLock;

use celd_value::{EvalError, LimitKind, Result};

/// The system allocator, counting each thread's net allocations.
pub struct MeteredAlloc;

thread_local! {
    /// Bytes allocated minus bytes freed by this thread.
    static NET: Cell<i64> = const { Cell::new(0) };
    /// The value of `NET` the running evaluation may not pass (`i64::MAX`: none), and its
    /// limit in bytes (for the message).
    static CEILING: Cell<(i64, usize)> = const { Cell::new((i64::MAX, usize::MAX)) };
}

#[inline]
fn add(n: i64) {
    // Const-initialized, without a destructor: always accessible, never allocates.
    let _ = NET.try_with(|net| net.set(net.get().wrapping_add(n)));
}

// SAFETY: every call is forwarded to `System` with the same arguments; the counting touches
// only a thread-local cell and never allocates.
unsafe impl GlobalAlloc for MeteredAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as i64);
        // SAFETY: as the caller promised for `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        add(layout.size() as i64);
        // SAFETY: as the caller promised for `layout`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        add(-(layout.size() as i64));
        // SAFETY: `ptr` was allocated by `System` with `layout` (through this allocator).
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        add(new_size as i64 - layout.size() as i64);
        // SAFETY: as the caller promised for `ptr`, `layout` and `new_size`.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// Whether [`MeteredAlloc`] is the global allocator (an allocation moves the count).
pub fn is_metered() -> bool {
    static METERED: LazyLock<bool> = LazyLock::new(|| {
        let before = net_allocated();
        let probe = std::hint::black_box(vec![0u8; 4096]);
        let moved = net_allocated() != before;
        drop(probe);
        moved
    });
    *METERED
}

/// Bytes this thread has allocated minus those it has freed (0 without the allocator).
pub fn net_allocated() -> i64 {
    NET.try_with(Cell::get).unwrap_or(0)
}

/// Bounds this thread's allocations to `max_bytes` more than now until dropped (nested
/// scopes keep the lower ceiling); a no-op without the allocator or for `usize::MAX`.
pub(crate) struct MemoryScope {
    previous: Option<(i64, usize)>,
}

impl MemoryScope {
    pub(crate) fn enter(max_bytes: usize) -> MemoryScope {
        if max_bytes == usize::MAX || !is_metered() {
            return MemoryScope { previous: None };
        }
        let ceiling = net_allocated().saturating_add(i64::try_from(max_bytes).unwrap_or(i64::MAX));
        let previous = CEILING.with(|c| {
            let previous = c.get();
            if ceiling < previous.0 {
                c.set((ceiling, max_bytes));
            }
            previous
        });
        MemoryScope {
            previous: Some(previous),
        }
    }

    /// Whether this scope bounds anything.
    pub(crate) fn is_active(&self) -> bool {
        self.previous.is_some()
    }
}

impl Drop for MemoryScope {
    fn drop(&mut self) {
        if let Some(previous) = self.previous {
            CEILING.with(|c| c.set(previous));
        }
    }
}

/// Fails if the running evaluation has allocated past its memory limit.
pub(crate) fn check() -> Result<()> {
    check_room(0)
}

/// Fails if allocating `bytes` more would take the running evaluation past its memory limit
/// (functions call it before building a large value).
pub fn check_room(bytes: usize) -> Result<()> {
    let (ceiling, max) = CEILING.with(Cell::get);
    if ceiling == i64::MAX {
        return Ok(());
    }
    let wanted = net_allocated().saturating_add(i64::try_from(bytes).unwrap_or(i64::MAX));
    if wanted > ceiling {
        return Err(EvalError::limit_of(
            LimitKind::Memory,
            format!("evaluation memory limit of {max} bytes exceeded"),
        ));
    }
    Ok(())
}
