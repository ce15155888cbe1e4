//! The app shell: contexts, header, the page, and the live regions. Mounted into a host element.

use leptos::prelude::*;

use crate::i18n::shell::ShellText;
use wasm_bindgen::JsCast;

use crate::config::{AppConfig, ConfigError};
use crate::context::{AppContext, HOST_ID};
use crate::fhir::client::FhirClient;
use crate::notice_gate::NoticeGate;
use crate::pages::{HomePage, UnsentPage};
use crate::save::sync::Outbox;
use crate::save::Citizen;
use crate::sections::{Bundle, View};
use crate::ui::{use_i18n, Announcer, Header, I18n, LazyBundle, LiveRegions};

/// The sections, grouped as the citizen thinks of them; the current one is marked for screen
/// readers too.
#[component]
fn SectionNav(view: RwSignal<View>) -> impl IntoView {
    let i18n = use_i18n();
    let item = move |target: View| {
        view! {
            <li>
                <button
                    type="button"
                    class="tahto-button tahto-nav-button"
                    aria-current=move || (view.get() == target).then_some("page")
                    on:click=move |_| view.set(target)
                >
                    {i18n.tr(target.title())}
                </button>
            </li>
        }
    };
    let group = move |label: ShellText, views: &[View]| {
        let id = format!("tahto-nav-{}", views[0].key());
        view! {
            <div class="tahto-nav-group">
                <h2 class="tahto-nav-label" id=id.clone()>{i18n.tr(label)}</h2>
                <ul aria-labelledby=id>{views.iter().map(|&v| item(v)).collect_view()}</ul>
            </div>
        }
    };
    let declarations: Vec<View> = std::iter::once(View::Notice)
        .chain(View::DECLARATIONS)
        .collect();
    view! {
        <nav class="tahto-nav" aria-label=i18n.tr(ShellText::NavLabel)>
            <ul>{item(View::Home)}</ul>
            {group(ShellText::NavDeclarations, &declarations)}
            {group(ShellText::NavRecords, &View::RECORDS)}
        </nav>
    }
}

/// The header badge: how many saves have not reached the service; opens the list.
#[component]
fn UnsentBadge(view: RwSignal<View>) -> impl IntoView {
    let i18n = use_i18n();
    let outbox = use_context::<Outbox>();
    let count = move || outbox.map(|o| o.unsent_records().len()).unwrap_or(0);
    view! {
        <button
            type="button"
            class="tahto-badge"
            data-testid="unsent-badge"
            hidden=move || count() == 0
            on:click=move |_| view.set(View::Unsent)
        >
            {move || i18n.format(ShellText::UnsentBadge, &[("count", &count().to_string())])}
        </button>
    }
}

/// Shown instead of the pages when the host page's configuration is unusable.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="tahto-card tahto-error" role="alert">
            {move || i18n.format(error.message(), &[("attr", error.attribute())])}
        </p>
    }
}

/// What the lazily loaded bundles ask of the first load (see `bundle`).
fn listen_to_bundles(view: RwSignal<View>, announcer: Announcer, storage_problem: RwSignal<bool>) {
    use crate::bundle::protocol::{listen, ANNOUNCE_EVENT, NAVIGATE_EVENT, STORAGE_EVENT};
    let Some(document) = crate::web::window().and_then(|w| w.document()) else {
        return;
    };
    listen(&document, NAVIGATE_EVENT, move |key| {
        if let Some(target) = View::parse(&key) {
            view.set(target);
        }
    });
    listen(&document, ANNOUNCE_EVENT, move |detail| {
        match detail.split_once(' ') {
            Some(("alert", text)) => announcer.alert(text.to_owned()),
            Some((_, text)) => announcer.status(text.to_owned()),
            None => {}
        }
    });
    listen(&document, STORAGE_EVENT, move |_| storage_problem.set(true));
}

/// The whole app.
#[component]
pub fn App(
    /// The host page's configuration, or what is wrong with it.
    config: Result<AppConfig, ConfigError>,
) -> impl IntoView {
    let host_lang = crate::config::page_lang(&config);
    let i18n = I18n::new(host_lang);
    provide_context(i18n);
    let announcer = Announcer::new();
    provide_context(announcer);

    // A reload returns to the section shown (this tab only; the host page's history stays its own).
    use crate::save::record::SECTION_KEY as VIEW_KEY;
    let view = RwSignal::new(
        crate::web::session_stored(VIEW_KEY)
            .and_then(|key| View::parse(&key))
            .unwrap_or(View::Home),
    );
    Effect::new(move |first: Option<()>| {
        crate::web::session_store(VIEW_KEY, view.get().key());
        // After a move (not on load), focus goes to the new section's heading.
        if first.is_some() {
            request_animation_frame(crate::web::focus_heading);
        }
    });
    let has_outbox = config.is_ok();
    let body = match config {
        Ok(config) => {
            let client = FhirClient::new(config.fhir_base.clone());
            let citizen = Citizen::new(&config.fhir_base, &config.patient_id);
            let outbox = Outbox::start(client.clone(), citizen);
            provide_context(outbox);
            provide_context(NoticeGate::start(client.clone(), outbox));
            provide_context(AppContext { client, config });
            let on_back = Callback::new(move |_| view.set(View::Home));
            let storage_problem = RwSignal::new(false);
            listen_to_bundles(view, announcer, storage_problem);
            view! {
                <Show when=move || storage_problem.get() || outbox.storage_error.get().is_some()>
                    <p class="tahto-card tahto-error" role="alert">{i18n.tr(ShellText::StorageProblem)}</p>
                </Show>
                <crate::ui::service_notice::ServiceNotice />
                <SectionNav view />
                // Pages stay mounted (hidden) so nothing typed is lost by a visit elsewhere.
                <div hidden=move || view.get() != View::Home>
                    <HomePage view />
                </div>
                {move || (view.get() == View::Unsent).then(|| view! { <UnsentPage on_back /> })}
                <LazyBundle bundle=Bundle::Declarations view />
                <LazyBundle bundle=Bundle::Records view />
            }
            .into_any()
        }
        Err(error) => view! { <ConfigProblem error /> }.into_any(),
    };

    view! {
        <div class="tahto-app" lang=move || i18n.lang.get().code()>
            <Header>
                <UnsentBadge view />
                {has_outbox.then(|| view! { <crate::ui::device_menu::DeviceMenu /> })}
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
    host.set_inner_html("");
    leptos::mount::mount_to(host, move || view! { <App config /> }).forget();
}
