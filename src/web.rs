//! Thin browser glue: clock, random ids, local storage, dates in the citizen's language.

use crate::i18n::Lang;
use wasm_bindgen::JsValue;

pub fn window() -> Option<web_sys::Window> {
    web_sys::window()
}

/// The device clock as ISO 8601 UTC.
pub fn now_iso() -> String {
    js_sys::Date::new_0().to_iso_string().into()
}

/// A fresh `urn:uuid:` from the browser's cryptographic random source.
pub fn new_uuid_urn() -> String {
    let mut bytes = [0u8; 16];
    let filled = window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.get_random_values_with_u8_array(&mut bytes).is_ok())
        .unwrap_or(false);
    if !filled {
        // Without WebCrypto (very old browsers) fall back to Math.random: still unique enough for
        // an idempotency key, which only has to differ between this citizen's saves.
        for b in bytes.iter_mut() {
            *b = (js_sys::Math::random() * 256.0) as u8;
        }
    }
    crate::ids::uuid_urn(bytes)
}

fn local_storage() -> Option<web_sys::Storage> {
    window()?.local_storage().ok().flatten()
}

/// Reads a value the app stored; `None` when storage is unavailable (private mode, blocked).
pub fn stored(key: &str) -> Option<String> {
    local_storage()?.get_item(key).ok().flatten()
}

/// Stores a value; `false` when the browser refused (quota, private mode).
pub fn store(key: &str, value: &str) -> bool {
    local_storage()
        .map(|s| s.set_item(key, value).is_ok())
        .unwrap_or(false)
}

/// This tab's storage: what is shown survives a reload, not a new tab.
fn session_storage() -> Option<web_sys::Storage> {
    window()?.session_storage().ok().flatten()
}

pub fn session_stored(key: &str) -> Option<String> {
    session_storage()?.get_item(key).ok().flatten()
}

/// Best effort: without session storage a reload starts at the home page.
pub fn session_store(key: &str, value: &str) {
    if let Some(storage) = session_storage() {
        let _kept = storage.set_item(key, value);
    }
}

/// The idempotency key for creating `record`: the same on every attempt and in every tab until
/// the server has the record (kept in localStorage), so a retried create is never a duplicate.
pub fn creation_key(record: &str) -> String {
    let key = format!("tahto.key.{record}");
    stored(&key).unwrap_or_else(|| {
        let fresh = new_uuid_urn();
        let _kept = store(&key, &fresh);
        fresh
    })
}

/// A fresh creation key for `record`, once the server holds the record the old one created.
pub fn renew_creation_key(record: &str) -> String {
    forget(&format!("tahto.key.{record}"));
    creation_key(record)
}

/// Listens to a window event for the app's lifetime.
pub fn on_window(event: &str, handler: impl FnMut(web_sys::Event) + 'static) {
    use wasm_bindgen::JsCast;
    if let Some(window) = window() {
        let closure = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(handler);
        let _added =
            window.add_event_listener_with_callback(event, closure.as_ref().unchecked_ref());
        closure.forget();
    }
}

/// Removes a stored value (absent or blocked storage: nothing to remove).
pub fn forget(key: &str) {
    if let Some(storage) = local_storage() {
        let _removed = storage.remove_item(key);
    }
}

fn parse_date(iso: &str) -> Option<js_sys::Date> {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    (!date.get_time().is_nan()).then_some(date)
}

thread_local! {
    /// Built `Intl` formatters, one per language and format. Building one costs far more than
    /// using it (`toLocaleString` with options builds one per call, which made date formatting
    /// the main cost of showing a page of lab results on a slow phone).
    static FORMATTERS: std::cell::RefCell<Vec<((Lang, &'static str), js_sys::Function)>> =
        std::cell::RefCell::default();
}

/// The `format` function of the `Intl` formatter for `lang` and `options` (JSON), built once.
fn formatter(
    lang: Lang,
    options: &'static str,
    build: fn(&js_sys::Array, &js_sys::Object) -> js_sys::Function,
) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    // A handful of entries (languages × formats): a list is smaller in wasm than a map.
    let key = (lang, options);
    if let Some(format) = FORMATTERS.with(|f| {
        f.borrow()
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, format)| format.clone())
    }) {
        return Some(format);
    }
    let parsed = js_sys::JSON::parse(options)
        .ok()?
        .dyn_into::<js_sys::Object>()
        .ok()?;
    let locales = js_sys::Array::of1(&JsValue::from_str(lang.locale()));
    let format = build(&locales, &parsed);
    FORMATTERS.with(|f| f.borrow_mut().push((key, format.clone())));
    Some(format)
}

fn format_with(iso: &str, lang: Lang, options: &'static str) -> String {
    let formatted = parse_date(iso).and_then(|date| {
        let format = formatter(lang, options, |locales, options| {
            js_sys::Intl::DateTimeFormat::new(locales, options).format()
        })?;
        format.call1(&JsValue::NULL, &date).ok()?.as_string()
    });
    // An unreadable server date is shown as the server wrote it rather than hidden.
    formatted
        .unwrap_or_else(|| crate::text::truncate_chars(&crate::text::clean_for_display(iso), 40))
}

