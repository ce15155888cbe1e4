//! A partner's look for Tahto in its frame: a few colours, a corner radius and a font family,
//! checked before any reaches a style, and never at the cost of legibility.

use serde_json::{Map, Value};

/// An sRGB colour written `#rgb` or `#rrggbb`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rgb(pub u8, pub u8, pub u8);

impl Rgb {
    pub fn parse(text: &str) -> Option<Rgb> {
        let digits = text
            .strip_prefix('#')?
            .bytes()
            .map(|b| char::from(b).to_digit(16).map(|d| d as u8))
            .collect::<Option<Vec<u8>>>()?;
        match digits[..] {
            [r, g, b] => Some(Rgb(r * 17, g * 17, b * 17)),
            [r1, r2, g1, g2, b1, b2] => Some(Rgb(r1 * 16 + r2, g1 * 16 + g2, b1 * 16 + b2)),
            _ => None,
        }
    }

    /// WCAG 2 relative luminance.
    fn luminance(self) -> f64 {
        let channel = |c: u8| f64::from(LINEAR[usize::from(c)]) / 65535.0;
        0.2126 * channel(self.0) + 0.7152 * channel(self.1) + 0.0722 * channel(self.2)
    }

    /// WCAG 2 contrast ratio with `other` (1 to 21).
    pub fn contrast(self, other: Rgb) -> f64 {
        let (a, b) = (self.luminance(), other.luminance());
        (a.max(b) + 0.05) / (a.min(b) + 0.05)
    }
}

/// Each 8-bit sRGB channel value in linear light, scaled to 65535: WCAG's `((c + 0.055) / 1.055)^2.4`
/// computed ahead (tested against it), so no power function is in the wasm for this alone.
const LINEAR: [u16; 256] = [
    0, 20, 40, 60, 80, 99, 119, 139, 159, 179, 199, 219, 241, 264, 288, 313, 340, 367, 396, 427,
    458, 491, 526, 562, 599, 637, 677, 718, 761, 805, 851, 898, 947, 997, 1048, 1101, 1156, 1212,
    1270, 1330, 1391, 1453, 1517, 1583, 1651, 1720, 1790, 1863, 1937, 2013, 2090, 2170, 2250, 2333,
    2418, 2504, 2592, 2681, 2773, 2866, 2961, 3058, 3157, 3258, 3360, 3464, 3570, 3678, 3788, 3900,
    4014, 4129, 4247, 4366, 4488, 4611, 4736, 4864, 4993, 5124, 5257, 5392, 5530, 5669, 5810, 5953,
    6099, 6246, 6395, 6547, 6700, 6856, 7014, 7174, 7335, 7500, 7666, 7834, 8004, 8177, 8352, 8528,
    8708, 8889, 9072, 9258, 9445, 9635, 9828, 10022, 10219, 10417, 10619, 10822, 11028, 11235,
    11446, 11658, 11873, 12090, 12309, 12530, 12754, 12980, 13209, 13440, 13673, 13909, 14146,
    14387, 14629, 14874, 15122, 15371, 15623, 15878, 16135, 16394, 16656, 16920, 17187, 17456,
    17727, 18001, 18277, 18556, 18837, 19121, 19407, 19696, 19987, 20281, 20577, 20876, 21177,
    21481, 21787, 22096, 22407, 22721, 23038, 23357, 23678, 24002, 24329, 24658, 24990, 25325,
    25662, 26001, 26344, 26688, 27036, 27386, 27739, 28094, 28452, 28813, 29176, 29542, 29911,
    30282, 30656, 31033, 31412, 31794, 32179, 32567, 32957, 33350, 33745, 34143, 34544, 34948,
    35355, 35764, 36176, 36591, 37008, 37429, 37852, 38278, 38706, 39138, 39572, 40009, 40449,
    40891, 41337, 41785, 42236, 42690, 43147, 43606, 44069, 44534, 45002, 45473, 45947, 46423,
    46903, 47385, 47871, 48359, 48850, 49344, 49841, 50341, 50844, 51349, 51858, 52369, 52884,
    53401, 53921, 54445, 54971, 55500, 56032, 56567, 57105, 57646, 58190, 58737, 59287, 59840,
    60396, 60955, 61517, 62082, 62650, 63221, 63795, 64372, 64952, 65535,
];

