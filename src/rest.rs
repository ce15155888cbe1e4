//! The rest of the app: everything the start page does not need to paint, moved out of the first
//! load by the release build's linker split (`--features split`, scripts/split.mjs) into one
//! part, fetched right after the first paint ([`RestOfApp`]) and kept by the service worker.
//!
//! Every way into that part is a function of this module, and each may fail (the network): the
//! caller shows the failure and can ask again. Without the feature (dev builds) they are ordinary
//! async functions and nothing is fetched.
//!
//! In the part: every section's page, the unsent list, the sending side of the outbox
//! (`save/sending.rs`), and the shell's parts that appear only later (the device menu's panel, the
//! service notice, the app update). One part, not one per section: the service worker fetches all
//! of it after the first visit's start anyway, and every extra file repeats what the others share
//! (measured: two parts and their shared chunk were 17 KB more than one part). The one other part,
//! `sign_in_window`, is what only a partner's frame needs to sign in.

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::pages;
use crate::router::use_router;
use crate::save::sync::{Outbox, Wake};
use crate::sections::View;

/// The part could not be fetched (the network failed). Nothing is cached about the failure:
/// asking again fetches again.
#[derive(Clone, Copy, Debug)]
pub struct CodeNotFetched;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for CodeNotFetched {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        CodeNotFetched
    }
}

