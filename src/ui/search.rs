//! Reading a list from the server in pages: fetched the first time its section is shown (a
//! citizen who never opens the access log never waits for it), with "Fetch older ones" for long
//! histories and a reason plus Try again when the network fails.

use leptos::prelude::*;

use crate::ui::reactive::effect;
use leptos::task::spawn_local;
use serde_json::Value;

use crate::context::AppContext;
use crate::fhir::client::FhirClient;
use crate::fhir::FhirError;
use crate::i18n::records::RecordsText;
use crate::router::use_router;
use crate::sections::View;
use crate::ui::save_status::why_not_loaded;
use crate::ui::{use_announcer, use_i18n, Announcer, I18n};

#[derive(Clone, Debug, PartialEq)]
pub enum Fetching {
    NotYet,
    Loading,
    Done,
    Failed(FhirError),
}

/// A paged search and what it has found so far.
#[derive(Clone, Copy)]
pub struct PagedSearch {
    pub items: RwSignal<Vec<Value>>,
    pub fetching: RwSignal<Fetching>,
    /// The last page was full: there may be older ones.
    pub more: RwSignal<bool>,
    resource_type: &'static str,
    announcer: Announcer,
    i18n: I18n,
    params: StoredValue<Vec<(&'static str, String)>>,
    page: usize,
    /// Bumped by `reload`: an answer to an older fetch is dropped, never appended twice.
    generation: StoredValue<u32>,
    /// The ids in `items`, kept as pages arrive: a page is checked against it, not against the
    /// whole list built again (10,000 ids for each page of a long list).
    shown: StoredValue<std::collections::HashSet<String>>,
    client: StoredValue<Option<FhirClient>>,
}

impl PagedSearch {
    /// Why the last fetch failed, in the citizen's language; `None` unless it did (tracked).
    pub fn failure(self) -> Option<String> {
        match self.fetching.get() {
            Fetching::Failed(error) => Some(self.i18n.format(
                RecordsText::LoadFailed,
                &[("why", &why_not_loaded(&self.i18n, &error))],
            )),
            _ => None,
        }
    }

