//! Effects and memos behind one type each.
//!
//! The framework's code for an effect or a memo is generic over its closure: every closure a page
//! wrote got its own copy of the effect's task and the memo's bookkeeping in the wasm (about 650
//! and 430 bytes each, before compression). Boxed, the closures share one copy per value type.
//! `scripts/check-invariants` keeps `Effect::new` and `Memo::new` to this file.

use leptos::prelude::*;

/// Runs `f` now and again whenever a signal it read changes, as `Effect::new` does.
pub fn effect(f: impl FnMut() + 'static) -> Effect<LocalStorage> {
    Effect::new(Box::new(f) as Box<dyn FnMut()>)
}

/// An effect that is given what its previous run returned (`None` on the first run).
pub fn effect_with<T: 'static>(f: impl FnMut(Option<T>) -> T + 'static) -> Effect<LocalStorage> {
    Effect::new(Box::new(f) as Box<dyn FnMut(Option<T>) -> T>)
}

/// A value computed from signals, recomputed when they change and passed on only when it changed.
pub fn memo<T>(f: impl Fn(Option<&T>) -> T + Send + Sync + 'static) -> Memo<T>
where
    T: PartialEq + Send + Sync + 'static,
{
    Memo::new(Box::new(f) as Box<dyn Fn(Option<&T>) -> T + Send + Sync>)
}
