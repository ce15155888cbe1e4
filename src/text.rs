//! Cleaning of text that comes from citizens and servers.
//!
//! Pasted text often carries invisible characters (zero-width spaces, direction marks, control
//! characters, odd spaces) that a backend may refuse. Tahto removes them before saving and tells
//! the citizen what it removed, so a paste can never make a save fail without explanation.

/// What [`clean_input`] removed or replaced, for an honest note to the citizen.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Removed {
    /// Zero-width and direction-control characters (U+200B…U+200F, U+202A…U+202E, U+2060…U+2064, U+FEFF).
    pub invisible: usize,
    /// Control characters other than line breaks and tabs.
    pub control: usize,
    /// Unusual spaces (no-break, thin, ideographic…) replaced by a plain space.
    pub odd_spaces: usize,
}

impl Removed {
    pub fn any(&self) -> bool {
        self.invisible + self.control + self.odd_spaces > 0
    }

    pub fn total(&self) -> usize {
        self.invisible + self.control + self.odd_spaces
    }
}

fn is_invisible(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}' |
        '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' |
        '\u{2060}'..='\u{2064}' | '\u{2066}'..='\u{206F}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

fn is_odd_space(c: char) -> bool {
    c != ' ' && c != '\n' && c != '\t' && c.is_whitespace() && c != '\r'
}

/// Cleans citizen input: removes invisible and control characters, turns odd spaces into plain
/// ones, normalises line breaks to `\n`. Keeps every visible character, including all letters of
/// every language.
pub fn clean_input(input: &str) -> (String, Removed) {
    let mut removed = Removed::default();
    let mut out = String::with_capacity(input.len());
    let mut chars = input.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\r' => {
                // CRLF and lone CR both become one line break.
                if chars.peek() == Some(&'\n') {
                    chars.next();
                }
                out.push('\n');
            }
            '\n' | '\t' => out.push(c),
            c if is_invisible(c) => removed.invisible += 1,
            c if c.is_control() => removed.control += 1,
            c if is_odd_space(c) => {
                removed.odd_spaces += 1;
                out.push(' ');
            }
            c => out.push(c),
        }
    }
    (out, removed)
}

/// How far past `max` characters `chars` is; `None` within the limit.
pub fn over_limit(chars: usize, max: usize) -> Option<usize> {
    chars.checked_sub(max).filter(|over| *over > 0)
}

/// The byte index in `text` of the position `units` UTF-16 code units in (the unit of a text
/// field's `selectionStart`), clamped to the end and never inside a character.
pub fn byte_index(text: &str, units: usize) -> usize {
    let mut seen = 0;
    for (i, c) in text.char_indices() {
        if seen >= units {
            return i;
        }
        seen += c.len_utf16();
    }
    text.len()
}

/// `current` with the UTF-16 range `start..end` (a text field's selection) replaced by `inserted`
/// cleaned, what cleaning removed, and where the caret goes (UTF-16, just after the inserted
/// text). Only the inserted part is cleaned: the rest was cleaned as it was typed. For a paste of
/// a megabyte this is one pass over the text, and the field is written once.
pub fn splice_clean(
    current: &str,
    start: usize,
    end: usize,
    inserted: &str,
) -> (String, Removed, usize) {
    let (from, to) = (byte_index(current, start), byte_index(current, end));
    let (from, to) = (from.min(to), from.max(to));
    let (clean, removed) = clean_input(inserted);
    let mut out = String::with_capacity(current.len() - (to - from) + clean.len());
    out.push_str(&current[..from]);
    out.push_str(&clean);
    out.push_str(&current[to..]);
    let caret = current[..from].encode_utf16().count() + clean.encode_utf16().count();
    (out, removed, caret)
}