/// `14.03` / `14:03`, local time.
pub fn format_time(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, r#"{"hour":"2-digit","minute":"2-digit"}"#)
}

/// `14.03.30`, local time with seconds (for "next try at").
pub fn format_time_seconds(iso: &str, lang: Lang) -> String {
    format_with(
        iso,
        lang,
        r#"{"hour":"2-digit","minute":"2-digit","second":"2-digit"}"#,
    )
}

/// A date, local (e.g. when a notice was published).
pub fn format_date(iso: &str, lang: Lang) -> String {
    format_with(
        iso,
        lang,
        r#"{"year":"numeric","month":"numeric","day":"numeric"}"#,
    )
}

/// Date and time, local, for receipts and "recorded" lines.
pub fn format_date_time(iso: &str, lang: Lang) -> String {
    format_with(
        iso,
        lang,
        r#"{"year":"numeric","month":"numeric","day":"numeric","hour":"2-digit","minute":"2-digit","second":"2-digit"}"#,
    )
}
/// Runs `work` while holding the cross-tab lock `name`, if no other tab holds it.
///
/// Uses the Web Locks API (released by the browser even when a tab crashes). Where the browser has
/// no Web Locks, a lease in localStorage stands in: it expires on its own if its tab dies.
/// Returns `false` when another tab holds the lock (it is doing the work).
pub async fn with_tab_lock<F>(name: &str, work: F) -> bool
where
    F: std::future::Future<Output = ()> + 'static,
{
    use std::cell::RefCell;
    use std::rc::Rc;
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;

    let locks = window()
        .map(|w| js_sys::Reflect::get(&w.navigator(), &JsValue::from_str("locks")))
        .and_then(Result::ok)
        .filter(|l| !l.is_undefined() && !l.is_null());
    let request = locks.as_ref().and_then(|l| {
        js_sys::Reflect::get(l, &JsValue::from_str("request"))
            .ok()
            .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    });
    let (Some(locks), Some(request)) = (locks, request) else {
        return with_lease(name, work).await;
    };

    let work = Rc::new(RefCell::new(Some(work)));
    let acquired = Rc::new(std::cell::Cell::new(false));
    let callback = {
        let work = work.clone();
        let acquired = acquired.clone();
        Closure::<dyn FnMut(JsValue) -> js_sys::Promise>::new(move |lock: JsValue| {
            let job = work.borrow_mut().take();
            match job {
                Some(job) if !lock.is_null() => {
                    acquired.set(true);
                    wasm_bindgen_futures::future_to_promise(async move {
                        job.await;
                        Ok(JsValue::UNDEFINED)
                    })
                }
                _ => js_sys::Promise::resolve(&JsValue::UNDEFINED),
            }
        })
    };
    let options = js_sys::Object::new();
    let _set = js_sys::Reflect::set(&options, &JsValue::from_str("ifAvailable"), &JsValue::TRUE);
    let promise = request.call3(
        &locks,
        &JsValue::from_str(name),
        &options,
        callback.as_ref(),
    );
    match promise.map(js_sys::Promise::from) {
        Ok(promise) => {
            let _done = wasm_bindgen_futures::JsFuture::from(promise).await;
            acquired.get()
        }
        Err(_) => {
            // The lock API threw (e.g. an opaque origin): fall back to the lease.
            let job = work.borrow_mut().take();
            match job {
                Some(job) => with_lease(name, job).await,
                None => false,
            }
        }
    }
}

/// How long a localStorage lease lasts. If a flush outlives it, a second tab may flush too: the
/// in-flight marks of entries and idempotent requests keep that overlap harmless.
const LEASE_MS: u64 = 60_000;

async fn with_lease<F>(name: &str, work: F) -> bool
where
    F: std::future::Future<Output = ()>,
{
    let key = format!("tahto.lease.{name}");
    let me = new_uuid_urn();
    // Whole milliseconds: the lease is text in localStorage.
    let now = js_sys::Date::now() as u64;
    let held_by_other = stored(&key)
        .and_then(|v| {
            let (holder, until) = v.split_once(' ')?;
            Some((holder.to_owned(), until.parse::<u64>().ok()?))
        })
        .is_some_and(|(holder, until)| holder != me && until > now);
    if held_by_other || !store(&key, &format!("{me} {}", now + LEASE_MS)) {
        return false;
    }
    work.await;
    if let Some(storage) = local_storage() {
        let _released = storage.remove_item(&key);
    }
    true
}

/// How deep JSON may nest. FHIR resources stay far below it; hostile input cannot exhaust the stack.
const MAX_JSON_DEPTH: u32 = 128;

