//! The link between Tahto in a partner's frame and the partner's page (in the rest of the app).
//!
//! Tahto talks only to the partner origin its entry names (and the deployment lists), hears only
//! that origin's messages from the window that holds the frame, and tells it no health content.
//! Inside a frame of another site the browser keeps Tahto's storage for that site only; the
//! citizen is told so, and can continue in Tahto itself.

use std::cell::{Cell, RefCell};

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use crate::config::FrameEntry;
use crate::i18n::later::LaterText;
use crate::i18n::Lang;
use crate::router::Router;
use crate::save::sync::Outbox;
use crate::save::{Record, SaveState};
use crate::sections::View;
use crate::ui::reactive::effect;
use crate::ui::use_i18n;

use super::protocol::{from_host, FailReason, FromHost, ToHost};
use super::theme::Theme;

/// The partner's page, once the frame is linked to it (once per page load).
struct HostLink {
    origin: String,
    parent: web_sys::Window,
    seq: Cell<u64>,
    /// The records saved in this frame: only their ends are this frame's to tell (the partner's
    /// other Tahto views share the outbox, and tell theirs).
    saved_here: RefCell<Vec<String>>,
    /// Where the partner's requests go: the app mounted last. Signing in inside the frame mounts
    /// the app again in place of the sign-in page (`app::signed_in_here`), with no page load.
    app: Cell<(Router, RwSignal<Lang>)>,
}

thread_local! {
    static HOST: RefCell<Option<HostLink>> = const { RefCell::new(None) };
}

/// Tells the partner's page `message`, if Tahto is in its frame.
fn tell(message: ToHost) {
    HOST.with(|host| {
        if let Some(link) = &*host.borrow() {
            let seq = link.seq.get() + 1;
            link.seq.set(seq);
            let text = crate::json::to_text(&message.message(seq));
            if let Ok(object) = js_sys::JSON::parse(&text) {
                // The browser delivers it only if the parent still is that origin.
                let _posted = link.parent.post_message(&object, &link.origin);
            }
        }
    });
}

/// A save was made in this frame (`save/sending.rs`): its end is told from here.
pub fn save_made_here(record: &Record) {
    HOST.with(|host| {
        if let Some(link) = &*host.borrow() {
            let key = record.key();
            let mut saved = link.saved_here.borrow_mut();
            if !saved.contains(&key) {
                saved.push(key);
            }
        }
    });
}

/// Whether `record` was saved in this frame.
fn made_here(record: &Record) -> bool {
    let key = record.key();
    HOST.with(|host| {
        host.borrow()
            .as_ref()
            .is_some_and(|link| link.saved_here.borrow().contains(&key))
    })
}

/// How a save ended, for the partner's page (`None`: not an end it is told of).
fn ending(record: &Record, state: &SaveState) -> Option<ToHost> {
    let kind = record.kind();
    let failed = |reason| Some(ToHost::SaveFailed { kind, reason });
    match state {
        SaveState::Confirmed(receipt) => Some(ToHost::Saved {
            kind,
            id: receipt.id.clone(),
            version: receipt.version_id.clone(),
        }),
        SaveState::Rejected { status: 0, .. } => failed(FailReason::NotSendable),
        SaveState::Rejected { .. } => failed(FailReason::Rejected),
        SaveState::Conflict { .. } => failed(FailReason::Conflict),
        _ => None,
    }
}

/// Whether the browser keeps this frame's storage for the partner's site only: every current
/// browser does so in a frame of another site, whatever its cookie settings, unless it granted
/// Tahto its own (`web::storage_access`).
fn storage_partitioned(host: &str) -> bool {
    if crate::web::storage_access::is_granted() {
        return false;
    }
    let own = crate::web::window()
        .and_then(|w| w.location().hostname().ok())
        .unwrap_or_default();
    let theirs = host.split("://").nth(1).unwrap_or(host);
    let theirs = theirs.rsplit_once(':').map_or(theirs, |(name, _)| name);
    crate::embed::site_of(&own) != crate::embed::site_of(theirs)
}