/// Text from a server, made safe to show in one line: cleaned, whitespace collapsed.
pub fn clean_for_display(input: &str) -> String {
    let (clean, _) = clean_input(input);
    clean.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// At most `max` characters (not bytes: never splits a letter), with an ellipsis when cut.
pub fn truncate_chars(input: &str, max: usize) -> String {
    match input.char_indices().nth(max) {
        None => input.to_owned(),
        Some((cut, _)) => format!("{}…", &input[..cut]),
    }
}

/// Length as the citizen counts it (characters, not bytes).
pub fn char_count(input: &str) -> usize {
    input.chars().count()
}

const BASE64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with padding (FHIR `Attachment.data`).
pub fn base64_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(BASE64[(n >> (18 - 6 * i)) as usize & 63]));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Decodes standard base64 (whitespace ignored, padding optional); `None` for anything else.
pub fn base64_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() / 4 * 3);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes().filter(|c| !c.is_ascii_whitespace()) {
        if c == b'=' {
            break;
        }
        let v = BASE64.iter().position(|b| *b == c)? as u32;
        acc = (acc << 6) | v;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_and_refuses_garbage() {
        for text in ["", "f", "fo", "foo", "foob", "fooba", "foobar", "Äiti ♥ 🙂"] {
            let encoded = base64_encode(text.as_bytes());
            assert_eq!(base64_decode(&encoded).as_deref(), Some(text.as_bytes()));
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base64_encode(b"fo"), "Zm8=");
        assert_eq!(base64_decode("Zm9v\nYmE=").as_deref(), Some(&b"fooba"[..]));
        assert_eq!(base64_decode("not*base64"), None);
    }

    #[test]
    fn keeps_finnish_and_swedish_letters_and_line_breaks() {
        let (out, removed) = clean_input("Äidin toive:\nei sydäntä. Åland ok");
        assert_eq!(out, "Äidin toive:\nei sydäntä. Åland ok");
        assert!(!removed.any());
    }

    #[test]
    fn removes_hidden_characters_and_counts_them() {
        let (out, removed) =
            clean_input("ei\u{200B} sy\u{FEFF}dän\u{0007}tä\u{00A0}kiitos\r\nrivi");
        assert_eq!(out, "ei sydäntä kiitos\nrivi");
        assert_eq!(removed.invisible, 2);
        assert_eq!(removed.control, 1);
        assert_eq!(removed.odd_spaces, 1);
        assert_eq!(removed.total(), 4);
    }

    #[test]
    fn truncates_on_character_boundaries() {
        assert_eq!(truncate_chars("äöåäöå", 3), "äöå…");
        assert_eq!(truncate_chars("abc", 3), "abc");
        assert_eq!(char_count("äö"), 2);
    }

    #[test]
    fn over_limit_says_by_how_much() {
        assert_eq!(over_limit(20_000, 20_000), None);
        assert_eq!(over_limit(3, 20_000), None);
        assert_eq!(over_limit(1_000_000, 20_000), Some(980_000));
    }

    #[test]
    fn utf16_positions_become_byte_indices_on_character_boundaries() {
        let text = "aä🙂b";
        assert_eq!(byte_index(text, 0), 0);
        assert_eq!(byte_index(text, 1), 1);
        assert_eq!(byte_index(text, 2), 3);
        // Inside the surrogate pair of 🙂: the character is not split.
        assert_eq!(byte_index(text, 3), 7);
        assert_eq!(byte_index(text, 4), 7);
        assert_eq!(byte_index(text, 5), 8);
        assert_eq!(byte_index(text, 99), 8);
    }

    #[test]
    fn a_paste_is_cleaned_where_it_lands_and_the_rest_is_kept() {
        // Replaces the selected "X" (UTF-16 4..5, after "äö🙂"), cleans only what was pasted.
        let (out, removed, caret) = splice_clean("äö🙂X loppu", 4, 5, "ei\u{200B} sydäntä\r\n");
        assert_eq!(out, "äö🙂ei sydäntä\n loppu");
        assert_eq!(removed.invisible, 1);
        assert_eq!(caret, 4 + "ei sydäntä\n".encode_utf16().count());
        // A selection given backwards or past the end is still one clean insertion.
        let (out, _, caret) = splice_clean("abc", 9, 1, "Z");
        assert_eq!((out.as_str(), caret), ("aZ", 2));
    }

    #[test]
    fn a_megabyte_paste_keeps_every_visible_character() {
        let line = "Toivon, että minua hoidetaan kotona\u{200B} ja kipuni lievitetään.\n";
        let pasted = line.repeat(1_000_000 / line.chars().count() + 1);
        let (out, removed, caret) = splice_clean("", 0, 0, &pasted);
        assert_eq!(removed.invisible, pasted.matches('\u{200B}').count());
        assert_eq!(
            char_count(&out),
            char_count(&pasted) - removed.invisible,
            "nothing but the hidden characters is dropped"
        );
        assert_eq!(caret, out.encode_utf16().count());
        assert_eq!(
            over_limit(char_count(&out), 20_000).map(|o| o > 900_000),
            Some(true)
        );
    }

    #[test]
    fn display_text_is_one_clean_line() {
        assert_eq!(clean_for_display("  a\n\tb\u{200B}c  "), "a bc");
    }
}
