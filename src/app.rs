//! The app shell: contexts, header, the page, and the live regions. Mounted into a host element.

use leptos::prelude::*;

use crate::ui::reactive::{effect, effect_with};

use crate::i18n::shell::ShellText;
use crate::i18n::Msg;
use wasm_bindgen::JsCast;

use crate::auth::smart::SignInError;
use crate::config::{AppConfig, ConfigError, FrameEntry, Routing};
use crate::context::{AppContext, HOST_ID};
use crate::fhir::client::FhirClient;
use crate::notice_gate::NoticeGate;
use crate::pages::HomePage;
use crate::rest::{RestOfApp, ShellPart};
use crate::router::Router;
use crate::save::sync::Outbox;
use crate::save::Citizen;
use crate::sections::View;
use crate::ui::section::{Deferred, Later, SectionLink, SectionPage};
use crate::ui::sign_in::SignInPage;
use crate::ui::{use_i18n, Announcer, Header, I18n, LiveRegions};

/// The sections. On a phone, a short primary navigation (home and the two most used records)
/// with every other section one tap away under "All sections"; on a wide screen the whole list,
/// grouped as the citizen thinks of it. The current section is marked for screen readers too.
#[component]
fn SectionNav() -> impl IntoView {
    let i18n = use_i18n();
    let router = crate::router::use_router();
    let open = RwSignal::new(false);
    // A move closes the list: the citizen sees the section, not the menu.
    effect(move || {
        router.view();
        open.set(false);
    });
    let item = move |to: View, class: &'static str| {
        view! {
            <li class=class>
                <SectionLink to class="tahto-nav-button" current=true>
                    {i18n.tr(to.title())}
                </SectionLink>
            </li>
        }
    };
    let group = move |label: ShellText, views: &[View]| {
        let id = format!("tahto-nav-{}", views[0].key());
        view! {
            <div class="tahto-nav-group">
                <h2 class="tahto-nav-label" id=id.clone()>{i18n.tr(label)}</h2>
                <ul aria-labelledby=id>{views.iter().map(|&v| item(v, "")).collect_view()}</ul>
            </div>
        }
    };
    let declarations: Vec<View> = std::iter::once(View::Notice)
        .chain(View::DECLARATIONS)
        .collect();
    view! {
        <nav
            class="tahto-nav"
            aria-label=i18n.tr(ShellText::NavLabel)
            on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                if ev.key() == "Escape" {
                    open.set(false);
                }
            }
        >
            <ul class="tahto-nav-primary">
                {item(View::Home, "")}
                {View::PRIMARY.iter().map(|&v| item(v, "tahto-nav-shortcut")).collect_view()}
                <li class="tahto-nav-more">
                    <button
                        type="button"
                        class="tahto-button tahto-nav-button"
                        aria-expanded=move || if open.get() { "true" } else { "false" }
                        aria-controls="tahto-nav-all"
                        on:click=move |_| open.update(|o| *o = !*o)
                    >
                        {i18n.tr(ShellText::NavAll)}
                    </button>
                </li>
            </ul>
            // Closed by a class, not `hidden`: a wide screen shows the whole list whatever its state.
            <div id="tahto-nav-all" class="tahto-nav-all" class:tahto-nav-closed=move || !open.get()>
                {group(ShellText::NavDeclarations, &declarations)}
                {group(ShellText::NavRecords, &View::RECORDS)}
            </div>
        </nav>
    }
}

/// The header badge: how many saves have not reached the service; opens the list.
#[component]
fn UnsentBadge() -> impl IntoView {
    let i18n = use_i18n();
    let outbox = expect_context::<Outbox>();
    let count = move || outbox.unsent_records().len();
    view! {
        <span data-testid="unsent-badge" hidden=move || count() == 0>
            <SectionLink to=View::Unsent class="tahto-badge">
                {move || i18n.format(ShellText::UnsentBadge, &[("count", &count().to_string())])}
            </SectionLink>
        </span>
    }
}

