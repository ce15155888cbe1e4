//! Free text typed or pasted by the citizen: cleaned of hidden characters, counted against its
//! limit as they type.

use leptos::prelude::*;

use crate::i18n::declarations::DeclText;
use crate::ui::use_i18n;

/// A free-text field that cleans pasted text of hidden characters (and says how many it removed)
/// and counts characters against `max` as the citizen types.
#[component]
pub fn CleanTextArea(
    /// The element id (its label points here).
    id: &'static str,
    /// The label text.
    label: DeclText,
    /// The text.
    value: RwSignal<String>,
    /// The longest text accepted.
    max: usize,
    /// Rows shown.
    #[prop(default = 5)]
    rows: u32,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = crate::ui::use_announcer();
    let cleaned = RwSignal::new(0usize);
    let count = move || value.with(|v| crate::text::char_count(v));
    let count_id = format!("{id}-count");
    view! {
        <div class="tahto-field">
            <label for=id>{i18n.tr(label)}</label>
            <textarea
                id=id
                rows=rows
                aria-describedby=count_id.clone()
                prop:value=move || value.get()
                on:input=move |ev| {
                    let (clean, removed) = crate::text::clean_input(&event_target_value(&ev));
                    if removed.any() {
                        cleaned.set(removed.total());
                        // Said once, in the app's live region (one voice for the whole app).
                        announcer.status(i18n.format(
                            DeclText::Cleaned,
                            &[("count", &removed.total().to_string())],
                        ));
                    }
                    value.set(clean);
                }
            ></textarea>
            <p class="tahto-hint" id=count_id class:tahto-over-limit=move || { count() > max }>
                {move || i18n.format(
                    DeclText::CharCount,
                    &[("count", &count().to_string()), ("max", &max.to_string())],
                )}
            </p>
            <p class="tahto-notice" hidden=move || cleaned.get() == 0>
                {move || i18n.format(DeclText::Cleaned, &[("count", &cleaned.get().to_string())])}
            </p>
        </div>
    }
}
