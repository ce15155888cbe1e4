//! Dates and numbers as the citizen's language writes them, with `Intl` formatters built once.

use wasm_bindgen::JsValue;

use crate::i18n::Lang;

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
/// A number as the citizen's language writes it (`5,8` in Finnish and Swedish, `5.8` in English).
pub fn format_number(value: f64, lang: Lang) -> String {
    formatter(lang, "{}", |locales, options| {
        js_sys::Intl::NumberFormat::new(locales, options).format()
    })
    .and_then(|format| format.call1(&JsValue::NULL, &JsValue::from_f64(value)).ok())
    .and_then(|text| text.as_string())
    // Without Intl: as JavaScript writes it (Rust's float formatting is kilobytes of code).
    .or_else(|| {
        js_sys::Number::from(value)
            .to_string_with_radix(10)
            .ok()
            .map(String::from)
    })
    .unwrap_or_default()
}