/// Shown instead of the pages when the host page's configuration is unusable: at once what is
/// wrong, then, with the rest of the app (`rest.rs`, which carries those texts), how to fix it.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    let detail = error.detail();
    let explanation = Deferred::new();
    explanation.load(move || crate::rest::config_problem(error), |_| {});
    view! {
        <div class="tahto-card tahto-error" role="alert">
            <p hidden=move || explanation.is_ready()>
                {move || i18n.format(Msg::ConfigProblem, &[("detail", &detail)])}
            </p>
            {explanation.view()}
        </div>
    }
}

/// The whole app.
#[component]
pub fn App(
    /// The host page's configuration, or what is wrong with it.
    config: Result<AppConfig, ConfigError>,
    /// Opened in a partner's frame: what the partner asked for.
    frame: Option<FrameEntry>,
    /// The citizen has not signed in: where the sign-in's answer comes back, and why the last
    /// one did not succeed.
    signed_out: Option<(String, Option<SignInError>)>,
) -> impl IntoView {
    let host_lang = crate::config::page_lang(&config);
    let i18n = I18n::new(host_lang);
    if let Some(lang) = frame.as_ref().and_then(|f| f.lang) {
        // The partner's page speaks for this visit; the citizen's own choice stays theirs.
        i18n.lang.set(lang);
    }
    provide_context(i18n);
    let announcer = Announcer::new();
    provide_context(announcer);

    // Standalone the section is in the address, embedded in this tab's session (`router`).
    let router = match &config {
        Ok(config) => Router::start(&config.routing),
        Err(_) => Router::fixed(View::Home),
    };
    provide_context(router);
    if let Some(frame) = &frame {
        router.start_on(frame.section);
    }
    effect_with(move |first: Option<()>| {
        router.view();
        // After the citizen's move (not on load, not the partner's), focus goes to the new
        // section's heading.
        if first.is_some() && router.has_moved() {
            request_animation_frame(crate::web::focus_heading);
        }
    });
    let has_outbox = config.is_ok() && signed_out.is_none();
    let signed_in = matches!(&config, Ok(config) if config.sign_in) && has_outbox;
    let body = match (config, signed_out) {
        (Ok(config), Some((redirect_uri, problem))) => {
            // In a partner's frame, the partner's page is linked already: the sign-in page fits
            // its frame and takes the partner's look. The link comes with the rest of the app,
            // which the citizen needs once signed in anyway.
            let partner = frame.map(|frame| {
                provide_context(frame);
                provide_context(RestOfApp::start());
                view! { <Later part=ShellPart::PartnerLink /> }
            });
            view! {
                {partner}
                <SignInPage config redirect_uri problem />
            }
            .into_any()
        }
        (Ok(config), None) => {
            let client = FhirClient::new(config.fhir_base.clone());
            let citizen = Citizen::new(&config.fhir_base, &config.patient_id);
            let outbox = Outbox::start(client.clone(), citizen);
            provide_context(outbox);
            provide_context(NoticeGate::start(client.clone(), outbox));
            // The rest of the app (every other section, sending saves) arrives right after this
            // first paint.
            provide_context(RestOfApp::start());
            // Tahto's own pages only: a page that mounts Tahto keeps its origin's service worker
            // to itself. Not in dev builds, whose files change without their names changing.
            let update = (matches!(config.routing, Routing::Url { .. }) && !cfg!(debug_assertions))
                .then(|| view! { <Later part=ShellPart::AppUpdate /> });
            let partner = frame.map(|frame| {
                provide_context(frame);
                view! { <Later part=ShellPart::PartnerFrame /> }
            });
            provide_context(AppContext { client, config });
            view! {
                {update}
                {partner}
                {signed_in.then(|| view! { <Later part=ShellPart::SignInAgain /> })}
                <Show when=move || outbox.storage_error.get().is_some()>
                    <p class="tahto-card tahto-error" role="alert">{i18n.tr(ShellText::StorageProblem)}</p>
                </Show>
                <Later part=ShellPart::ServiceNotice />
                <SectionNav />
                // Pages stay mounted (hidden) so nothing typed is lost by a visit elsewhere.
                <div hidden=move || !router.is_shown(View::Home)>
                    <HomePage />
                </div>
                {View::ALL
                    .into_iter()
                    .filter(|v| v.is_split_off())
                    .map(|view| view! { <SectionPage view /> })
                    .collect_view()}
            }
            .into_any()
        }
        (Err(error), _) => view! { <ConfigProblem error /> }.into_any(),
    };

    view! {
        <div class="tahto-app" lang=move || i18n.lang.get().code()>
            <Header>
                {signed_in.then(|| view! { <Later part=ShellPart::PatientBanner /> })}
                {has_outbox.then(|| view! { <UnsentBadge /> })}
                {has_outbox
                    .then(|| {
                        use crate::ui::device_menu::{DeviceMenu, Leaving};
                        let leaving = if signed_in { Leaving::SignOut } else { Leaving::ForgetDevice };
                        view! { <DeviceMenu leaving /> }
                    })}
            </Header>
            <main class="tahto-main">{body}</main>
            <LiveRegions />
        </div>
    }
}

