//! The header menu with "Forget this device": everything Tahto keeps on this device for the
//! citizen goes, but never an unsent save by accident. With saves still unsent the citizen either
//! waits until they are sent, or discards them by an explicit, confirmed choice.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::saving::SaveText;
use crate::save::record::FORGOTTEN_KEY;
use crate::save::sync::Outbox;
use crate::ui::{use_announcer, use_i18n};

/// Where the citizen is in forgetting the device.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    Closed,
    /// What will go, and the choices.
    Asking,
    /// Discarding unsent saves: asked once more.
    ConfirmDiscard,
    /// Waiting for the unsent saves to be sent.
    Sending,
}

/// Forgets the device, then reloads: nothing the citizen typed stays in the page either.
fn forget_and_reload(outbox: Outbox) {
    spawn_local(async move {
        outbox.forget_device().await;
        if let Some(window) = crate::web::window() {
            let _reloaded = window.location().reload();
        }
    });
}

#[component]
pub fn DeviceMenu() -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let outbox = expect_context::<Outbox>();
    let step = RwSignal::new(Step::Closed);
    let unsent = move || outbox.unsent_records().len();
    // Said once after the reload that followed forgetting.
    if crate::web::session_stored(FORGOTTEN_KEY).is_some() {
        crate::web::session_forget(FORGOTTEN_KEY);
        announcer.status(i18n.t(SaveText::Forgotten).to_owned());
    }
    // Sending first: forgotten as soon as nothing is left to send.
    Effect::new(move |_| {
        if step.get() == Step::Sending && unsent() == 0 {
            step.set(Step::Closed);
            forget_and_reload(outbox);
        }
    });
    let on_forget = move |_| {
        if unsent() == 0 {
            forget_and_reload(outbox);
        } else {
            step.set(Step::ConfirmDiscard);
        }
    };
    let on_send_first = move |_| {
        step.set(Step::Sending);
        outbox.send_all_now();
        announcer.status(i18n.t(SaveText::ForgetSending).to_owned());
    };
    let shown = move |s: Step| move || step.get() != s;
    let count_text = move |msg: SaveText| {
        move || i18n.format(msg, &[("count", &unsent().to_string())])
    };
    view! {
        <div class="tahto-device-menu">
            <button
                type="button"
                class="tahto-button tahto-menu-button"
                aria-expanded=move || (step.get() != Step::Closed).to_string()
                aria-controls="tahto-device-panel"
                on:click=move |_| {
                    step.update(|s| *s = if *s == Step::Closed { Step::Asking } else { Step::Closed })
                }
            >
                {i18n.tr(SaveText::ForgetDevice)}
            </button>
            <section
                id="tahto-device-panel"
                class="tahto-card tahto-device-panel"
                data-testid="forget-device"
                aria-labelledby="tahto-device-title"
                hidden=move || step.get() == Step::Closed
            >
                <h2 id="tahto-device-title">{i18n.tr(SaveText::ForgetDevice)}</h2>
                <p>{i18n.tr(SaveText::ForgetExplain)}</p>
                <div hidden=shown(Step::Asking)>
                    <p hidden=move || unsent() == 0>{count_text(SaveText::ForgetUnsent)}</p>
                    <div class="tahto-actions">
                        <button type="button" class="tahto-button tahto-primary" hidden=move || unsent() == 0 on:click=on_send_first>
                            {i18n.tr(SaveText::ForgetSendFirst)}
                        </button>
                        <button type="button" class="tahto-button" on:click=on_forget>
                            {move || i18n.t(if unsent() == 0 { SaveText::ForgetNow } else { SaveText::ForgetDiscard })}
                        </button>
                        <button type="button" class="tahto-button" on:click=move |_| step.set(Step::Closed)>
                            {i18n.tr(SaveText::Cancel)}
                        </button>
                    </div>
                </div>
                <div role="alertdialog" aria-labelledby="tahto-discard-unsent-q" hidden=shown(Step::ConfirmDiscard)>
                    <p id="tahto-discard-unsent-q">{count_text(SaveText::ForgetDiscardConfirm)}</p>
                    <div class="tahto-actions">
                        <button type="button" class="tahto-button" on:click=move |_| forget_and_reload(outbox)>
                            {i18n.tr(SaveText::ForgetDiscardYes)}
                        </button>
                        <button type="button" class="tahto-button tahto-primary" on:click=move |_| step.set(Step::Asking)>
                            {i18n.tr(SaveText::ForgetDiscardNo)}
                        </button>
                    </div>
                </div>
                <div role="status" hidden=shown(Step::Sending)>
                    <p>{count_text(SaveText::ForgetWaiting)}</p>
                    <button type="button" class="tahto-button" on:click=move |_| step.set(Step::Asking)>
                        {i18n.tr(SaveText::Cancel)}
                    </button>
                </div>
            </section>
        </div>
    }
}