/// Sets the partner's look on Tahto's host element, replacing an earlier one.
fn apply_theme(theme: &Theme) {
    let Some(host) = crate::web::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(crate::context::HOST_ID))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    else {
        return;
    };
    let style = host.style();
    for name in THEMED {
        let _removed = style.remove_property(name);
    }
    for (name, value) in theme.properties() {
        let _set = style.set_property(name, value);
    }
}

/// Every custom property a theme may set.
const THEMED: [&str; 7] = [
    "--tahto-brand",
    "--tahto-brand-dark",
    "--tahto-ink",
    "--tahto-bg",
    "--tahto-card",
    "--tahto-radius",
    "--tahto-font",
];

/// The content's height, for a frame without a scrollbar of its own: the body's, which follows
/// the content (the root element's is at least the frame's, so it could never shrink).
fn content_height() -> u32 {
    crate::web::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body())
        .map(|body| body.scroll_height().max(0) as u32)
        .unwrap_or(0)
}

/// Tahto's own address for `view`, to continue there (in a tab of its own, with its own storage).
fn standalone_href(view: View) -> String {
    let location = crate::web::window().map(|w| w.location());
    let origin = location
        .as_ref()
        .and_then(|l| l.origin().ok())
        .unwrap_or_default();
    let path = location.and_then(|l| l.pathname().ok()).unwrap_or_default();
    let base = path.strip_suffix("embed").unwrap_or("/");
    format!("{origin}{base}{}", view.path())
}

/// The channel between Tahto's frames on one partner site (in that site's storage): one frame
/// granted Tahto's own storage, the others open again to use it too.
const FRAMES_CHANNEL: &str = "tahto-frames";
const GRANTED: &str = "granted";

/// Opens this frame again on `view`, as the partner's page made it (no history entry): what it
/// keeps moved under it.
fn reopen_on(view: View) {
    let Some(location) = crate::web::window().map(|w| w.location()) else {
        return;
    };
    let search = location.search().unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return;
    };
    params.set("section", view.key());
    let path = location.pathname().unwrap_or_default();
    let query = String::from(params.to_string());
    let _reopened = location.replace(&format!("{path}?{query}"));
}

/// Where the citizen's request for Tahto's own storage stands.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Asking {
    NotYet,
    Asked,
    Refused,
    Moving,
}