const WHITE: Rgb = Rgb(0xff, 0xff, 0xff);
/// Tahto's own colours (style/tahto.css), for what a theme leaves out.
const INK: Rgb = Rgb(0x1a, 0x1f, 0x24);
const BG: Rgb = Rgb(0xf5, 0xf7, 0xf8);
const CARD: Rgb = WHITE;
const BRAND: Rgb = Rgb(0x0b, 0x5b, 0x7a);
/// Secondary text, which a theme does not set (nor the colours of the save states, all made for
/// light backgrounds): a background must keep it legible.
const MUTED: Rgb = Rgb(0x4a, 0x55, 0x60);
/// WCAG AA for text.
const MIN_CONTRAST: f64 = 4.5;
/// WCAG AA for borders, focus rings and chart lines.
const MIN_NON_TEXT_CONTRAST: f64 = 3.0;

/// What a partner may set; anything it leaves out stays Tahto's own.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Theme {
    /// The custom properties of Tahto's style sheet to set, with their values (each checked).
    properties: Vec<(&'static str, String)>,
}

impl Theme {
    /// Reads a `set-theme` payload (`brand`, `ink`, `bg`, `card`: `#rgb` or `#rrggbb`; `radius`:
    /// `0px` to `24px`; `font`: a font-family list): only those, each valid, and text that stays
    /// legible (WCAG AA: ink and Tahto's secondary text on the background and on cards, white on
    /// the brand colour; the brand colour's borders and lines on cards). `None` otherwise: the
    /// theme is refused whole, not applied in part.
    pub fn from_payload(payload: &Map<String, Value>) -> Option<Theme> {
        let (mut ink, mut bg, mut card, mut brand) = (INK, BG, CARD, BRAND);
        let mut properties = Vec::new();
        for (key, value) in payload {
            let text = value.as_str()?;
            let name = match key.as_str() {
                "brand" => {
                    brand = Rgb::parse(text)?;
                    // Hover and pressed states: the same colour, darker.
                    let dark = ["color-mix(in srgb, ", text, " 70%, #000)"].concat();
                    properties.push(("--tahto-brand-dark", dark));
                    "--tahto-brand"
                }
                "ink" => {
                    ink = Rgb::parse(text)?;
                    "--tahto-ink"
                }
                "bg" => {
                    bg = Rgb::parse(text)?;
                    "--tahto-bg"
                }
                "card" => {
                    card = Rgb::parse(text)?;
                    "--tahto-card"
                }
                "radius" if is_radius(text) => "--tahto-radius",
                "font" if is_font(text) => "--tahto-font",
                _ => return None,
            };
            properties.push((name, text.to_owned()));
        }
        let legible = [ink, MUTED]
            .iter()
            .all(|text| text.contrast(bg) >= MIN_CONTRAST && text.contrast(card) >= MIN_CONTRAST)
            && WHITE.contrast(brand) >= MIN_CONTRAST
            && brand.contrast(card) >= MIN_NON_TEXT_CONTRAST;
        legible.then_some(Theme { properties })
    }

