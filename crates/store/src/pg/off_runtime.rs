//! Calling the blocking PostgreSQL client from any thread.
//!
//! `postgres::Client` is the blocking face of `tokio-postgres`: every call blocks on a
//! current-thread runtime of its own, and tokio refuses to start one on a thread that already
//! drives a runtime (a server task, an async test: "Cannot start a runtime from within a
//! runtime"). Every call of this backend goes through [`blocking`], so the store works from any
//! thread and nothing above it needs to know.

/// Runs `f` where the blocking client may run, and returns what it returns.
///
/// Outside any runtime (the CLI, synchronous tests) `f` runs on this thread at no cost. Inside
/// one, tokio gives no public way to tell a thread that drives it (where blocking panics) from one
/// of its blocking pool (where blocking is allowed), so `f` runs on a scoped thread of its own:
/// some tens of microseconds, beside a round trip to the server. A panic in `f` is raised here.
pub(crate) fn blocking<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if MAY_BLOCK.get() || tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|s| {
        s.spawn(f)
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e))
    })
}

thread_local! {
    /// Set inside [`on_blocking_thread`]: this thread may block, so calls run here.
    static MAY_BLOCK: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f` on this thread, telling the store that this thread may block: a thread of tokio's
/// blocking pool (`spawn_blocking`), where the client's own runtime may run. PostgreSQL calls
/// inside `f` then run here instead of on a scoped thread each (measured: 150 µs a call direct,
/// 380 µs with the extra thread, load average 10 on 2 cores). Only for such threads: on a thread
/// that drives a runtime, a call inside `f` panics as the bare client does.
pub fn on_blocking_thread<R>(f: impl FnOnce() -> R) -> R {
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            MAY_BLOCK.set(self.0);
        }
    }
    let _restore = Restore(MAY_BLOCK.replace(true));
    f()
}

/// A value of the client (a connection, a transaction) whose drop also blocks on the client's
/// runtime: a connection says goodbye to the server, an unfinished transaction rolls back. It is
/// dropped through [`blocking`], since the last owner may be dropped on any thread.
pub(crate) struct DropOffRuntime<T: Send>(Option<T>);

impl<T: Send> DropOffRuntime<T> {
    pub(crate) fn new(value: T) -> Self {
        Self(Some(value))
    }

    /// The value, to be consumed by a call that itself runs through [`blocking`].
    pub(crate) fn into_inner(mut self) -> T {
        self.0.take().expect("present until taken or dropped")
    }
}

impl<T: Send> std::ops::Deref for DropOffRuntime<T> {
    type Target = T;
    fn deref(&self) -> &T {
        // Empty only inside `into_inner` and `drop`, which consume it.
        self.0.as_ref().expect("present until taken or dropped")
    }
}

impl<T: Send> std::ops::DerefMut for DropOffRuntime<T> {
    fn deref_mut(&mut self) -> &mut T {
        self.0.as_mut().expect("present until taken or dropped")
    }
}

impl<T: Send> Drop for DropOffRuntime<T> {
    fn drop(&mut self) {
        if let Some(value) = self.0.take() {
            blocking(move || drop(value));
        }
    }
}