/// Links this frame to the partner's page for the app just mounted: the partner's requests go to
/// it, and the partner's page is told the height whenever it changes and the section shown. The
/// first mount of a page load (the sign-in page, or the app) also greets it: `ready`, then the
/// height. Returns whether the frame's storage is kept for the partner's site only.
fn link_partner(entry: &FrameEntry, router: Router, lang: RwSignal<Lang>) -> RwSignal<bool> {
    let partitioned = RwSignal::new(false);
    let Some(parent) = crate::web::window().and_then(|w| w.parent().ok().flatten()) else {
        return partitioned;
    };
    let linked = HOST.with(|host| match &*host.borrow() {
        Some(link) => {
            link.app.set((router, lang));
            true
        }
        None => false,
    });
    // What the partner's page was last told (`ready` tells it first).
    let told_view = Cell::new(untrack(|| router.view()));
    effect(move || {
        let view = router.view();
        if told_view.replace(view) != view {
            tell(ToHost::Navigate { section: view });
        }
    });
    let host = entry.host.clone();
    if linked {
        partitioned.set(storage_partitioned(&host));
        return partitioned;
    }
    HOST.with(|link| {
        *link.borrow_mut() = Some(HostLink {
            origin: host.clone(),
            parent: parent.clone(),
            seq: Cell::new(0),
            saved_here: RefCell::new(Vec::new()),
            app: Cell::new((router, lang)),
        })
    });
    let origin = host.clone();
    crate::web::on_window("message", move |event: web_sys::Event| {
        let Some(event) = event.dyn_ref::<web_sys::MessageEvent>() else {
            return;
        };
        // Only the partner's page itself: its origin, and the window that holds this frame.
        let from_parent = event
            .source()
            .is_some_and(|source| js_sys::Object::is(&source, &parent));
        if event.origin() != origin || !from_parent {
            return;
        }
        let Some((router, lang)) = HOST.with(|h| h.borrow().as_ref().map(|l| l.app.get())) else {
            return;
        };
        let message = crate::web::json_from_js_value(&event.data());
        match message.as_ref().and_then(from_host) {
            Some(FromHost::ShowSection(view)) => router.show_for_partner(view),
            Some(FromHost::SetLanguage(chosen)) => lang.set(chosen),
            Some(FromHost::SetTheme(theme)) => apply_theme(&theme),
            None => {}
        }
    });

    // The height, whenever the content's changes, so the frame never scrolls inside.
    let last_height = std::rc::Rc::new(Cell::new(0u32));
    let measure = move || {
        let height = content_height();
        if height != last_height.replace(height) {
            tell(ToHost::Resize { height });
        }
    };
    let root = crate::web::window()
        .and_then(|w| w.document())
        .and_then(|d| d.body());
    let observer = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(measure.clone());
    if let (Ok(resize), Some(root)) = (
        web_sys::ResizeObserver::new(observer.as_ref().unchecked_ref()),
        &root,
    ) {
        resize.observe(root);
        // Lives as long as the page.
        std::mem::forget(resize);
    }
    observer.forget();
    // Below the fold of the partner's page Chromium pauses this frame's rendering, and the
    // resize observer with it, until the citizen scrolls to it. Changes to the page still arrive
    // as mutations: the height is measured after them too (at most every 100 ms), so the
    // partner's page has it right before the frame comes into view.
    let waiting = std::rc::Rc::new(Cell::new(false));
    let on_change = wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || {
        if waiting.replace(true) {
            return;
        }
        let (waiting, measure) = (waiting.clone(), measure.clone());
        gloo_timers::callback::Timeout::new(100, move || {
            waiting.set(false);
            measure();
        })
        .forget();
    });
    if let (Ok(mutations), Some(root)) = (
        web_sys::MutationObserver::new(on_change.as_ref().unchecked_ref()),
        &root,
    ) {
        let options = web_sys::MutationObserverInit::new();
        options.set_child_list(true);
        options.set_subtree(true);
        options.set_attributes(true);
        options.set_character_data(true);
        let _observing = mutations.observe_with_options(root, &options);
        // Lives as long as the page.
        std::mem::forget(mutations);
    }
    on_change.forget();

    spawn_local(async move {
        let kept_here = storage_partitioned(&host);
        partitioned.set(kept_here);
        tell(ToHost::Ready {
            section: untrack(|| router.view()),
            lang: lang.get_untracked(),
            partitioned: kept_here,
        });
        tell(ToHost::Resize {
            height: content_height(),
        });
    });
    partitioned
}

/// Before the citizen has signed in inside a partner's frame: the link to the partner's page
/// (its look, its language, the frame's height), so that the sign-in page fits its frame and
/// looks like the partner's page from the start.
#[component]
pub fn PartnerLink() -> impl IntoView {
    let entry = expect_context::<FrameEntry>();
    link_partner(&entry, crate::router::use_router(), use_i18n().lang);
}

