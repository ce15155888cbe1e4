//! Every user-visible string, in Finnish (default), Swedish and English.
//!
//! Each language is one exhaustive `match` over [`Msg`], so a missing translation does not compile.
//! Templates use `{name}` placeholders; a native test checks every language has the same ones.

mod en;
mod fi;
mod sv;

use crate::domain::organ_donation::{DonationChoice, Organ};

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

    /// Locale for dates and numbers (Finnish conventions in all three languages).
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

    /// Reads `fi`, `sv-FI`, `EN`…; `None` for languages Tahto does not speak.
    pub fn parse(tag: &str) -> Option<Lang> {
        let primary = tag.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        Lang::ALL.into_iter().find(|l| l.code() == primary)
    }

    pub fn text(self, msg: Msg) -> &'static str {
        match self {
            Lang::Fi => fi::text(msg),
            Lang::Sv => sv::text(msg),
            Lang::En => en::text(msg),
        }
    }

    /// A template with its `{name}` placeholders filled in.
    pub fn format(self, msg: Msg, args: &[(&str, &str)]) -> String {
        let mut out = self.text(msg).to_owned();
        for (name, value) in args {
            out = out.replace(&format!("{{{name}}}"), value);
        }
        out
    }
}

macro_rules! messages {
    ($($name:ident),* $(,)?) => {
        /// A user-visible message. Add a variant here and the compiler asks for all three languages.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg { $($name),* }
        impl Msg {
            pub const ALL: &'static [Msg] = &[$(Msg::$name),*];
        }
    };
}

messages! {
    AppName,
    LanguageNavLabel,
    Loading,
    ConfigProblem,
    OrganDonationTitle,
    OrganDonationIntro,
    CurrentHeading,
    CurrentLoading,
    CurrentNone,
    CurrentRecorded,
    CurrentPending,
    LoadFailed,
    TryAgain,
    DecisionLegend,
    ChoiceConsent,
    ChoiceRefuse,
    ChoiceConsentExcept,
    ExcludedLegend,
    OrganKidneys,
    OrganLiver,
    OrganHeart,
    OrganLungs,
    OrganPancreas,
    OrganSmallIntestine,
    OrganCorneas,
    OrganSkin,
    OrganBones,
    OrganHeartValves,
    ExcludedSummary,
    NoteLabel,
    NoteHint,
    NoteCount,
    NoteCleaned,
    SaveDecision,
    ProblemNoChoice,
    ProblemNoOrgan,
    ProblemNoteTooLong,
    StateSaving,
    StateSavingSlow,
    StateConfirmed,
    ReceiptHeading,
    ReceiptId,
    ReceiptVersion,
    ReceiptServerTime,
    StateQueued,
    WhyUnreachable,
    WhyTimeout,
    WhyServiceError,
    WhyGarbled,
    QueuedKept,
    RetryAfter,
    RetryNow,
    StateRejected,
    StateRejectedNoReason,
    RejectedKept,
    StateConflict,
    UnsentBadge,
    UnsentTitle,
    UnsentIntro,
    UnsentNone,
    BackToDecisions,
    RecordOrganDonation,
    NextTryAt,
    ConflictMine,
    ConflictTheirs,
    KeepMine,
    TakeTheirs,
    StorageProblem,
    NavLabel,
    NoticeTitle,
    NoticeIntro,
    NoticeVersion,
    NoticeOtherLanguage,
    NoticeConfirm,
    NoticeConfirmed,
    NoticeLoading,
    NoticeLoadFailed,
    NoticeMissing,
    LockedTitle,
    LockedBody,
    LockedCheckFailed,
    OpenNotice,
    RecordNotice,
}

impl Msg {
    pub fn choice(choice: DonationChoice) -> Msg {
        match choice {
            DonationChoice::Consent => Msg::ChoiceConsent,
            DonationChoice::Refuse => Msg::ChoiceRefuse,
            DonationChoice::ConsentExcept => Msg::ChoiceConsentExcept,
        }
    }

    pub fn organ(organ: Organ) -> Msg {
        match organ {
            Organ::Kidneys => Msg::OrganKidneys,
            Organ::Liver => Msg::OrganLiver,
            Organ::Heart => Msg::OrganHeart,
            Organ::Lungs => Msg::OrganLungs,
            Organ::Pancreas => Msg::OrganPancreas,
            Organ::SmallIntestine => Msg::OrganSmallIntestine,
            Organ::Corneas => Msg::OrganCorneas,
            Organ::Skin => Msg::OrganSkin,
            Organ::Bones => Msg::OrganBones,
            Organ::HeartValves => Msg::OrganHeartValves,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn placeholders(s: &str) -> Vec<String> {
        let mut found: Vec<String> = s
            .split('{')
            .skip(1)
            .filter_map(|rest| rest.split_once('}').map(|(name, _)| name.to_owned()))
            .collect();
        found.sort();
        found
    }

    #[test]
    fn every_message_exists_in_every_language_with_the_same_placeholders() {
        for &msg in Msg::ALL {
            let reference = placeholders(Lang::En.text(msg));
            for lang in Lang::ALL {
                let text = lang.text(msg);
                assert!(!text.trim().is_empty(), "{msg:?} is empty in {lang:?}");
                assert_eq!(
                    placeholders(text),
                    reference,
                    "{msg:?} placeholders in {lang:?}"
                );
            }
        }
    }

    #[test]
    fn translations_are_not_copies_of_english() {
        // Names and words that are the same in both languages may match; sentences may not.
        let allowed = [Msg::AppName, Msg::ReceiptVersion];
        let same: Vec<Msg> = Msg::ALL
            .iter()
            .copied()
            .filter(|m| {
                Lang::Fi.text(*m) == Lang::En.text(*m) || Lang::Sv.text(*m) == Lang::En.text(*m)
            })
            .filter(|m| !allowed.contains(m))
            .collect();
        assert!(same.is_empty(), "untranslated: {same:?}");
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