    /// The custom properties of Tahto's style sheet this theme sets, with their values.
    pub fn properties(&self) -> &[(&'static str, String)] {
        &self.properties
    }
}

/// `0px` to `24px` (whole pixels).
fn is_radius(text: &str) -> bool {
    let Some(digits) = text.strip_suffix("px") else {
        return false;
    };
    let whole =
        !digits.is_empty() && digits.len() <= 2 && digits.bytes().all(|b| b.is_ascii_digit());
    whole && digits.bytes().fold(0u8, |n, b| n * 10 + (b - b'0')) <= 24
}

/// A font-family list: names of ASCII letters, digits, spaces and hyphens, quoted or not,
/// separated by commas. Nothing that could end the declaration or load anything (`;`, `{`, `(`,
/// `\\`, `/`).
fn is_font(text: &str) -> bool {
    !text.trim().is_empty()
        && text.len() <= 100
        && text
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, ' ' | ',' | '-' | '"' | '\''))
        && text.split(',').all(|name| {
            let unquoted = name.trim().trim_matches(|c| c == '"' || c == '\'');
            !unquoted.is_empty() && !unquoted.contains(['"', '\''])
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn theme(v: Value) -> Option<Theme> {
        Theme::from_payload(v.as_object().unwrap())
    }

    #[test]
    fn the_linear_table_is_the_srgb_curve() {
        for (c, &scaled) in LINEAR.iter().enumerate() {
            let x = c as f64 / 255.0;
            let exact = if x <= 0.04045 {
                x / 12.92
            } else {
                ((x + 0.055) / 1.055).powf(2.4)
            };
            assert!((f64::from(scaled) / 65535.0 - exact).abs() < 1e-5, "{c}");
        }
    }

    #[test]
    fn colours_radius_and_fonts_are_read_strictly() {
        assert_eq!(Rgb::parse("#0B5B7A"), Some(BRAND));
        assert_eq!(Rgb::parse("#fff"), Some(WHITE));
        for bad in [
            "0b5b7a",
            "#0b5b7",
            "#ggg",
            "#0b5b7a00",
            "red",
            "#+1+2+3",
            "",
            "#",
        ] {
            assert_eq!(Rgb::parse(bad), None, "{bad}");
        }
        assert!(is_radius("8px") && is_radius("0px") && is_radius("24px"));
        for bad in ["25px", "8", "-1px", "8.5px", "px", "100px", "8em", " 8px"] {
            assert!(!is_radius(bad), "{bad}");
        }
        assert!(is_font("\"Open Sans\", Arial, sans-serif"));
        for bad in [
            "a;b", "x} body{", "url(x)", "a\\b", "\"\"", "a,,b", "Ari\"al", " ",
        ] {
            assert!(!is_font(bad), "{bad}");
        }
    }

    #[test]
    fn a_theme_is_taken_whole_or_not_at_all() {
        let t = theme(json!({"brand": "#005a8c", "radius": "4px", "font": "Georgia, serif"}));
        assert_eq!(
            t.unwrap().properties(),
            [
                (
                    "--tahto-brand-dark",
                    "color-mix(in srgb, #005a8c 70%, #000)".to_owned()
                ),
                ("--tahto-brand", "#005a8c".to_owned()),
                ("--tahto-radius", "4px".to_owned()),
                ("--tahto-font", "Georgia, serif".to_owned()),
            ]
        );
        assert_eq!(theme(json!({"brand": "#005a8c", "shadow": "1px"})), None);
        assert_eq!(theme(json!({"brand": "#005a8c", "radius": 4})), None);
        assert_eq!(theme(json!({"radius": "99px"})), None);
        assert_eq!(theme(json!({})), Some(Theme::default()));
    }

    #[test]
    fn a_theme_that_makes_text_hard_to_read_is_refused() {
        // Yellow buttons with white text; grey text on grey; a dark card under dark text.
        assert_eq!(theme(json!({"brand": "#ffe066"})), None);
        assert_eq!(theme(json!({"ink": "#888", "bg": "#999"})), None);
        assert_eq!(theme(json!({"card": "#1a1f24"})), None);
        // Dark backgrounds: Tahto's secondary text and state colours are made for light ones.
        assert_eq!(
            theme(json!({"ink": "#f0f0f0", "bg": "#111", "card": "#222"})),
            None
        );
        // A partner's own light look, legible.
        let own = json!({"ink": "#202020", "bg": "#fafaf5", "card": "#ffffff", "brand": "#6a1b4d"});
        assert!(theme(own).is_some());
        assert!((WHITE.contrast(INK) - 16.5).abs() < 0.5);
    }
}
