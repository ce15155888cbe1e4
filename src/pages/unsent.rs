//! "Unsent saves": everything still in the outbox, why, and what happens next.

use leptos::prelude::*;

use crate::i18n::Msg;
use crate::save::outbox::OutboxEntry;
use crate::save::sync::use_outbox;
use crate::ui::save_status::describe;
use crate::ui::use_i18n;

/// What the citizen calls the record an entry saves.
pub fn record_label(record: &str) -> Msg {
    match record.split('/').next() {
        Some("organ-donation") => Msg::RecordOrganDonation,
        _ => Msg::UnsentTitle,
    }
}

/// One unsent save.
#[component]
fn UnsentItem(entry: OutboxEntry) -> impl IntoView {
    let i18n = use_i18n();
    let Some(outbox) = use_outbox() else {
        return ().into_any();
    };
    let record = entry.record.clone();
    let last = entry.attempts.last().cloned();
    view! {
        <li class="tahto-card tahto-unsent-item" data-testid="unsent-item">
            <h2>{move || i18n.t(record_label(&entry.record))}</h2>
            <p class="tahto-state-headline">{move || describe(&i18n, &entry.state)}</p>
            <p class="tahto-hint">
                {move || i18n.format(Msg::UnsentAttempts, &[("count", &entry.attempt_count.to_string())])}
            </p>
            {last.map(|a| {
                let at = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(a.at_ms));
                let iso: String = at.to_iso_string().into();
                view! {
                    <p class="tahto-hint">
                        {move || i18n.format(
                            Msg::UnsentLastTry,
                            &[("time", &crate::web::format_time_seconds(&iso, i18n.lang.get())), ("outcome", &a.outcome)],
                        )}
                    </p>
                }
            })}
            <button type="button" class="tahto-button" on:click=move |_| outbox.retry_now(&record)>
                {move || i18n.t(Msg::RetryNow)}
            </button>
        </li>
    }
    .into_any()
}

/// The list of unsent saves.
#[component]
pub fn UnsentPage(
    /// Goes back to the citizen's decisions.
    on_back: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let Some(outbox) = use_outbox() else {
        return ().into_any();
    };
    view! {
        <article class="tahto-page" aria-labelledby="tahto-unsent-title">
            <h1 id="tahto-unsent-title" tabindex="-1">{move || i18n.t(Msg::UnsentTitle)}</h1>
            <p class="tahto-lead">{move || i18n.t(Msg::UnsentIntro)}</p>
            <Show
                when=move || !outbox.entries.with(Vec::is_empty)
                fallback=move || view! { <p data-testid="unsent-none">{i18n.t(Msg::UnsentNone)}</p> }
            >
                <ul class="tahto-unsent-list">
                    <For
                        each=move || outbox.entries.get()
                        key=|e| (e.id.clone(), e.attempt_count, e.state.name())
                        children=|entry| view! { <UnsentItem entry /> }
                    />
                </ul>
            </Show>
            <button type="button" class="tahto-button" on:click=move |_| on_back.run(())>
                {move || i18n.t(Msg::BackToDecisions)}
            </button>
        </article>
    }
    .into_any()
}
