//! Entry point: mount Tahto into its host element. Everything else lives in the library.

/// Talc instead of the default dlmalloc: a few KB smaller in the first load, and faster.
#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
#[global_allocator]
static ALLOCATOR: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[cfg(target_arch = "wasm32")]
fn main() {
    tahto::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Tahto runs in a browser: build it with `trunk build` (see README).");
}