/// Links the frame to the partner's page, and says what the citizen must know in a frame: that
/// unsent saves stay with this site when the browser keeps storage per site.
#[component]
pub fn PartnerFrame() -> impl IntoView {
    let entry = expect_context::<FrameEntry>();
    let outbox = expect_context::<Outbox>();
    let router = crate::router::use_router();
    let i18n = use_i18n();
    let partitioned = link_partner(&entry, router, i18n.lang);

    // The unsent count whenever it changes, and first right after `ready` (spawned after it).
    let told_count = Cell::new(None::<usize>);
    effect(move || {
        let count = outbox.unsent_records().len();
        if told_count
            .replace(Some(count))
            .is_some_and(|told| told != count)
        {
            tell(ToHost::Unsent { count });
        }
    });
    spawn_local(async move {
        tell(ToHost::Unsent {
            count: outbox.unsent_records().len(),
        });
    });
    // How each save made here ends, whichever of this site's Tahto views sent it (they share the
    // outbox): told once.
    let started = js_sys::Date::now();
    let told = RefCell::new(Vec::<(String, String)>::new());
    effect(move || {
        let ended = outbox
            .ended_since(started)
            .into_iter()
            .map(|(r, s, at)| (r, s, (at as u64).to_string()));
        let conflicts = outbox.entries.with(|entries| {
            entries
                .iter()
                .filter(|e| matches!(e.state, SaveState::Conflict { .. }))
                .filter_map(|e| Some((Record::parse(&e.record)?, e.state.clone(), e.id.clone())))
                .collect::<Vec<_>>()
        });
        for (record, state, which) in ended.chain(conflicts) {
            let key = (record.key(), which);
            if !made_here(&record) || told.borrow().contains(&key) {
                continue;
            }
            told.borrow_mut().push(key);
            if let Some(message) = ending(&record, &state) {
                tell(message);
            }
        }
    });
    // Leaving, or hidden, with saves waiting: they go now, while this site's storage still has
    // them (Safari deletes a partner site's storage after 7 days without a visit).
    crate::web::on_window("pagehide", move |_| {
        if !outbox.unsent_records().is_empty() {
            outbox.flush();
        }
    });

    // Tahto's own storage: granted at the start, this site's leftovers move there (then the frame
    // opens again on them); granted in another of this site's frames, this one follows.
    let asking = RwSignal::new(Asking::NotYet);
    let frames = crate::web::storage_access::window_channel(FRAMES_CHANNEL);
    if crate::web::storage_access::is_granted() {
        spawn_local(async move {
            if crate::save::store::move_to_granted(&outbox.citizen()).await > 0 {
                asking.set(Asking::Moving);
                reopen_on(untrack(|| router.view()));
            }
        });
    } else if let Some(frames) = &frames {
        let on_message = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::MessageEvent)>::new(
            move |event: web_sys::MessageEvent| {
                if event.data().as_string().as_deref() == Some(GRANTED) {
                    reopen_on(untrack(|| router.view()));
                }
            },
        );
        frames.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        on_message.forget();
    }
    let ask = move |_| {
        asking.set(Asking::Asked);
        let frames = frames.clone();
        spawn_local(async move {
            if !crate::web::storage_access::ask(true).await {
                asking.set(Asking::Refused);
                return;
            }
            asking.set(Asking::Moving);
            crate::save::store::move_to_granted(&outbox.citizen()).await;
            if let Some(frames) = frames {
                let _told = frames.post_message(&wasm_bindgen::JsValue::from_str(GRANTED));
            }
            reopen_on(untrack(|| router.view()));
        });
    };
    let can_ask = crate::web::storage_access::can_ask();

    let href = move || standalone_href(router.view());
    // Storage refused outright (the browser blocks a frame of another site from keeping
    // anything): the saves live in this page only, and the citizen is told so.
    let refused = move || outbox.storage_error.get().is_some();
    view! {
        <section
            class="tahto-card tahto-frame-notice"
            data-testid="frame-storage-notice"
            data-storage=move || if refused() { "refused" } else { "this-site" }
            aria-labelledby="tahto-frame-notice-title"
            hidden=move || !partitioned.get() && !refused()
        >
            <h2 id="tahto-frame-notice-title">{i18n.tr(LaterText::FrameTitle)}</h2>
            <p>
                {move || {
                    i18n.t(if refused() { LaterText::FrameNotKept } else { LaterText::FrameKeptHere })
                }}
            </p>
            {can_ask
                .then(|| {
                    view! {
                        <p>{i18n.tr(LaterText::FrameAskOwn)}</p>
                        <button
                            type="button"
                            class="tahto-button"
                            data-testid="frame-ask-storage"
                            disabled=move || matches!(asking.get(), Asking::Asked | Asking::Moving)
                            on:click=ask
                        >
                            {i18n.tr(LaterText::FrameAskButton)}
                        </button>
                    }
                })}
            <p role="status" data-testid="frame-ask-answer">
                {move || match asking.get() {
                    Asking::Refused => Some(i18n.t(LaterText::FrameAskRefused)),
                    Asking::Moving => Some(i18n.t(LaterText::FrameMoving)),
                    _ => None,
                }}
            </p>
            <a class="tahto-button" href=href target="_blank" rel="noopener">
                {i18n.tr(LaterText::FrameContinue)}
            </a>
        </section>
    }
}
