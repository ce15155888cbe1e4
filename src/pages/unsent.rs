//! "Unsent saves": every save that has not reached the service, why, and what happens next.

use leptos::prelude::*;

use crate::i18n::later::LaterText;

use crate::i18n::Msg;
use crate::save::sync::Outbox;
use crate::save::Record;
use crate::ui::save_status::describe;
use crate::ui::use_i18n;

/// One unsent save.
#[component]
fn UnsentItem(
    /// The record the save belongs to.
    record: Record,
    /// The app's outbox.
    outbox: Outbox,
) -> impl IntoView {
    let i18n = use_i18n();
    let record = StoredValue::new(record);
    // How old the save is: a citizen who comes back days later sees it is still waiting.
    let made = move || {
        record
            .with_value(|r| outbox.unsent_since(r))
            .map(|ms| {
                let iso: String = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms))
                    .to_iso_string()
                    .into();
                let when = crate::web::format_date_time(&iso, i18n.lang.get());
                i18n.format(LaterText::UnsentAge, &[("time", &when)])
            })
            .unwrap_or_default()
    };
    view! {
        <li class="tahto-card tahto-unsent-item" data-testid="unsent-item">
            <h2>{move || i18n.t(record.with_value(Record::label))}</h2>
            <p class="tahto-hint" data-testid="unsent-age">{made}</p>
            <p class="tahto-state-headline">
                {move || describe(&i18n, &record.with_value(|r| outbox.state_of(r)))}
            </p>
            <button
                type="button"
                class="tahto-button"
                on:click=move |_| record.with_value(|r| outbox.retry_now(r))
            >
                {i18n.tr(Msg::RetryNow)}
            </button>
        </li>
    }
}

/// The list of unsent saves.
#[component]
pub fn UnsentPage() -> impl IntoView {
    let i18n = use_i18n();
    let router = crate::router::use_router();
    let outbox = expect_context::<Outbox>();
    // Keyed by record: a backoff retry updates an item's state in place instead of rebuilding
    // the list, so a "Retry now" button is never swapped out under the citizen's finger.
    let unsent = move || outbox.unsent_records();
    view! {
        <article class="tahto-page" aria-labelledby="tahto-unsent-title">
            <h1 id="tahto-unsent-title">{i18n.tr(Msg::UnsentTitle)}</h1>
            <p class="tahto-lead">
                {move || i18n.t(if outbox.keeps_on_device() { LaterText::UnsentIntro } else { LaterText::UnsentIntroOnlyHere })}
            </p>
            <Show
                when=move || !unsent().is_empty()
                fallback=move || view! { <p data-testid="unsent-none">{i18n.t(LaterText::UnsentNone)}</p> }
            >
                <ul class="tahto-unsent-list">
                    <For each=unsent key=Record::key let(record)>
                        <UnsentItem record outbox />
                    </For>
                </ul>
            </Show>
            <button type="button" class="tahto-button" on:click=move |_| router.go(crate::sections::View::Home)>
                {i18n.tr(LaterText::BackToDecisions)}
            </button>
        </article>
    }
}
