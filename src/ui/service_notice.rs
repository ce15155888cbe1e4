//! The service-wide notice: when the service keeps refusing saves, everyone is told at once that
//! it is not their mistake, that their entries are safe on this device (or, where the browser
//! refuses storage, on this page while it stays open) and will be sent, and how
//! to have their declaration on paper meanwhile. It goes away by itself when a save gets through.

use leptos::prelude::*;

use crate::ui::reactive::effect_with;

use crate::i18n::later::LaterText;

use crate::save::sync::Outbox;
use crate::ui::{use_announcer, use_i18n};

#[component]
pub fn ServiceNotice() -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let outbox = expect_context::<Outbox>();
    let down = move || outbox.service_down.get();
    // Said once when it starts, in the app's one alert region.
    effect_with(move |was: Option<bool>| {
        let now = down();
        if now && was != Some(true) {
            announcer.alert(format!(
                "{} {}",
                i18n.t(LaterText::ServiceDownTitle),
                i18n.t(LaterText::ServiceDownNotYou)
            ));
        }
        now
    });
    view! {
        <section class="tahto-card tahto-service-notice" data-testid="service-notice" hidden=move || !down()>
            <h2>{move || down().then(|| i18n.t(LaterText::ServiceDownTitle))}</h2>
            <p>{move || down().then(|| i18n.t(LaterText::ServiceDownNotYou))}</p>
            <p>
                {move || down().then(|| i18n.t(if outbox.keeps_on_device() { LaterText::ServiceDownKept } else { LaterText::ServiceDownOnlyHere }))}
            </p>
            <p>{move || down().then(|| i18n.t(LaterText::ServiceDownPrint))}</p>
        </section>
    }
}
