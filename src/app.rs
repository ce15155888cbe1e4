//! The app shell: contexts, header, the page, and the live regions. Mounted into a host element.

use leptos::prelude::*;
use wasm_bindgen::JsCast;

use crate::config::{AppConfig, ConfigError};
use crate::fhir::client::FhirClient;
use crate::i18n::{Lang, Msg};
use crate::pages::{KantaNoticePage, NoticeGate, OrganDonationPage, UnsentPage};
use crate::save::sync::Outbox;
use crate::ui::{use_i18n, Announcer, Header, I18n, LiveRegions};

/// The host element Tahto mounts into and reads its configuration from.
pub const HOST_ID: &str = "tahto";

/// App-wide handles for pages: configuration and the FHIR client.
#[derive(Clone, Debug)]
pub struct AppContext {
    pub config: AppConfig,
    pub client: FhirClient,
}

/// Which view is shown. Kept in memory, not in the URL: embedded in a partner site, Tahto must
/// not take over the host page's history.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    OrganDonation,
    Notice,
    Unsent,
}

/// The sections a citizen moves between; the current one is marked for screen readers too.
#[component]
fn SectionNav(view: RwSignal<View>) -> impl IntoView {
    let i18n = use_i18n();
    let item = move |target: View, msg: Msg| {
        view! {
            <button
                type="button"
                class="tahto-button tahto-nav-button"
                aria-current=move || (view.get() == target).then_some("page")
                on:click=move |_| view.set(target)
            >
                {i18n.tr(msg)}
            </button>
        }
    };
    view! {
        <nav class="tahto-nav" aria-label=i18n.tr(Msg::NavLabel)>
            {item(View::OrganDonation, Msg::OrganDonationTitle)}
            {item(View::Notice, Msg::NoticeTitle)}
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
            {move || i18n.format(Msg::UnsentBadge, &[("count", &count().to_string())])}
        </button>
    }
}

/// Shown instead of the pages when the host page's configuration is unusable.
#[component]
fn ConfigProblem(error: ConfigError) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="tahto-card tahto-error" role="alert">
            {move || i18n.format(Msg::ConfigProblem, &[("detail", &error.detail())])}
        </p>
    }
}

/// The whole app.
#[component]
pub fn App(
    /// The host page's configuration, or what is wrong with it.
    config: Result<AppConfig, ConfigError>,
) -> impl IntoView {
    let host_lang = config.as_ref().map(|c| c.lang).unwrap_or(Lang::Fi);
    let i18n = I18n::new(host_lang);
    provide_context(i18n);
    provide_context(Announcer::new());

    let view = RwSignal::new(View::OrganDonation);
    let body = match config {
        Ok(config) => {
            let client = FhirClient::new(config.fhir_base.clone());
            let outbox = Outbox::start(client.clone());
            provide_context(outbox);
            provide_context(NoticeGate::start(
                client.clone(),
                config.patient_id.clone(),
                outbox,
            ));
            provide_context(AppContext { client, config });
            let on_back = Callback::new(move |_| view.set(View::OrganDonation));
            let on_open_notice = Callback::new(move |_| view.set(View::Notice));
            view! {
                <Show when=move || outbox.storage_error.get().is_some()>
                    <p class="tahto-card tahto-error" role="alert">{i18n.tr(Msg::StorageProblem)}</p>
                </Show>
                <SectionNav view />
                // Pages stay mounted (hidden) so nothing typed is lost by a visit elsewhere.
                <div hidden=move || view.get() != View::OrganDonation>
                    <OrganDonationPage on_open_notice />
                </div>
                <div hidden=move || view.get() != View::Notice>
                    <KantaNoticePage />
                </div>
                {move || (view.get() == View::Unsent).then(|| view! { <UnsentPage on_back /> })}
            }
            .into_any()
        }
        Err(error) => view! { <ConfigProblem error /> }.into_any(),
    };

    view! {
        <div class="tahto-app" lang=move || i18n.lang.get().code()>
            <Header>
                <UnsentBadge view />
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
