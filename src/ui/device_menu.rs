//! The header menus "Forget this device" and "Sign out": everything Tahto keeps on this device for
//! the citizen goes, but never an unsent save by accident. With saves still unsent the citizen
//! waits until they are sent, or discards them by an explicit, confirmed choice, or (signing out)
//! keeps them on this device, to be sent when they sign in again (offered only where the browser
//! keeps them: in this tab's memory they would go with the sign-out).
//!
//! The button is in the first load; the panel it opens comes with the rest of the app
//! (`rest.rs`), with its texts. One static structure (a sentence and three buttons whose words and
//! actions follow the step): every distinct view is code the citizen downloads.

use leptos::prelude::*;

use crate::ui::reactive::effect;

use crate::i18n::later::LaterText;
use crate::i18n::shell::ShellText;
use crate::i18n::{Lang, Text};
use leptos::task::spawn_local;

use crate::rest::ShellPart;
use crate::save::record::FORGOTTEN_KEY;
use crate::save::sync::Outbox;
use crate::ui::section::Later;
use crate::ui::{use_announcer, use_i18n};

/// Whether the panel is open (a context of [`DeviceMenu`], for its panel).
#[derive(Clone, Copy)]
struct PanelOpen(RwSignal<bool>);

/// What the citizen is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Leaving {
    /// Forgetting this device (and staying signed in, where Tahto signs in).
    ForgetDevice,
    /// Signing out: this device forgotten, and the sign-in ended at the authorization server.
    SignOut,
}

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
    /// Signing out, the unsent saves kept for the next sign-in.
    Keep,
    AskDiscard,
    Back,
    Close,
}

/// The sentence and the (up to four) buttons of a step.
fn panel(
    step: Step,
    unsent: usize,
    stuck: bool,
    leaving: Leaving,
    kept_on_device: bool,
) -> (LaterText, [Option<(LaterText, Act)>; 4]) {
    use LaterText as T;
    let out = leaving == Leaving::SignOut;
    // Kept for the next sign-in only where the browser keeps them: in this tab's memory they
    // would go with the sign-out's page load.
    let keep = (out && kept_on_device).then_some((T::SignOutKeep, Act::Keep));
    let pick = |forget, sign_out| if out { sign_out } else { forget };
    match (step, unsent) {
        // Sending first would wait for ever: every save waits for the citizen.
        (Step::Asking, 1..) if stuck => (
            T::UnsentWaitOnYou,
            [
                keep,
                Some((pick(T::ForgetDiscard, T::SignOutDiscard), Act::AskDiscard)),
                Some((T::Cancel, Act::Close)),
                None,
            ],
        ),
        (Step::Asking, 0) => (
            pick(T::ForgetExplain, T::SignOutExplain),
            [
                Some((pick(T::ForgetNow, T::SignOutNow), Act::Forget)),
                Some((T::Cancel, Act::Close)),
                None,
                None,
            ],
        ),
        (Step::Asking, _) => (
            match (out, kept_on_device) {
                (false, _) => T::ForgetUnsent,
                (true, true) => T::SignOutUnsent,
                (true, false) => T::SignOutUnsentOnlyHere,
            },
            [
                Some((
                    pick(T::ForgetSendFirst, T::SignOutSendFirst),
                    Act::SendFirst,
                )),
                keep,
                Some((pick(T::ForgetDiscard, T::SignOutDiscard), Act::AskDiscard)),
                Some((T::Cancel, Act::Close)),
            ],
        ),
        (Step::ConfirmDiscard, _) => (
            T::ForgetDiscardConfirm,
            [
                Some((T::ForgetDiscardNo, Act::Back)),
                Some((pick(T::ForgetDiscardYes, T::SignOutDiscardYes), Act::Forget)),
                None,
                None,
            ],
        ),
        (Step::Sending, _) => (
            pick(T::ForgetWaiting, T::SignOutWaiting),
            [Some((T::Cancel, Act::Back)), None, None, None],
        ),
    }
}

/// In a partner's frame, the window in which the authorization server ends its session
/// (`session::sign_out`): a browser opens one only in the citizen's tap, so it is opened there.
/// `None` elsewhere, or when the browser opened none.
fn sign_out_window() -> Option<web_sys::Window> {
    crate::auth::session::is_windowed()
        .then(crate::auth::session::open_sign_in_window)
        .and_then(Result::ok)
}

/// Says `text` in the sign-out window while it waits for the saves to be sent. Still blank, it
/// is of Tahto's origin, so Tahto may write in it.
fn say_in(window: &web_sys::Window, lang: Lang, text: &str) {
    let Some(document) = window.document() else {
        return;
    };
    document.set_title(text);
    if let Some(root) = document.document_element() {
        let _set = root.set_attribute("lang", lang.code());
    }
    if let Some(body) = document.body() {
        body.set_text_content(Some(text));
        // Through the CSSOM: the window keeps Tahto's Content-Security-Policy.
        let style = body.style();
        let _set = style.set_property("font", "1.125rem/1.5 system-ui, sans-serif");
        let _set = style.set_property("margin", "2rem");
    }
}

