//! Entry point: mount Tahto into its host element. Everything else lives in the library.

#[cfg(target_arch = "wasm32")]
fn main() {
    tahto::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Tahto runs in a browser: build it with `trunk build` (see README).");
}
