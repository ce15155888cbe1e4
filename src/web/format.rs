//! Dates and numbers as the citizen's language writes them: the browser reads the date (its
//! local time) and writes the number's shortest text; `i18n::format` lays them out (why not
//! `Intl`: see there).

use wasm_bindgen::JsValue;

use crate::i18n::format::{self, LocalTime};
use crate::i18n::Lang;

/// An ISO date or date-time as the citizen's clock shows it; `None` when it is not one.
fn local_time(iso: &str) -> Option<LocalTime> {
    let date = js_sys::Date::new(&JsValue::from_str(iso));
    if date.get_time().is_nan() {
        return None;
    }
    Some(LocalTime {
        year: i32::try_from(date.get_full_year()).ok()?,
        month: date.get_month() + 1,
        day: date.get_date(),
        hour: date.get_hours(),
        minute: date.get_minutes(),
        second: date.get_seconds(),
    })
}

fn format_with(iso: &str, lang: Lang, write: impl FnOnce(&LocalTime) -> String) -> String {
    // A day of the calendar has no time to show and no time zone to convert from.
    if let Some(day) = format::calendar_date(iso) {
        return format::calendar(day, lang);
    }
    match local_time(iso) {
        Some(t) => write(&t),
        // An unreadable server date is shown as the server wrote it rather than hidden.
        None => crate::text::truncate_chars(&crate::text::clean_for_display(iso), 40),
    }
}

/// `14.03` / `14:03`, local time (a date without a time: the date).
pub fn format_time(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, |t| format::time(t, lang, false))
}

/// `14.03.30`, local time with seconds (for "next try at").
pub fn format_time_seconds(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, |t| format::time(t, lang, true))
}

/// A date, local (e.g. when a notice was published); a date without a time as it is.
pub fn format_date(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, |t| format::date(t, lang))
}

/// Date and time, local, for receipts and "recorded" lines; a date without a time as it is.
pub fn format_date_time(iso: &str, lang: Lang) -> String {
    format_with(iso, lang, |t| format::date_time(t, lang))
}

/// A number as the citizen's language writes it (`5,8` in Finnish and Swedish, `5.8` in English).
pub fn format_number(value: f64, lang: Lang) -> String {
    // JavaScript's shortest text for the number: Rust's float formatting is kilobytes of code.
    let js = js_sys::Number::from(value)
        .to_string_with_radix(10)
        .map(String::from)
        .unwrap_or_default();
    format::number(&js, lang)
}
