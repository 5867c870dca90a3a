//! The one tokio runtime of the process, shared by the sync and async APIs,
//! and rebuilt in a child after `fork()`.
//!
//! gunicorn, uwsgi and Celery fork after `import paynet`. Tokio's worker
//! threads do not exist in the child, so a runtime created before the fork
//! would accept tasks and never run them. Anything bound to a runtime (the
//! runtime itself, reqwest's connection pool) is therefore kept in a
//! [`ForkLocal`]: a value tagged with the pid that built it.

use std::ptr;
use std::sync::atomic::{AtomicPtr, Ordering};

use tokio::runtime::Runtime;

/// A lazily built value, rebuilt when first used in a new process.
///
/// Lock-free on purpose: a mutex held by another thread at the moment of
/// `fork()` stays locked forever in the child. A value from the parent is
/// leaked, never dropped: dropping a runtime joins threads that the child
/// does not have, and the parent's sockets belong to the parent.
pub struct ForkLocal<T> {
    slot: AtomicPtr<(u32, T)>,
}

impl<T> ForkLocal<T> {
    pub const fn new() -> Self {
        ForkLocal {
            slot: AtomicPtr::new(ptr::null_mut()),
        }
    }

    pub fn get_or_try_init<E>(&self, build: impl FnOnce() -> Result<T, E>) -> Result<&T, E> {
        let pid = std::process::id();
        let current = self.slot.load(Ordering::Acquire);
        // SAFETY: a non-null slot points to a Box that is freed only by `Drop`,
        // which cannot run while `&self` is borrowed.
        if let Some((owner, value)) = unsafe { current.as_ref() }
            && *owner == pid
        {
            return Ok(value);
        }
        let fresh = Box::into_raw(Box::new((pid, build()?)));
        match self
            .slot
            .compare_exchange(current, fresh, Ordering::AcqRel, Ordering::Acquire)
        {
            // The previous value (if any) was the parent's: leaked on purpose.
            Ok(_) => Ok(unsafe { &(*fresh).1 }),
            Err(winner) => {
                // Another thread of this process built one first; use that one.
                drop(unsafe { Box::from_raw(fresh) });
                Ok(unsafe { &(*winner).1 })
            }
        }
    }
}

impl<T> Drop for ForkLocal<T> {
    fn drop(&mut self) {
        let current = *self.slot.get_mut();
        if let Some((owner, _)) = unsafe { current.as_ref() }
            && *owner == std::process::id()
        {
            drop(unsafe { Box::from_raw(current) });
        }
    }
}

static RUNTIME: ForkLocal<Runtime> = ForkLocal::new();

/// The runtime of the current process, built on first use (never at import).
pub fn get() -> &'static Runtime {
    RUNTIME
        .get_or_try_init(|| {
            tokio::runtime::Builder::new_multi_thread()
                .thread_name("paynet-worker")
                .enable_all()
                .build()
        })
        .expect("cannot start the paynet runtime: the OS refused to create threads")
}