/// Mounts Tahto into `#tahto`, replacing the static loading shell.
pub fn mount() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let host = document
        .get_element_by_id(HOST_ID)
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok());
    let (host, config) = match host {
        Some(host) => {
            let config = AppConfig::from_attributes(|name| host.get_attribute(name));
            (Some(host), config)
        }
        // Without a host element the page is misconfigured: say so in the body, visibly.
        None => (document.body(), Err(ConfigError::Missing("#tahto"))),
    };
    let Some(host) = host else {
        return;
    };
    let (config, frame) = match config.map(in_frame) {
        Ok(Ok((config, frame))) => (Ok(config), frame),
        Ok(Err(error)) | Err(error) => (Err(error), None),
    };
    let framed = frame.is_some();
    let signs_in = matches!(&config, Ok(config) if config.sign_in);
    if !framed && !signs_in {
        start(host, config, frame, None);
        return;
    }
    // Boxed as the executor boxes its tasks: one copy of the spawning code. Leptos's executor
    // starts with the mount, so this is wasm-bindgen's.
    let task: std::pin::Pin<Box<dyn std::future::Future<Output = ()>>> = Box::pin(async move {
        // In a partner's frame: Tahto's own storage where the browser already allows it, before
        // anything is read (`web::storage_access`).
        if framed {
            crate::web::storage_access::ask(false).await;
        }
        // Signing in: whose records these are is known before anything is read or shown.
        let mut signed_out = None;
        let config = match config {
            // In a partner's frame the authorization server's page cannot be shown (it may not be
            // framed): the citizen signs in in a window of its own, for the partner's EHR launch
            // if it started Tahto with one; or at Tahto's own address.
            Ok(config) if config.sign_in && framed => {
                use crate::auth::session::SIGNED_OUT_PARAM;
                let location = crate::web::window().map(|w| w.location());
                let path = location
                    .as_ref()
                    .and_then(|l| l.pathname().ok())
                    .unwrap_or_default();
                let own = path.strip_suffix("embed").unwrap_or("/").to_owned();
                let callback = crate::auth::session::redirect_uri(&format!("{own}signed-in.html"));
                let search = location.and_then(|l| l.search().ok()).unwrap_or_default();
                let params = web_sys::UrlSearchParams::new_with_str(&search).ok();
                let get = |name: &str| params.as_ref().and_then(|p| p.get(name));
                let (launch, problem) = match crate::auth::smart::ehr_launch(get, &config.fhir_base)
                {
                    Ok(launch) => (launch, None),
                    Err(error) => (None, Some(error)),
                };
                let just_signed_out = get(SIGNED_OUT_PARAM).is_some();
                let problem = match just_signed_out {
                    true => Some(SignInError::SignedOut),
                    false => problem,
                };
                if let Some(params) = params.as_ref().filter(|_| just_signed_out) {
                    // Said once: a reload of the frame is not another sign-out.
                    params.delete(SIGNED_OUT_PARAM);
                    crate::web::replace_address(&format!(
                        "{path}?{}",
                        String::from(params.to_string())
                    ));
                }
                crate::auth::session::sign_in_windowed(
                    &config.fhir_base,
                    callback,
                    launch,
                    just_signed_out,
                );
                signed_out = Some((crate::auth::session::redirect_uri(&own), problem));
                START_AGAIN.with(|s| {
                    *s.borrow_mut() = Some((host.clone(), config.clone(), frame.clone()))
                });
                Ok(config)
            }
            Ok(mut config) if config.sign_in => {
                use crate::auth::session::{at_start, redirect_uri, Started};
                let redirect = redirect_uri(&entry_path(&config.routing));
                match at_start(&config.fhir_base, &redirect).await {
                    Started::SignedIn { patient } => config.patient_id = patient,
                    Started::Away => return,
                    Started::SignedOut(problem) => signed_out = Some((redirect, problem)),
                }
                Ok(config)
            }
            other => other,
        };
        start(host, config, frame, signed_out);
    });
    wasm_bindgen_futures::spawn_local(task);
}

