//! The app header: name and language switch.

use leptos::prelude::*;

use crate::i18n::shell::ShellText;

use super::i18n::use_i18n;
use crate::i18n::Lang;

/// Buttons for Finnish, Swedish and English; the current one is pressed.
#[component]
pub fn LanguageSwitch() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <nav class="tahto-lang" aria-label=i18n.tr(ShellText::LanguageNavLabel)>
            {Lang::ALL
                .into_iter()
                .map(|lang| {
                    view! {
                        <button
                            type="button"
                            class="tahto-lang-button"
                            lang=lang.code()
                            aria-pressed=move || (i18n.lang.get() == lang).to_string()
                            on:click=move |_| i18n.choose(lang)
                        >
                            {lang.native_name()}
                        </button>
                    }
                })
                .collect_view()}
        </nav>
    }
}

/// The app header: name, app-wide indicators (`children`), language switch.
#[component]
pub fn Header(
    /// App-wide indicators shown before the language switch.
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <header class="tahto-header">
            <span class="tahto-brand">{i18n.tr(ShellText::AppName)}</span>
            <div class="tahto-header-tools">
                {children.map(|c| c())}
                <LanguageSwitch />
            </div>
        </header>
    }
}
