//! `SendWrapper` with the API of `send_wrapper` 0.6, which Leptos wraps its DOM handles in.
//!
//! Why: browser WebAssembly without the `atomics` feature has exactly one thread, so the original's
//! check of the current thread on every access can never fail; yet it brings
//! `std::thread::current` into the first load (measured: 3.8 KB of code, and a `Thread` drop, in
//! the main module). Here the owner is a zero-sized type on such targets and the checks fold
//! away. Anywhere with threads, the wrapper checks as the original does.

use std::fmt;
use std::mem::{self, ManuallyDrop};
use std::ops::{Deref, DerefMut};

/// A value that may be moved to another thread but used only on the one that made it.
pub struct SendWrapper<T> {
    data: ManuallyDrop<T>,
    owner: Owner,
}

/// One thread only: every wrapper is used on the thread that made it.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[derive(Clone, Copy, PartialEq)]
struct Owner;

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
impl Owner {
    fn here() -> Self {
        Owner
    }
}

/// The thread that made the wrapper.
#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
#[derive(Clone, Copy, PartialEq)]
struct Owner(std::thread::ThreadId);

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
impl Owner {
    fn here() -> Self {
        Owner(std::thread::current().id())
    }
}

impl<T> SendWrapper<T> {
    /// Wraps `data`, owned by the current thread.
    pub fn new(data: T) -> SendWrapper<T> {
        SendWrapper {
            data: ManuallyDrop::new(data),
            owner: Owner::here(),
        }
    }

    /// Whether the value may be used on the current thread.
    pub fn valid(&self) -> bool {
        self.owner == Owner::here()
    }

    /// The value, taken out.
    ///
    /// # Panics
    /// On a thread other than the one that made the wrapper.
    #[track_caller]
    pub fn take(self) -> T {
        self.check();
        let mut this = ManuallyDrop::new(self);
        // SAFETY: `this` is never dropped, so `data` is taken exactly once.
        unsafe { ManuallyDrop::take(&mut this.data) }
    }

    #[track_caller]
    fn check(&self) {
        if !self.valid() {
            panic!("a SendWrapper's value was used on a thread other than its own");
        }
    }
}

// SAFETY: the value is only reached through `check`, on the thread that made it (on one-thread
// targets there is no other thread).
unsafe impl<T> Send for SendWrapper<T> {}
// SAFETY: as for `Send`.
unsafe impl<T> Sync for SendWrapper<T> {}

impl<T> Deref for SendWrapper<T> {
    type Target = T;

    #[track_caller]
    fn deref(&self) -> &T {
        self.check();
        &self.data
    }
}

impl<T> DerefMut for SendWrapper<T> {
    #[track_caller]
    fn deref_mut(&mut self) -> &mut T {
        self.check();
        &mut self.data
    }
}

impl<T> Drop for SendWrapper<T> {
    #[track_caller]
    fn drop(&mut self) {
        // A value without drop code touches nothing of its thread and may go anywhere.
        if mem::needs_drop::<T>() && !std::thread::panicking() {
            self.check();
        }
        if !mem::needs_drop::<T>() || self.valid() {
            // SAFETY: dropped once, here; `take` never runs this.
            unsafe { ManuallyDrop::drop(&mut self.data) }
        }
    }
}

impl<T: fmt::Debug> fmt::Debug for SendWrapper<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("SendWrapper").field(self.deref()).finish()
    }
}

impl<T: Clone> Clone for SendWrapper<T> {
    #[track_caller]
    fn clone(&self) -> Self {
        Self::new(self.deref().clone())
    }
}

#[cfg(feature = "futures")]
mod futures {
    use std::future::Future;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use futures_core::Stream;

    use crate::SendWrapper;

    impl<F: Future> Future for SendWrapper<F> {
        type Output = F::Output;

        #[track_caller]
        fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<F::Output> {
            // SAFETY: the wrapper never moves its value while pinned (`take` needs it by value),
            // so the value is pinned with it.
            unsafe { self.map_unchecked_mut(|w| &mut **w) }.poll(cx)
        }
    }

    impl<S: Stream> Stream for SendWrapper<S> {
        type Item = S::Item;

        #[track_caller]
        fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
            // SAFETY: as for `Future::poll`.
            unsafe { self.map_unchecked_mut(|w| &mut **w) }.poll_next(cx)
        }

        fn size_hint(&self) -> (usize, Option<usize>) {
            self.deref().size_hint()
        }
    }

    use std::ops::Deref as _;
}

#[cfg(test)]
mod tests {
    use super::SendWrapper;
    use std::rc::Rc;

    #[test]
    fn holds_and_gives_back_its_value() {
        let mut w = SendWrapper::new(Rc::new(41));
        assert!(w.valid());
        *w = Rc::new(*w.clone().take() + 1);
        assert_eq!(*w.take(), 42);
    }

    #[test]
    fn another_thread_may_not_use_it() {
        let w = SendWrapper::new(Rc::new(1));
        let valid_there = std::thread::spawn(move || {
            let valid = w.valid();
            // Not dropped there: that would be a use on the wrong thread.
            std::mem::forget(w);
            valid
        })
        .join()
        .unwrap_or(true);
        assert!(!valid_there);
    }
}
