//! Draining: one flag the whole worker watches ([`Drain`]) and a count of open connections
//! ([`Connections`]) to wait on before exiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio::sync::{Notify, watch};

/// Set once, when the worker starts draining: the accept loop stops, `/readyz` answers 503,
/// responses carry `Connection: close`, and idle connections are closed.
#[derive(Clone)]
pub struct Drain {
    tx: Arc<watch::Sender<bool>>,
}

impl Default for Drain {
    fn default() -> Self {
        Drain {
            tx: Arc::new(watch::channel(false).0),
        }
    }
}

impl Drain {
    pub fn start(&self) {
        self.tx.send_replace(true);
    }

    pub fn is_draining(&self) -> bool {
        *self.tx.borrow()
    }

    /// Returns when draining starts (at once if it has).
    pub async fn started(&self) {
        let mut rx = self.tx.subscribe();
        // The sender lives in `self`, so waiting cannot fail.
        let _ = rx.wait_for(|draining| *draining).await;
    }
}

/// Open connections, counted by guards.
#[derive(Clone, Default)]
pub struct Connections {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    open: AtomicUsize,
    closed: Notify,
}

/// One open connection; dropping it counts it closed.
pub struct ConnectionGuard(Arc<Inner>);

impl Connections {
    pub fn open(&self) -> ConnectionGuard {
        self.inner.open.fetch_add(1, Ordering::SeqCst);
        ConnectionGuard(self.inner.clone())
    }

    pub fn count(&self) -> usize {
        self.inner.open.load(Ordering::SeqCst)
    }

    /// Returns when no connection is open.
    pub async fn all_closed(&self) {
        loop {
            let notified = self.inner.closed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        if self.0.open.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.closed.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn waits_for_the_last_connection() {
        let connections = Connections::default();
        let a = connections.open();
        let b = connections.open();
        let waiter = tokio::spawn({
            let c = connections.clone();
            async move { c.all_closed().await }
        });
        drop(a);
        assert_eq!(connections.count(), 1);
        drop(b);
        waiter.await.unwrap();
        assert_eq!(connections.count(), 0);
    }

    #[tokio::test]
    async fn drain_is_seen_by_waiters() {
        let drain = Drain::default();
        assert!(!drain.is_draining());
        let waiter = tokio::spawn({
            let d = drain.clone();
            async move { d.started().await }
        });
        drain.start();
        waiter.await.unwrap();
        assert!(drain.is_draining());
    }
}
