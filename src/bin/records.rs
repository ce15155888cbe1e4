//! The health records bundle, loaded when the citizen first opens a record or measurements (see `sections`).

#[cfg(target_arch = "wasm32")]
fn main() {
    tahto::bundle::mount_records();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("Tahto runs in a browser: build it with `trunk build` (see README).");
}
