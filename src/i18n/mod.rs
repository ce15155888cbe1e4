//! Every user-visible string, in Finnish (default), Swedish and English.
//!
//! Every text is declared with all three languages side by side ([`texts!`]), so a missing
//! translation does not compile.
//! Templates use `{name}` placeholders; a native test checks every language has the same ones.

pub mod config_texts;
pub mod declarations;
pub mod format;
pub mod later;
mod messages;
pub mod organ_donation;
pub mod records;
pub mod saving;
pub mod shell;

pub use messages::Msg;

/// A language Tahto speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Lang {
    #[default]
    Fi,
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Lang; 3] = [Lang::Fi, Lang::Sv, Lang::En];

    /// BCP 47 language tag, for `lang` attributes.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::Sv => "sv",
            Lang::En => "en",
        }
    }

    /// The locale whose dates and numbers `format.rs` writes (tests/web.rs checks it against Intl).
    pub fn locale(self) -> &'static str {
        match self {
            Lang::Fi => "fi-FI",
            Lang::Sv => "sv-FI",
            Lang::En => "en-GB",
        }
    }

    /// The language's name in itself, for the language switch.
    pub fn native_name(self) -> &'static str {
        match self {
            Lang::Fi => "Suomi",
            Lang::Sv => "Svenska",
            Lang::En => "English",
        }
    }

    /// Reads exactly `fi`, `sv` or `en` (a message's language, not a page's tag).
    pub fn parse_exact(code: &str) -> Option<Lang> {
        Lang::ALL.into_iter().find(|l| l.code() == code)
    }

    /// Reads `fi`, `sv-FI`, `EN`…; `None` for languages Tahto does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    /// A template with its `{name}` placeholders filled in.
    pub fn format(self, msg: impl Text, args: &[(&str, &str)]) -> String {
        let mut out = msg.text(self).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

/// Something with a text in every language: [`Msg`] (the shell, the save states, the first
/// declarations) and the texts of each later section, declared with [`texts!`] next to their
/// section's other texts, so a split-off part carries only the texts of its own sections.
pub trait Text: Copy + Send + Sync + 'static {
    fn text(self, lang: Lang) -> &'static str;
}

/// The end of each text in a [`texts!`] table, from their lengths; a table too long for `u16`
/// offsets does not compile.
pub const fn ends<const N: usize>(lengths: [usize; N]) -> [u16; N] {
    let mut ends = [0u16; N];
    let (mut i, mut end) = (0, 0);
    while i < N {
        end += lengths[i];
        assert!(end <= u16::MAX as usize, "texts! table over 64 KB");
        ends[i] = end as u16;
        i += 1;
    }
    ends
}

/// Text `i` of a [`texts!`] table.
pub fn joined_text(joined: &'static str, ends: &[u16], i: usize) -> &'static str {
    let start = match i.checked_sub(1) {
        Some(before) => ends.get(before).copied().unwrap_or(0),
        None => 0,
    };
    let end = ends.get(i).copied().unwrap_or(0);
    joined
        .get(usize::from(start)..usize::from(end))
        .unwrap_or_default()
}

/// Declares an enum of texts, each given as `Name => ["fi", "sv", "en"]`: a text missing a
/// language does not compile. Test each with [`check_texts`].
#[macro_export]
macro_rules! texts {
    ($(#[$meta:meta])* $vis:vis enum $name:ident {
        $($variant:ident => [$fi:literal, $sv:literal, $en:literal $(,)?]),* $(,)?
    }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        $vis enum $name { $($variant),* }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),*];
            /// Every text, one after the other: every variant's in Finnish, then in Swedish, then
            /// in English (one language at a time compresses better than the three interleaved).
            const JOINED: &'static str = concat!($($fi,)* $($sv,)* $($en),*);
            /// Where each text of `JOINED` ends.
            const ENDS: &'static [u16] =
                &$crate::i18n::ends([$($fi.len(),)* $($sv.len(),)* $($en.len()),*]);
        }

        impl $crate::i18n::Text for $name {
            fn text(self, lang: $crate::i18n::Lang) -> &'static str {
                let index = lang as usize * Self::ALL.len() + self as usize;
                $crate::i18n::joined_text(Self::JOINED, Self::ENDS, index)
            }
        }
    };
}

/// The `{name}` placeholders of a template, sorted.
#[cfg(test)]
fn placeholders(s: &str) -> Vec<String> {
    let mut found: Vec<String> = s
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
        .collect();
    found.sort();
    found
}

/// Checks a set of texts: none empty, the same placeholders in every language, and Finnish and
/// Swedish not left as copies of English (except the texts in `same_ok`, such as names).
#[cfg(test)]
pub fn check_texts<T: Text + std::fmt::Debug + PartialEq>(all: &[T], same_ok: &[T]) {
    for &text in all {
        let reference = placeholders(text.text(Lang::En));
        for lang in Lang::ALL {
            let t = text.text(lang);
            assert!(!t.trim().is_empty(), "{text:?} is empty in {lang:?}");
            assert_eq!(
                placeholders(t),
                reference,
                "{text:?} placeholders in {lang:?}"
            );
        }
        let copied = text.text(Lang::Fi) == text.text(Lang::En)
            || text.text(Lang::Sv) == text.text(Lang::En);
        assert!(
            !copied || same_ok.contains(&text),
            "{text:?} is not translated"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_exists_in_every_language_with_the_same_placeholders() {
        // Names and words that are the same in both languages may match; sentences may not.
        check_texts(Msg::ALL, &[]);
    }

    crate::texts! {
        enum Sample {
            First => ["yksi", "ett", "one"],
            Empty => ["", "", ""],
            Last => ["äiti ✓", "mor", "mother"],
        }
    }

    #[test]
    fn texts_tables_give_each_variant_its_own_text_in_each_language() {
        let all: Vec<_> = Sample::ALL
            .iter()
            .flat_map(|s| Lang::ALL.map(|l| s.text(l)))
            .collect();
        assert_eq!(
            all,
            ["yksi", "ett", "one", "", "", "", "äiti ✓", "mor", "mother"]
        );
        assert_eq!(
            joined_text("ab", &[1, 2], 2),
            "",
            "past the end: empty, no panic"
        );
    }

    #[test]
    fn parses_language_tags_and_fills_templates() {
        assert_eq!(Lang::parse("sv-FI"), Some(Lang::Sv));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("de"), None);
        assert_eq!(
            Lang::En.format(Msg::StateConfirmed, &[("time", "14:03"), ("version", "3")]),
            "Saved at 14:03 · version 3"
        );
    }
}
