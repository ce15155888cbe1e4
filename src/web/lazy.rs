//! Fetching and starting a lazily loaded bundle.

use wasm_bindgen::JsValue;

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = r#"
export function import_bundle(js, wasm, attempt) {
  // This snippet is served from snippets/<crate>/; the bundles sit next to the app's own files.
  const url = (file) => {
    const u = new URL('../../' + file, import.meta.url);
    // A failed import may be remembered by the browser: a retry asks for a fresh one.
    if (attempt > 0) u.searchParams.set('attempt', String(attempt));
    return u.href;
  };
  return import(url(js)).then((m) => m.default({ module_or_path: url(wasm) }));
}
"#)]
extern "C" {
    #[wasm_bindgen::prelude::wasm_bindgen(js_name = import_bundle)]
    fn import_bundle_js(js: &str, wasm: &str, attempt: u32) -> js_sys::Promise;
}

/// Fetches and starts a lazily loaded bundle. `stem` is its file name without extension
/// (`declarations`, or `declarations-<hash>` in a release build); `attempt` > 0 on a retry.
pub async fn import_bundle(stem: &str, attempt: u32) -> Result<(), JsValue> {
    let promise = import_bundle_js(&format!("{stem}.js"), &format!("{stem}_bg.wasm"), attempt);
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(|_| ())
}
