//! Whose records these are: the sign-in page (before Tahto knows) and the patient banner (on
//! every page after).

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::auth::session::go_sign_in;
use crate::auth::smart::SignInError;
use crate::config::AppConfig;
use crate::context::AppContext;
use crate::i18n::later::LaterText;
use crate::i18n::shell::ShellText;
use crate::ui::use_i18n;

/// What went wrong with a sign-in, in the citizen's words.
fn problem_text(error: SignInError) -> ShellText {
    match error {
        SignInError::NoDiscovery | SignInError::NoPkce | SignInError::BadTokens => {
            ShellText::SignInServiceProblem
        }
        SignInError::Refused | SignInError::NeedsCitizen => ShellText::SignInRefused,
        SignInError::ForgedAnswer => ShellText::SignInUnchecked,
        SignInError::Unreachable => ShellText::SignInUnreachable,
        SignInError::SignedOut => ShellText::SignedOut,
        SignInError::WindowBlocked => ShellText::SignInWindowBlocked,
        SignInError::WindowClosed => ShellText::SignInWindowClosed,
        SignInError::UnknownLaunch => ShellText::SignInUnknownLaunch,
    }
}

/// The page shown until the citizen has signed in.
#[component]
pub fn SignInPage(
    /// The page's configuration (where the FHIR server is, the language).
    config: AppConfig,
    /// Where the answer comes back (Tahto's entry address).
    redirect_uri: String,
    /// Why the last sign-in did not succeed, if one did not.
    problem: Option<SignInError>,
) -> impl IntoView {
    let i18n = use_i18n();
    let problem = RwSignal::new(problem);
    let busy = RwSignal::new(false);
    let signed_out = move || problem.get() == Some(SignInError::SignedOut);
    // In a partner's frame the sign-in has a window of its own; Tahto's own address (a tab of
    // its own) is the way when the browser allows no such window.
    let in_frame = crate::auth::session::is_windowed();
    let own = redirect_uri.clone();
    let sign_in = move |_| {
        busy.set(true);
        problem.set(None);
        if in_frame {
            // Opened in the tap itself, before anything is awaited: browsers allow it only then.
            match crate::auth::session::open_sign_in_window() {
                Ok(window) => spawn_local(async move {
                    match crate::auth::session::sign_in_in_window(window).await {
                        Ok(patient) => crate::app::signed_in_here(patient),
                        Err(error) => {
                            problem.set(Some(error));
                            busy.set(false);
                        }
                    }
                }),
                Err(error) => {
                    problem.set(Some(error));
                    busy.set(false);
                }
            }
            return;
        }
        let (base, redirect) = (config.fhir_base.clone(), redirect_uri.clone());
        spawn_local(async move {
            if let Err(error) = go_sign_in(&base, &redirect, false, None).await {
                problem.set(Some(error));
                busy.set(false);
            }
        });
    };
    view! {
        <section class="tahto-card" aria-labelledby="tahto-sign-in-title">
            <h1 id="tahto-sign-in-title">{i18n.tr(ShellText::SignInTitle)}</h1>
            <p>{i18n.tr(ShellText::SignInIntro)}</p>
            <p class="tahto-error" role="alert" data-testid="sign-in-problem" hidden=signed_out>
                {move || problem.get().filter(|_| !signed_out()).map(|e| i18n.t(problem_text(e)))}
            </p>
            <p role="status" data-testid="signed-out">
                {move || signed_out().then(|| i18n.t(ShellText::SignedOut))}
            </p>
            <button
                type="button"
                class="tahto-button tahto-primary"
                disabled=move || busy.get()
                on:click=sign_in
            >
                {i18n.tr(ShellText::SignInButton)}
            </button>
            <p hidden=!in_frame>
                <a href=own target="_blank" rel="noopener">{i18n.tr(ShellText::SignInOpenTahto)}</a>
            </p>
        </section>
    }
}

/// The signed-in citizen's name and date of birth, so they always see whose record this is.
#[component]
pub fn PatientBanner() -> impl IntoView {
    let i18n = use_i18n();
    let context = expect_context::<AppContext>();
    let patient = RwSignal::new(None::<serde_json::Value>);
    spawn_local(async move {
        let read = context
            .client
            .read_value("Patient", &context.config.patient_id)
            .await;
        // Not shown yet: the banner says "Signed in" until it is (a read that failed shows on
        // the pages themselves).
        patient.set(read.ok());
    });
    let name = move || {
        patient.get().map(|p| {
            let name = crate::domain::records::person_name(&p).unwrap_or_default();
            let born = p
                .get("birthDate")
                .and_then(|d| d.as_str())
                .map(|d| crate::web::format_date(d, i18n.lang.get()))
                .unwrap_or_default();
            i18n.format(
                ShellText::PatientBanner,
                &[("name", &name), ("born", &born)],
            )
        })
    };
    view! {
        <p class="tahto-patient-banner" data-testid="patient-banner">
            {move || name().unwrap_or_else(|| i18n.t(ShellText::PatientBannerLoading).to_owned())}
        </p>
    }
}

/// The sign-in has ended while Tahto was open: said at once, with the way back. Nothing waits
/// silently: the saves waiting for it say so too, and go once the citizen is back.
#[component]
pub fn SignInAgain() -> impl IntoView {
    let i18n = use_i18n();
    let context = expect_context::<AppContext>();
    let busy = RwSignal::new(false);
    let outbox = expect_context::<crate::save::sync::Outbox>();
    let problem = RwSignal::new(None::<SignInError>);
    let again = move |_| {
        busy.set(true);
        problem.set(None);
        let base = context.config.fhir_base.clone();
        if crate::auth::session::is_windowed() {
            // In a partner's frame: the window opens in the tap itself.
            let window = match crate::auth::session::open_sign_in_window() {
                Ok(window) => window,
                Err(error) => {
                    problem.set(Some(error));
                    busy.set(false);
                    return;
                }
            };
            let patient = context.config.patient_id.clone();
            spawn_local(async move {
                match crate::auth::session::sign_in_in_window(window).await {
                    // Back: what waited for the sign-in goes now.
                    Ok(signed_in) if signed_in == patient => outbox.flush(),
                    // Someone else signed in: this app shows another person's records, so it
                    // starts again on the sign-in page (their saves stay theirs, stored).
                    Ok(_) => crate::auth::session::forget_and_start_again(),
                    Err(error) => problem.set(Some(error)),
                }
                busy.set(false);
            });
            return;
        }
        spawn_local(async move {
            // On the way away nothing follows; a failure is said, and the citizen can try again.
            if let Err(error) = crate::auth::session::sign_in_again(&base).await {
                problem.set(Some(error));
            }
            busy.set(false);
        });
    };
    view! {
        <div class="tahto-card tahto-error" role="alert" hidden=move || !crate::auth::session::has_ended()>
            <p>{i18n.tr(LaterText::SignInEnded)}</p>
            <p data-testid="sign-in-again-problem">{move || problem.get().map(|e| i18n.t(problem_text(e)))}</p>
            <button type="button" class="tahto-button tahto-primary" disabled=move || busy.get() on:click=again>
                {i18n.tr(LaterText::SignInAgain)}
            </button>
        </div>
    }
}