thread_local! {
    /// In a partner's frame, signing in: what the app starts again with once signed in.
    static START_AGAIN: std::cell::RefCell<Option<(web_sys::HtmlElement, AppConfig, Option<FrameEntry>)>> =
        const { std::cell::RefCell::new(None) };
}

/// Mounts the app into `host` for good. Started again only from the sign-in page of a partner's
/// frame (`signed_in_here`), whose few signals are then left behind: an unmount would bring the
/// drop code of every view into the first load (measured: +10 KB).
fn start(
    host: web_sys::HtmlElement,
    config: Result<AppConfig, ConfigError>,
    frame: Option<FrameEntry>,
    signed_out: Option<(String, Option<SignInError>)>,
) {
    host.set_inner_html("");
    leptos::mount::mount_to(host, move || view! { <App config frame signed_out /> }).forget();
}

/// Signed in inside a partner's frame (a window of its own, no page load): the sign-in page
/// gives way to the app, for `patient`.
pub fn signed_in_here(patient: String) {
    let Some((host, mut config, frame)) = START_AGAIN.with(|s| s.borrow_mut().take()) else {
        return;
    };
    config.patient_id = patient;
    start(host, Ok(config), frame, None);
}

/// Tahto's entry address (path), where the sign-in's answer comes back.
fn entry_path(routing: &Routing) -> String {
    match routing {
        Routing::Url { base } => base.clone(),
        Routing::Memory => crate::web::window()
            .and_then(|w| w.location().pathname().ok())
            .unwrap_or_else(|| "/".into()),
    }
}

/// Tahto's embed entry in a partner's frame (`public/embed.js`): the section lives in memory (the
/// partner's history is never touched) and the partner's page is linked. Anywhere else, as
/// configured.
fn in_frame(mut config: AppConfig) -> Result<(AppConfig, Option<FrameEntry>), ConfigError> {
    let Routing::Url { base } = &config.routing else {
        return Ok((config, None));
    };
    let Some(location) = crate::web::window().map(|w| w.location()) else {
        return Ok((config, None));
    };
    let path = location.pathname().unwrap_or_default();
    let query = location.search().unwrap_or_default();
    let params = web_sys::UrlSearchParams::new_with_str(&query).ok();
    let entry = match path.strip_prefix(base.as_str()) {
        Some(path) if crate::web::is_framed() => crate::config::frame_entry(
            path,
            |name| params.as_ref().and_then(|p| p.get(name)),
            &config.partners,
        ),
        _ => None,
    };
    match entry {
        Some(Ok(frame)) => {
            config.routing = Routing::Memory;
            Ok((config, Some(frame)))
        }
        Some(Err(error)) => Err(error),
        None => Ok((config, None)),
    }
}
