//! JSON text out of a `serde_json::Value`, written by hand.
//!
//! In the browser, JSON text is parsed by the browser's own `JSON.parse` (`web::parse_json`) and
//! written here: serde_json's text parser and serializer were ~20 KB of the wasm, and the app only
//! ever needs `Value` (FHIR resources, stored entries). Numbers are written by `serde_json::Number`,
//! so they come out exactly as serde_json writes them.

use serde_json::Value;

/// The compact JSON text of `value` (as `serde_json::to_string` writes it).
pub fn to_text(value: &Value) -> String {
    let mut out = String::new();
    write(&mut out, value);
    out
}

/// JSON equality where a number is its value: `120.0` (a measurement as Tahto built it, kept so
/// when storage holds the outbox only in memory, or a draft as the page wrote it) and `120` (as
/// the server's answer or storage reads back) are the same, or a stored save would be a conflict
/// with itself.
pub fn same_value(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(x, y)| same_value(x, y))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| same_value(v, w)))
        }
        _ => a == b,
    }
}

fn write(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&n.to_string()),
        Value::String(s) => write_str(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_str(out, key);
                out.push(':');
                write(out, item);
            }
            out.push('}');
        }
    }
}

fn write_str(out: &mut String, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let b = c as usize;
                out.push_str("\\u00");
                out.push(char::from(HEX[b >> 4]));
                out.push(char::from(HEX[b & 0xf]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn writes_what_serde_json_writes() {
        let values = [
            json!(null),
            json!(true),
            json!(-12),
            json!(18446744073709551615u64),
            json!(5.1),
            json!(1e300),
            json!(0.000001),
            json!(""),
            json!("äö \"quoted\" back\\slash\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f} 🙂 \u{2028}"),
            json!([]),
            json!({}),
            json!({"resourceType": "Consent", "a": [1, {"b": null}], "z": {"y": [true, false]}}),
        ];
        for value in values {
            let expected = serde_json::to_string(&value).unwrap();
            assert_eq!(to_text(&value), expected);
            assert_eq!(
                serde_json::from_str::<Value>(&to_text(&value)).unwrap(),
                value
            );
        }
    }
}
