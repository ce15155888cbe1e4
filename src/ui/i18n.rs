//! The citizen's language as an app-wide context.

use leptos::prelude::*;

use crate::i18n::{Lang, Text};

use crate::save::record::LANGUAGE_KEY as STORAGE_KEY;

/// The current language; reading it from a view makes that view follow language changes.
#[derive(Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// The citizen's earlier choice wins over the host page's default.
    pub fn new(host_default: Lang) -> Self {
        let lang = crate::web::stored(STORAGE_KEY)
            .and_then(|tag| Lang::parse(&tag))
            .unwrap_or(host_default);
        Self {
            lang: RwSignal::new(lang),
        }
    }

    pub fn choose(&self, lang: Lang) {
        self.lang.set(lang);
        // If storage is blocked the choice lasts for this visit only; nothing else depends on it.
        let _remembered = crate::web::store(STORAGE_KEY, lang.code());
    }

    /// The text of `msg` as a view that follows the language. Every call returns the same closure
    /// type, so the hundreds of texts in the views share one piece of rendering code (a distinct
    /// `move || i18n.t(..)` closure per text costs its own).
    pub fn tr<M: Text>(self, msg: M) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || self.t(msg)
    }

    pub fn t<M: Text>(&self, msg: M) -> &'static str {
        msg.text(self.lang.get())
    }

    pub fn format<M: Text>(&self, msg: M, args: &[(&str, &str)]) -> String {
        self.lang.get().format(msg, args)
    }
}

pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or_else(|| I18n::new(Lang::default()))
}
