//! Awaitables for tokio futures, completed in batches on the event loop.
//!
//! pyo3-async-runtimes' generic path takes the GIL on a blocking thread for
//! every finished call and schedules one `call_soon_threadsafe` each: with
//! 64 calls in flight that is a GIL convoy between the loop and the blocking
//! threads. Here a finished call only pushes its result onto its loop's queue;
//! the first push after a drain schedules one `drain` on the loop (the only GIL
//! taken off the loop thread), and `drain`, running on the loop with the GIL
//! already held, converts and sets every result queued by then.
//!
//! Cancelling the asyncio future aborts the tokio task (dropping the request).

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyWeakrefMethods, PyWeakrefReference};

use crate::{errors, runtime};

type Convert = Box<dyn for<'py> FnOnce(Python<'py>) -> PyResult<Bound<'py, PyAny>> + Send>;

struct LoopQueue {
    /// A weak reference to the loop (or the loop, if it refuses weak references).
    event_loop: Py<PyAny>,
    weak: bool,
    items: Mutex<Vec<(Py<PyAny>, Convert)>>,
    scheduled: AtomicBool,
}

impl LoopQueue {
    fn event_loop<'py>(&self, py: Python<'py>) -> Option<Bound<'py, PyAny>> {
        let obj = self.event_loop.bind(py);
        if !self.weak {
            return Some(obj.clone());
        }
        obj.cast::<PyWeakrefReference>().ok()?.upgrade()
    }

    fn push(self: &Arc<Self>, future: Py<PyAny>, convert: Convert) {
        self.items
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((future, convert));
        if !self.scheduled.swap(true, Ordering::AcqRel) {
            let queue = Arc::clone(self);
            runtime::get().spawn_blocking(move || {
                let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    Python::try_attach(|py| queue.wake(py))
                }));
            });
        }
    }

    fn wake(self: Arc<Self>, py: Python<'_>) {
        let scheduled = self.event_loop(py).map(|lp| {
            lp.call_method1(
                pyo3::intern!(py, "call_soon_threadsafe"),
                (Drain(Arc::clone(&self)),),
            )
        });
        if !matches!(scheduled, Some(Ok(_))) {
            // The loop is gone or closed: nobody can await these any more.
            self.scheduled.store(false, Ordering::Release);
            let items = std::mem::take(&mut *self.items.lock().unwrap_or_else(|e| e.into_inner()));
            drop(items);
        }
    }
}

/// Runs on the loop: sets every queued result.
#[pyclass(frozen, module = "paynet._native")]
struct Drain(Arc<LoopQueue>);

#[pymethods]
impl Drain {
    fn __call__(&self, py: Python<'_>) {
        let queue = &self.0;
        queue.scheduled.store(false, Ordering::Release);
        let items = std::mem::take(&mut *queue.items.lock().unwrap_or_else(|e| e.into_inner()));
        for (future, convert) in items {
            let future = future.bind(py);
            // Cancelled meanwhile: its result is dropped, as pyo3-async-runtimes does.
            if future
                .call_method0(pyo3::intern!(py, "done"))
                .and_then(|d| d.is_truthy())
                .unwrap_or(true)
            {
                continue;
            }
            let set = match convert(py) {
                Ok(value) => future.call_method1(pyo3::intern!(py, "set_result"), (value,)),
                Err(err) => {
                    future.call_method1(pyo3::intern!(py, "set_exception"), (err.into_value(py),))
                }
            };
            if let Err(e) = set {
                e.write_unraisable(py, Some(future));
            }
        }
    }
}

/// Aborts the request when its asyncio future is cancelled (or done).
#[pyclass(frozen, module = "paynet._native")]
struct AbortOnDone(tokio::task::AbortHandle);

#[pymethods]
impl AbortOnDone {
    fn __call__(&self, _future: &Bound<'_, PyAny>) {
        self.0.abort();
    }
}

/// `(pid, loop or weak reference, queue)`: one queue per event loop.
static QUEUES: Mutex<Vec<(u32, Arc<LoopQueue>)>> = Mutex::new(Vec::new());
static GET_RUNNING_LOOP: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

fn queue_for(py: Python<'_>, event_loop: &Bound<'_, PyAny>) -> PyResult<Arc<LoopQueue>> {
    let pid = std::process::id();
    // Only taken with the GIL held and without running Python code inside.
    let mut queues = QUEUES.lock().unwrap_or_else(|e| e.into_inner());
    let mut found = None;
    queues.retain(|(owner, q)| {
        if *owner != pid {
            return false; // the parent's, before a fork
        }
        match q.event_loop(py) {
            Some(lp) => {
                if lp.is(event_loop) {
                    found = Some(Arc::clone(q));
                }
                true
            }
            None => false,
        }
    });
    if let Some(q) = found {
        return Ok(q);
    }
    let (obj, weak) = match PyWeakrefReference::new(event_loop) {
        Ok(w) => (w.into_any().unbind(), true),
        Err(_) => (event_loop.clone().unbind(), false),
    };
    let q = Arc::new(LoopQueue {
        event_loop: obj,
        weak,
        items: Mutex::new(Vec::new()),
        scheduled: AtomicBool::new(false),
    });
    queues.push((pid, Arc::clone(&q)));
    Ok(q)
}

/// An asyncio future of the running loop for `fut`, run on the shared runtime;
/// `convert` turns its output into Python on the loop thread.
pub fn future_into_py<'py, F, T>(
    py: Python<'py>,
    fut: F,
    convert: impl for<'a> FnOnce(Python<'a>, T) -> PyResult<Bound<'a, PyAny>> + Send + 'static,
) -> PyResult<Bound<'py, PyAny>>
where
    F: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let event_loop = GET_RUNNING_LOOP
        .import(py, "asyncio", "get_running_loop")?
        .call0()?;
    let queue = queue_for(py, &event_loop)?;
    let future = event_loop.call_method0(pyo3::intern!(py, "create_future"))?;
    let handle = future.clone().unbind();
    let task = runtime::get().spawn(async move {
        let output = CatchUnwind(fut).await;
        queue.push(
            handle,
            Box::new(move |py| match output {
                Ok(output) => convert(py, output),
                Err(_) => Err(errors::internal(py)),
            }),
        );
    });
    future.call_method1(
        pyo3::intern!(py, "add_done_callback"),
        (AbortOnDone(task.abort_handle()),),
    )?;
    Ok(future)
}

/// A panic while polling becomes `Err` (then `paynet.InternalError`), so the
/// awaitable still finishes.
struct CatchUnwind<F>(F);

impl<F: Future> Future for CatchUnwind<F> {
    type Output = std::thread::Result<F::Output>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // SAFETY: structural pinning of the only field; it is never moved out.
        let inner = unsafe { self.map_unchecked_mut(|s| &mut s.0) };
        match catch_unwind(AssertUnwindSafe(|| inner.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(v)) => Poll::Ready(Ok(v)),
            Err(panic) => Poll::Ready(Err(panic)),
        }
    }
}