/// Signs out: what Tahto kept for the citizen goes (but unsent saves, when `keep`), then the
/// sign-in ends at the authorization server, which sends the citizen back to the sign-in page.
/// `window`: the sign-out window opened in the citizen's tap (`sign_out_window`).
fn sign_out(outbox: Outbox, keep: bool, window: Option<web_sys::Window>) {
    spawn_local(async move {
        if keep {
            outbox.forget_all_but_unsent().await;
        } else {
            outbox.forget_device().await;
            // The sign-in page says "signed out"; "forgotten" would be said to whoever signs in next.
            crate::web::session_forget(FORGOTTEN_KEY);
        }
        let base = outbox.citizen().fhir_base().to_owned();
        crate::auth::session::sign_out(&base, window).await;
    });
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

/// The header's "Forget this device" (or "Sign out") button and its panel.
#[component]
pub fn DeviceMenu(
    /// Forgetting the device, or signing out.
    leaving: Leaving,
) -> impl IntoView {
    let i18n = use_i18n();
    let open = RwSignal::new(false);
    provide_context(PanelOpen(open));
    let (label, id, part) = match leaving {
        Leaving::ForgetDevice => (
            ShellText::ForgetDevice,
            "tahto-device-panel",
            ShellPart::DevicePanel,
        ),
        Leaving::SignOut => (
            ShellText::SignOut,
            "tahto-sign-out-panel",
            ShellPart::SignOutPanel,
        ),
    };
    view! {
        <div class="tahto-device-menu">
            <button
                type="button"
                class="tahto-button tahto-menu-button"
                aria-expanded=move || open.get().to_string()
                aria-controls=id
                on:click=move |_| open.update(|o| *o = !*o)
            >
                {i18n.tr(label)}
            </button>
            // Always there, so that the button's `aria-controls` names an element.
            <div id=id>
                <Later part open />
            </div>
        </div>
    }
}

/// The panel: what forgetting removes, and the citizen's choices.
#[component]
pub fn DevicePanel(
    /// Forgetting the device, or signing out.
    leaving: Leaving,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let outbox = expect_context::<Outbox>();
    let PanelOpen(open) = expect_context::<PanelOpen>();
    let home = crate::router::use_router().href(crate::sections::View::Home);
    let home = StoredValue::new(home);
    let step = RwSignal::new(Step::Asking);
    let unsent = move || outbox.unsent_records().len();
    let stuck = move || outbox.only_waiting_on_citizen();
    // Signing out in a partner's frame after the saves have gone: the window opened at the tap
    // waits for them.
    let waiting_window = StoredValue::new_local(None::<web_sys::Window>);
    let close_waiting_window = move || {
        if let Some(window) = waiting_window.try_update_value(Option::take).flatten() {
            let _closed = window.close();
        }
    };
    // Said once after the reload that followed forgetting.
    if crate::web::session_stored(FORGOTTEN_KEY).is_some() {
        crate::web::session_forget(FORGOTTEN_KEY);
        announcer.status(i18n.t(LaterText::Forgotten).to_owned());
    }
    // Opened afresh, the panel starts from the beginning.
    effect(move || {
        if !open.get() {
            step.set(Step::Asking);
            close_waiting_window();
        }
    });
    // Opened in the tap, and only to sign out.
    let window_for_sign_out = move || {
        (leaving == Leaving::SignOut)
            .then(sign_out_window)
            .flatten()
    };
    // In a tap, or with the window opened in one (`window`).
    let finish = move |keep: bool, window: Option<web_sys::Window>| match leaving {
        Leaving::ForgetDevice => forget_and_reload(outbox, home.get_value()),
        Leaving::SignOut => sign_out(outbox, keep, window),
    };
    // Sending first, and every save left waits for the citizen: back to the choices, which say
    // so (the waiting window of a partner's frame closes: the citizen is not signed out yet).
    effect(move || {
        if open.get() && step.get() == Step::Sending && unsent() > 0 && stuck() {
            close_waiting_window();
            step.set(Step::Asking);
        }
    });
    // Sending first: forgotten as soon as nothing is left to send.
    effect(move || {
        if open.get() && step.get() == Step::Sending && unsent() == 0 {
            let window = waiting_window.try_update_value(Option::take).flatten();
            open.set(false);
            finish(false, window);
        }
    });
    let kept_on_device = move || outbox.keeps_on_device();
    let shown = move || panel(step.get(), unsent(), stuck(), leaving, kept_on_device());
    let act = move |i: usize| {
        let Some((_, act)) = panel(
            step.get_untracked(),
            unsent(),
            stuck(),
            leaving,
            kept_on_device(),
        )
        .1[i] else {
            return;
        };
        match act {
            Act::Forget => finish(false, window_for_sign_out()),
            Act::Keep => finish(true, window_for_sign_out()),
            Act::SendFirst => {
                let window = window_for_sign_out();
                if let Some(window) = &window {
                    let lang = i18n.lang.get_untracked();
                    say_in(window, lang, LaterText::SignOutWindowWaiting.text(lang));
                }
                waiting_window.set_value(window);
                step.set(Step::Sending);
                outbox.send_all_now();
            }
            Act::AskDiscard => step.set(Step::ConfirmDiscard),
            Act::Back => {
                close_waiting_window();
                step.set(Step::Asking);
            }
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
            data-testid=match leaving {
                Leaving::ForgetDevice => "forget-device",
                Leaving::SignOut => "sign-out",
            }
            aria-label=i18n.tr(match leaving {
                Leaving::ForgetDevice => ShellText::ForgetDevice,
                Leaving::SignOut => ShellText::SignOut,
            })
            hidden=move || !open.get()
        >
            <p aria-live="polite">
                {move || i18n.format(shown().0, &[("count", &unsent().to_string())])}
            </p>
            <div class="tahto-actions">{button(0)}{button(1)}{button(2)}{button(3)}</div>
        </section>
    }
}