/// Parses JSON text with the browser's own `JSON.parse` (see `json.rs` for why); `None` when it is
/// not JSON or nests deeper than `MAX_JSON_DEPTH`. Numbers are JavaScript numbers: integers are
/// exact up to 2^53 (FHIR R4 integers are 32-bit), decimals keep ~15 significant digits.
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    let parsed = js_sys::JSON::parse(text).ok()?;
    json_from_js(&parsed, 0)
}

fn json_from_js(v: &JsValue, depth: u32) -> Option<serde_json::Value> {
    use serde_json::Value;
    use wasm_bindgen::JsCast;
    if depth > MAX_JSON_DEPTH {
        return None;
    }
    if v.is_null() {
        return Some(Value::Null);
    }
    if let Some(b) = v.as_bool() {
        return Some(Value::Bool(b));
    }
    if let Some(n) = v.as_f64() {
        return Some(json_number(n));
    }
    if let Some(s) = v.as_string() {
        return Some(Value::String(s));
    }
    if js_sys::Array::is_array(v) {
        let items: &js_sys::Array = v.unchecked_ref();
        return items
            .iter()
            .map(|item| json_from_js(&item, depth + 1))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if v.is_object() {
        let mut map = serde_json::Map::new();
        for pair in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let pair: js_sys::Array = pair.unchecked_into();
            map.insert(
                pair.get(0).as_string()?,
                json_from_js(&pair.get(1), depth + 1)?,
            );
        }
        return Some(Value::Object(map));
    }
    None
}

/// Reads the resources of type `wanted` from a search Bundle's JSON text, converting fifty entries
/// at a time and yielding to the browser in between, so a page of hundreds of results never blocks
/// taps and scrolling for long (measured: 500 lab results in one go were a 400–550 ms task on a 4x
/// slowed CPU). Other entries (an `OperationOutcome` with warnings) are skipped. `None` when the
/// text is not a Bundle.
pub async fn bundle_resources_paced(text: &str, wanted: &str) -> Option<Vec<serde_json::Value>> {
    use wasm_bindgen::JsCast;
    const SLICE: usize = 50;
    let parsed = js_sys::JSON::parse(text).ok()?;
    let get = |v: &JsValue, key: &str| js_sys::Reflect::get(v, &JsValue::from_str(key)).ok();
    let type_of = |v: &JsValue| get(v, "resourceType").and_then(|t| t.as_string());
    if type_of(&parsed).as_deref() != Some("Bundle") {
        return None;
    }
    let entries = get(&parsed, "entry")?;
    if entries.is_undefined() {
        return Some(Vec::new());
    }
    if !js_sys::Array::is_array(&entries) {
        return None;
    }
    let entries: js_sys::Array = entries.unchecked_into();
    let mut found = Vec::new();
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 && i % SLICE == 0 {
            gloo_timers::future::TimeoutFuture::new(0).await;
        }
        let Some(resource) = get(&entry, "resource").filter(JsValue::is_object) else {
            continue;
        };
        if type_of(&resource).as_deref() == Some(wanted) {
            found.push(json_from_js(&resource, 2)?);
        }
    }
    Some(found)
}

/// A JS number as serde_json would have read it: whole numbers as integers.
fn json_number(n: f64) -> serde_json::Value {
    const EXACT: f64 = 9_007_199_254_740_992.0; // 2^53: beyond it an f64 is no exact integer
    if n.fract() == 0.0 && n.abs() < EXACT {
        if n < 0.0 {
            serde_json::Value::from(n as i64)
        } else {
            serde_json::Value::from(n as u64)
        }
    } else {
        serde_json::Number::from_f64(n).map_or(serde_json::Value::Null, serde_json::Value::Number)
    }
}

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

/// A number as the citizen's language writes it (`5,8` in Finnish and Swedish, `5.8` in English).
pub fn format_number(value: f64, lang: Lang) -> String {
    formatter(lang, "{}", |locales, options| {
        js_sys::Intl::NumberFormat::new(locales, options).format()
    })
    .and_then(|format| format.call1(&JsValue::NULL, &JsValue::from_f64(value)).ok())
    .and_then(|text| text.as_string())
    .unwrap_or_else(|| value.to_string())
}

/// Opens the browser's print dialog (the print stylesheet shows the printable record only).
pub fn print() {
    if let Some(window) = window() {
        let _shown = window.print();
    }
}

/// Moves focus to the heading of the section now shown, so keyboard and screen reader users
/// start there after moving between sections (it gets `tabindex="-1"` to take focus).
pub fn focus_heading() {
    use wasm_bindgen::JsCast;
    let Some(list) = window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector_all("#tahto main h1").ok())
    else {
        return;
    };
    for i in 0..list.length() {
        let heading = list
            .item(i)
            .and_then(|n| n.dyn_into::<web_sys::HtmlElement>().ok());
        // Hidden sections have no offset parent.
        if let Some(heading) = heading.filter(|h| h.offset_parent().is_some()) {
            let _focusable = heading.set_attribute("tabindex", "-1");
            let _focused = heading.focus();
            return;
        }
    }
}