    /// `params` without the paging ones; `patient` is added (`<param>=Patient/<id>`).
    pub fn new(
        view: View,
        resource_type: &'static str,
        patient_param: &'static str,
        params: &[(&'static str, &str)],
        page: usize,
    ) -> PagedSearch {
        let ctx = use_context::<AppContext>();
        let patient = ctx
            .as_ref()
            .map(|c| format!("Patient/{}", c.config.patient_id))
            .unwrap_or_default();
        let mut all: Vec<(&'static str, String)> = vec![(patient_param, patient)];
        all.extend(params.iter().map(|(k, v)| (*k, (*v).to_owned())));
        let search = PagedSearch {
            items: RwSignal::new(Vec::new()),
            fetching: RwSignal::new(Fetching::NotYet),
            more: RwSignal::new(false),
            resource_type,
            announcer: use_announcer(),
            i18n: use_i18n(),
            params: StoredValue::new(all),
            page,
            generation: StoredValue::new(0),
            shown: StoredValue::new(std::collections::HashSet::new()),
            client: StoredValue::new(ctx.map(|c| c.client)),
        };
        let router = use_router();
        effect(move || {
            let visible = router.is_shown(view);
            if visible && search.fetching.get_untracked() == Fetching::NotYet {
                search.fetch_more();
            }
        });
        search
    }

    /// Fetches the next page (the first, on a first call or after `reload`).
    pub fn fetch_more(self) {
        if self.fetching.get_untracked() == Fetching::Loading {
            return;
        }
        self.fetch();
    }

    fn fetch(self) {
        let Some(client) = self.client.get_value() else {
            return;
        };
        let generation = self.generation.get_value();
        if matches!(self.fetching.get_untracked(), Fetching::Failed(_)) {
            // Trying again: said, which also clears the alert, so that a second failure with the
            // same words is read out again (an unchanged live region says nothing).
            self.announcer
                .status(self.i18n.t(RecordsText::Loading).to_owned());
        }
        self.fetching.set(Fetching::Loading);
        let offset = self.items.with_untracked(Vec::len).to_string();
        let count = self.page.to_string();
        let mut params = self.params.get_value();
        params.push(("_count", count));
        params.push(("_offset", offset));
        let resource_type = self.resource_type;
        let page = self.page;
        spawn_local(async move {
            let query: Vec<(&str, &str)> = params.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let found = client.search(resource_type, &query).await;
            if self.generation.get_value() != generation {
                return;
            }
            match found {
                Ok(found) => {
                    let full = found.len() >= page;
                    // Pages are fetched by offset: a record added meanwhile (or results with
                    // the same time, ordered differently) brings one already shown again.
                    let mut added = 0;
                    self.items.update(|items| {
                        self.shown.update_value(|shown| {
                            let before = items.len();
                            items.extend(found.into_iter().filter(|f| {
                                crate::fhir::resources::id(f)
                                    .is_none_or(|id| shown.insert(id.to_owned()))
                            }));
                            added = items.len() - before;
                        });
                    });
                    // A full page of nothing new (a server that ignores the offset) ends it.
                    self.more.set(full && added > 0);
                    self.fetching.set(Fetching::Done);
                }
                Err(error) => {
                    let i18n = self.i18n;
                    self.announcer.alert(i18n.format(
                        RecordsText::LoadFailed,
                        &[("why", &why_not_loaded(&i18n, &error))],
                    ));
                    self.fetching.set(Fetching::Failed(error));
                }
            }
        });
    }

    /// Starts again from the newest (after a save that adds to the list).
    pub fn reload(self) {
        self.generation.update_value(|g| *g = g.wrapping_add(1));
        self.shown.update_value(std::collections::HashSet::clear);
        self.items.set(Vec::new());
        self.fetch();
    }
}

/// Loading, the reason a fetch failed with Try again, "Nothing recorded" and "Fetch older ones":
/// the states every list shares.
#[component]
pub fn SearchState(
    /// The list's search.
    search: PagedSearch,
) -> impl IntoView {
    let i18n = use_i18n();
    let failed = move || search.failure();
    let loading = move || matches!(search.fetching.get(), Fetching::Loading | Fetching::NotYet);
    let empty = move || search.fetching.get() == Fetching::Done && search.items.with(Vec::is_empty);
    // The button pressed stays where it is (not hidden, only marked busy) while its fetch runs:
    // a hidden button drops the keyboard's focus to the top of the page.
    let pressed = RwSignal::new(None::<bool>);
    let press = move |older: bool| {
        if !loading() {
            pressed.set(Some(older));
            search.fetch_more();
        }
    };
    let shown_while_loading = move |older: bool| loading() && pressed.get() == Some(older);
    let failure_shown = move || failed().is_some() || shown_while_loading(false);
    let older_shown = move || {
        shown_while_loading(true) || (search.more.get() && search.fetching.get() == Fetching::Done)
    };
    view! {
        <p class="tahto-hint" hidden=move || !loading()>{i18n.tr(RecordsText::Loading)}</p>
        <p hidden=move || !empty()>{i18n.tr(RecordsText::Empty)}</p>
        <div class="tahto-card tahto-error" hidden=move || !failure_shown()>
            <p>{failed}</p>
            <button type="button" class="tahto-button" aria-disabled=move || loading().to_string() on:click=move |_| press(false)>
                {i18n.tr(crate::i18n::Msg::TryAgain)}
            </button>
        </div>
        <button
            type="button"
            class="tahto-button"
            aria-disabled=move || loading().to_string()
            hidden=move || !older_shown()
            on:click=move |_| press(true)
        >
            {i18n.tr(RecordsText::LoadOlder)}
        </button>
    }
}

/// A page listing what one search found: heading, lead, the items and the list's states.
#[component]
pub fn RecordListPage<F, IV>(
    /// The heading's id (the page is labelled by it).
    heading_id: &'static str,
    /// The heading.
    title: crate::i18n::Msg,
    /// What the page shows, in a sentence.
    intro: RecordsText,
    /// The list's test id.
    list_id: &'static str,
    /// The search.
    search: PagedSearch,
    /// Renders the found items (re-run when they or the language change).
    items: F,
) -> impl IntoView
where
    F: Fn() -> IV + Send + Sync + 'static,
    IV: IntoView + 'static,
{
    let i18n = use_i18n();
    view! {
        <article class="tahto-page" aria-labelledby=heading_id>
            <h1 id=heading_id>{i18n.tr(title)}</h1>
            <p class="tahto-lead">{i18n.tr(intro)}</p>
            <ul class="tahto-records" data-testid=list_id>{items}</ul>
            <SearchState search />
        </article>
    }
}
