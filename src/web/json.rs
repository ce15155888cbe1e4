//! JSON read with the browser's own `JSON.parse` (see `json.rs` at the crate root for why).

use js_sys::JsString;
use wasm_bindgen::JsValue;

/// How deep JSON may nest. FHIR resources stay far below it; hostile input cannot exhaust the stack.
const MAX_JSON_DEPTH: u32 = 128;

/// Parses JSON text with the browser's own `JSON.parse` (see `json.rs` for why); `None` when it is
/// not JSON or nests deeper than `MAX_JSON_DEPTH`. Numbers are JavaScript numbers: integers are
/// exact up to 2^53 (FHIR R4 integers are 32-bit), decimals keep ~15 significant digits.
pub fn parse_json(text: &str) -> Option<serde_json::Value> {
    let parsed = js_sys::JSON::parse(text).ok()?;
    // Parsed text is a tree no larger than the text: no limit but the depth.
    let mut no_limit = u32::MAX;
    json_from_js(&parsed, 0, &mut no_limit)
}

/// [`parse_json`] for text that is still the browser's (an answer's body): parsed where it is,
/// never copied into the module.
pub fn parse_json_text(text: &JsString) -> Option<serde_json::Value> {
    let parsed = parse_js(text).ok()?;
    let mut no_limit = u32::MAX;
    json_from_js(&parsed, 0, &mut no_limit)
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JavaScript string (`js_sys::JSON::parse` takes a Rust `&str`).
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js(text: &JsString) -> Result<JsValue, JsValue>;
}

/// A message's data holds at most this many values. Tahto's messages hold a few dozen.
const MAX_MESSAGE_VALUES: u32 = 10_000;

/// A JavaScript value (a message's data) as JSON: `None` for what JSON cannot hold (functions,
/// `undefined`, non-finite numbers are `null`), what nests too deep, or what holds more than
/// `MAX_MESSAGE_VALUES` values. Unlike parsed text, a posted value can share its parts: sixty
/// arrays each holding the next twice are 2^60 values to walk.
pub fn from_js(v: &JsValue) -> Option<serde_json::Value> {
    let mut budget = MAX_MESSAGE_VALUES;
    json_from_js(v, 0, &mut budget)
}

fn json_from_js(v: &JsValue, depth: u32, budget: &mut u32) -> Option<serde_json::Value> {
    use serde_json::Value;
    use wasm_bindgen::JsCast;
    if depth > MAX_JSON_DEPTH {
        return None;
    }
    *budget = budget.checked_sub(1)?;
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
            .map(|item| json_from_js(&item, depth + 1, budget))
            .collect::<Option<Vec<_>>>()
            .map(Value::Array);
    }
    if v.is_object() {
        let mut map = serde_json::Map::new();
        for pair in js_sys::Object::entries(v.unchecked_ref()).iter() {
            let pair: js_sys::Array = pair.unchecked_into();
            map.insert(
                pair.get(0).as_string()?,
                json_from_js(&pair.get(1), depth + 1, budget)?,
            );
        }
        return Some(Value::Object(map));
    }
    None
}

/// Reads the resources of type `wanted` from a search Bundle's JSON text, converting fifty entries
/// at a time and yielding to the browser before each, so a page of hundreds of results never blocks
/// taps and scrolling for long (measured: 500 lab results in one go were a 400–550 ms task on a 4x
/// slowed CPU). Other entries (an `OperationOutcome` with warnings) are skipped. `None` when the
/// text is not a Bundle.
pub async fn bundle_resources_paced(
    text: &JsString,
    wanted: &str,
) -> Option<Vec<serde_json::Value>> {
    use wasm_bindgen::JsCast;
    const SLICE: usize = 50;
    // The parse in a task of its own, apart from the body's arrival.
    super::yield_now().await;
    let parsed = parse_js(text).ok()?;
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
        // Before the first slice too: the parse of the whole text is a task of its own.
        if i % SLICE == 0 {
            super::yield_now().await;
        }
        let Some(resource) = get(&entry, "resource").filter(JsValue::is_object) else {
            continue;
        };
        if type_of(&resource).as_deref() == Some(wanted) {
            let mut no_limit = u32::MAX;
            found.push(json_from_js(&resource, 2, &mut no_limit)?);
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
