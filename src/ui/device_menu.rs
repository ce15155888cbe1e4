//! The header menu with "Forget this device": everything Tahto keeps on this device for the
//! citizen goes, but never an unsent save by accident. With saves still unsent the citizen either
//! waits until they are sent, or discards them by an explicit, confirmed choice.
//!
//! The button is in the first load; the panel it opens comes with the rest of the app
//! (`rest.rs`), with its texts. One static structure (a sentence and three buttons whose words and
//! actions follow the step): every distinct view is code the citizen downloads.

use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::i18n::later::LaterText;
use crate::i18n::shell::ShellText;
use leptos::task::spawn_local;

use crate::rest::ShellPart;
use crate::save::record::FORGOTTEN_KEY;
use crate::save::sync::Outbox;
use crate::ui::section::Later;
use crate::ui::{use_announcer, use_i18n};

/// Whether the panel is open (a context of [`DeviceMenu`], for its panel).
#[derive(Clone, Copy)]
struct PanelOpen(RwSignal<bool>);

/// Where the citizen is in forgetting the device, the panel open.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// What will go, and the choices.
    Asking,
    /// Discarding unsent saves: asked once more.
    ConfirmDiscard,
    /// Waiting for the unsent saves to be sent.
    Sending,
}

/// What a button of the panel does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Act {
    Forget,
    SendFirst,
    AskDiscard,
    Back,
    Close,
}

/// The sentence and the (up to three) buttons of a step.
fn panel(step: Step, unsent: usize) -> (LaterText, [Option<(LaterText, Act)>; 3]) {
    use LaterText as T;
    match (step, unsent) {
        (Step::Asking, 0) => (
            T::ForgetExplain,
            [
                Some((T::ForgetNow, Act::Forget)),
                Some((T::Cancel, Act::Close)),
                None,
            ],
        ),
        (Step::Asking, _) => (
            T::ForgetUnsent,
            [
                Some((T::ForgetSendFirst, Act::SendFirst)),
                Some((T::ForgetDiscard, Act::AskDiscard)),
                Some((T::Cancel, Act::Close)),
            ],
        ),
        (Step::ConfirmDiscard, _) => (
            T::ForgetDiscardConfirm,
            [
                Some((T::ForgetDiscardNo, Act::Back)),
                Some((T::ForgetDiscardYes, Act::Forget)),
                None,
            ],
        ),
        (Step::Sending, _) => (T::ForgetWaiting, [Some((T::Cancel, Act::Back)), None, None]),
    }
}

/// Forgets the device, then opens the home page afresh: nothing the citizen typed stays in the
/// page either, and the address no longer names the section they were in.
fn forget_and_reload(outbox: Outbox, home: Option<String>) {
    spawn_local(async move {
        outbox.forget_device().await;
        if let Some(window) = crate::web::window() {
            let _reloaded = match &home {
                Some(home) => window.location().replace(home),
                None => window.location().reload(),
            };
        }
    });
}

/// The header's "Forget this device" button and its panel.
#[component]
pub fn DeviceMenu() -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    provide_context(PanelOpen(open));
    view! {
        <div class="tahto-device-menu">
            <button
                type="button"
                class="tahto-button tahto-menu-button"
                aria-expanded=move || open.get().to_string()
                aria-controls="tahto-device-panel"
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {i18n.tr(ShellText::ForgetDevice)}
            </button>
            // Always there, so that the button's `aria-controls` names an element.
            <div id="tahto-device-panel">
                <Later part=ShellPart::DevicePanel open />
            </div>
        </div>
    }
}

/// The panel: what forgetting removes, and the citizen's choices.
#[component]
pub fn DevicePanel() -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let outbox = expect_context::<Outbox>();
    let PanelOpen(open) = expect_context::<PanelOpen>();
    let home = crate::router::use_router().href(crate::sections::View::Home);
    let home = StoredValue::new(home);
    let step = RwSignal::new(Step::Asking);
    let unsent = move || outbox.unsent_records().len();
    // Said once after the reload that followed forgetting.
    if crate::web::session_stored(FORGOTTEN_KEY).is_some() {
        crate::web::session_forget(FORGOTTEN_KEY);
        announcer.status(i18n.t(LaterText::Forgotten).to_owned());
    }
    // Opened afresh, the panel starts from the beginning.
    effect(move || {
        if !open.get() {
            step.set(Step::Asking);
        }
    });
    // Sending first: forgotten as soon as nothing is left to send.
    effect(move || {
        if open.get() && step.get() == Step::Sending && unsent() == 0 {
            open.set(false);
            forget_and_reload(outbox, home.get_value());
        }
    });
    let shown = move || panel(step.get(), unsent());
    let act = move |i: usize| {
        let Some((_, act)) = panel(step.get_untracked(), unsent()).1[i] else {
            return;
        };
        match act {
            Act::Forget => forget_and_reload(outbox, home.get_value()),
            Act::SendFirst => {
                step.set(Step::Sending);
                outbox.send_all_now();
            }
            Act::AskDiscard => step.set(Step::ConfirmDiscard),
            Act::Back => step.set(Step::Asking),
            Act::Close => open.set(false),
        }
    };
    let button = move |i: usize| {
        view! {
            <button
                type="button"
                class="tahto-button"
                hidden=move || shown().1[i].is_none()
                on:click=move |_| act(i)
            >
                {move || shown().1[i].map(|(label, _)| i18n.t(label))}
            </button>
        }
    };
    view! {
        <section
            class="tahto-card tahto-device-panel"
            data-testid="forget-device"
            aria-label=i18n.tr(ShellText::ForgetDevice)
            hidden=move || !open.get()
        >
            <p aria-live="polite">
                {move || i18n.format(shown().0, &[("count", &unsent().to_string())])}
            </p>
            <div class="tahto-actions">{button(0)}{button(1)}{button(2)}</div>
        </section>
    }
}