/// Declares a way into the rest of the app: split off by the linker with the feature, an
/// ordinary function without it. Always `fallible`: Leptos's own lazy-loading attribute panics
/// when a part cannot be fetched, and a panic kills the app (ARCHITECTURE.md, invariant 8).
/// `in <part>` names another part than the rest (one a partner's frame alone needs).
macro_rules! split_off {
    ($(#[$doc:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty $body:block) => {
        split_off! { in rest $(#[$doc])* $vis fn $name($($arg: $ty),*) -> $out $body }
    };
    (in $part:ident $(#[$doc:meta])* $vis:vis fn $name:ident($($arg:ident: $ty:ty),*) -> $out:ty $body:block) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        $vis fn $name($($arg: $ty),*) -> Result<$out, CodeNotFetched> {
            Ok($body)
        }

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        $vis async fn $name($($arg: $ty),*) -> Result<$out, CodeNotFetched> {
            Ok($body)
        }
    };
}

/// Opens the Kanta information notice from a declaration behind its gate.
fn open_notice() -> Callback<()> {
    let router = use_router();
    Callback::new(move |_| router.go(View::Notice))
}

split_off! {
    /// The page of a split-off section (not home's: that is the start page). Build it under the
    /// owner whose contexts it needs (`ui::section::SectionPage`).
    pub fn section_view(view: View) -> AnyView {
        match view {
            View::Notice => view! { <pages::KantaNoticePage /> }.into_any(),
            View::OrganDonation => {
                view! { <pages::OrganDonationPage on_open_notice=open_notice() /> }.into_any()
            }
            View::AdvanceDirective => view! {
                <pages::advance_directive::AdvanceDirectivePage on_open_notice=open_notice() />
            }
            .into_any(),
            View::LivingWill => {
                view! { <pages::living_will::LivingWillPage on_open_notice=open_notice() /> }
                    .into_any()
            }
            View::Disclosures => {
                view! { <pages::disclosures::DisclosuresPage on_open_notice=open_notice() /> }
                    .into_any()
            }
            View::Prescriptions => view! { <pages::prescriptions::PrescriptionsPage /> }.into_any(),
            View::LabResults => view! { <pages::lab_results::LabResultsPage /> }.into_any(),
            View::Vaccinations => view! { <pages::vaccinations::VaccinationsPage /> }.into_any(),
            View::Visits => view! { <pages::visits::VisitsPage /> }.into_any(),
            View::AccessLog => view! { <pages::access_log::AccessLogPage /> }.into_any(),
            View::Measurements => view! { <pages::measurements::MeasurementsPage /> }.into_any(),
            View::Unsent => view! { <pages::UnsentPage /> }.into_any(),
            // The start page, in the first load: `app::App` shows it itself.
            View::Home => ().into_any(),
        }
    }
}

/// The shell's parts that appear only after the start, built once the rest has arrived
/// (`ui::section::Later`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShellPart {
    /// "Forget this device": the panel the header's button opens.
    DevicePanel,
    /// "Sign out": the panel the header's button opens.
    SignOutPanel,
    /// The service keeps refusing saves: not the citizen's mistake.
    ServiceNotice,
    /// The service worker, and a new version of Tahto offered.
    AppUpdate,
    /// In a partner's frame: the link to the partner's page, and the note on this site's storage.
    PartnerFrame,
    /// In a partner's frame, before signing in: the link to the partner's page.
    PartnerLink,
    /// Signed in: whose records these are (name, date of birth), on every page.
    PatientBanner,
    /// The sign-in has ended while Tahto was open: said, with the way back.
    SignInAgain,
}

split_off! {
    /// One of the shell's later parts. Build it under the owner whose contexts it needs.
    pub fn shell_view(part: ShellPart) -> AnyView {
        match part {
            ShellPart::DevicePanel => {
                use crate::ui::device_menu::{DevicePanel, Leaving};
                view! { <DevicePanel leaving=Leaving::ForgetDevice /> }.into_any()
            }
            ShellPart::SignOutPanel => {
                use crate::ui::device_menu::{DevicePanel, Leaving};
                view! { <DevicePanel leaving=Leaving::SignOut /> }.into_any()
            }
            ShellPart::ServiceNotice => {
                view! { <crate::ui::service_notice::ServiceNotice /> }.into_any()
            }
            ShellPart::AppUpdate => view! { <crate::ui::app_update::AppUpdate /> }.into_any(),
            ShellPart::PartnerFrame => {
                view! { <crate::embed::frame::PartnerFrame /> }.into_any()
            }
            ShellPart::PartnerLink => view! { <crate::embed::frame::PartnerLink /> }.into_any(),
            ShellPart::PatientBanner => {
                view! { <crate::ui::sign_in::PatientBanner /> }.into_any()
            }
            ShellPart::SignInAgain => view! { <crate::ui::sign_in::SignInAgain /> }.into_any(),
        }
    }
}

split_off! {
    /// How to fix the host page's configuration (`app::ConfigProblem`).
    pub fn config_problem(error: crate::config::ConfigError) -> AnyView {
        let i18n = crate::ui::use_i18n();
        view! { <p>{move || i18n.format(error.message(), &[("attr", error.attribute())])}</p> }
            .into_any()
    }
}

split_off! {
    /// Nothing: calling it fetches the part.
    fn fetch_rest() -> () {}
}

split_off! {
    /// Wakes the outbox's sending side for `why` (`save/sending.rs`); `Err` when its code could
    /// not be fetched.
    pub fn send(outbox: Outbox, why: Wake) -> () {
        outbox.woken(why)
    }
}

/// Whether the rest of the app has arrived (a context): the shell's later parts wait for it.
#[derive(Clone, Copy)]
pub struct RestOfApp {
    pub arrived: RwSignal<bool>,
}

impl RestOfApp {
    /// Fetches the rest right after the first paint, so that a first tap finds it here; when the
    /// network fails, again as soon as the browser is back online.
    pub fn start() -> RestOfApp {
        let rest = RestOfApp {
            arrived: RwSignal::new(false),
        };
        request_animation_frame(move || {
            set_timeout(move || rest.fetch(), std::time::Duration::ZERO);
        });
        crate::web::on_window("online", move |_| {
            if !rest.arrived.get_untracked() {
                rest.fetch();
            }
        });
        rest
    }

    /// Fetches the rest (again, after a failure); the shell's later parts then appear.
    pub fn fetch(self) {
        spawn_local(async move {
            if fetch_rest().await.is_ok() {
                self.arrived.set(true);
            }
        });
    }
}

/// The rest of the app (a context of `app::App`).
pub fn use_rest() -> RestOfApp {
    expect_context::<RestOfApp>()
}

split_off! {
    in sign_in_window
    /// Signing in in a window of its own (`auth::session::sign_in_in_window`), in a part of its
    /// own: only a partner's frame needs it, and only once the citizen taps "Sign in".
    pub fn sign_in_window(window: web_sys::Window) -> crate::auth::session::SigningIn {
        crate::auth::session::in_window(window)
    }
}
