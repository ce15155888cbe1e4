//! The place of a lazily loaded bundle in the first load: fetched the first time one of its
//! sections is opened, with a visible "Loading…" and, on a bad network, a reason and Try again.

use leptos::html::Div;
use leptos::prelude::*;

use crate::i18n::shell::ShellText;
use leptos::task::spawn_local;

use super::{use_announcer, use_i18n};
use crate::bundle::protocol::{dispatch, SYNC_EVENT};
use crate::context::HOST_ID;
use crate::i18n::Msg;
use crate::sections::{sync_detail, Bundle, View};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fetch {
    NotYet,
    Loading,
    Ready,
    Failed,
}

/// The bundle's file stem: `<name>-<hash>` as the release build wrote it on the host element
/// (`data-bundle-<name>`, by scripts/minify-js.mjs), else `<name>` (a dev build).
fn file_stem(bundle: Bundle) -> String {
    crate::web::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(HOST_ID))
        .and_then(|host| host.get_attribute(&format!("data-bundle-{}", bundle.name())))
        .filter(|stem| {
            stem.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        })
        .unwrap_or_else(|| bundle.name().to_owned())
}

/// The host of `bundle`, shown while `view` is one of its sections.
#[component]
pub fn LazyBundle(
    /// Which bundle.
    bundle: Bundle,
    /// The section shown.
    view: RwSignal<View>,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let fetch = RwSignal::new(Fetch::NotYet);
    let attempts = StoredValue::new(0u32);
    let shown = move || view.get().bundle() == bundle;
    let load = move || {
        fetch.set(Fetch::Loading);
        announcer.status(i18n.t(ShellText::BundleLoading).to_owned());
        let attempt = attempts.get_value();
        attempts.set_value(attempt + 1);
        spawn_local(async move {
            match crate::web::import_bundle(&file_stem(bundle), attempt).await {
                Ok(()) => {
                    fetch.set(Fetch::Ready);
                    // The section's heading exists only now.
                    request_animation_frame(crate::web::focus_heading);
                }
                Err(_) => {
                    fetch.set(Fetch::Failed);
                    announcer.alert(i18n.t(ShellText::BundleLoadFailed).to_owned());
                }
            }
        });
    };
    Effect::new(move |_| {
        if shown() && fetch.get_untracked() == Fetch::NotYet {
            load();
        }
    });
    let host = NodeRef::<Div>::new();
    let detail = move || sync_detail(view.get(), i18n.lang.get());
    Effect::new(move |_| {
        let detail = detail();
        if let Some(host) = host.get() {
            dispatch(&host, SYNC_EVENT, &detail);
        }
    });
    view! {
        <div hidden=move || !shown()>
            <p class="tahto-card" hidden=move || fetch.get() != Fetch::Loading>
                {i18n.tr(ShellText::BundleLoading)}
            </p>
            <div class="tahto-card tahto-error" hidden=move || fetch.get() != Fetch::Failed>
                <p>{i18n.tr(ShellText::BundleLoadFailed)}</p>
                <button type="button" class="tahto-button" on:click=move |_| load()>
                    {i18n.tr(Msg::TryAgain)}
                </button>
            </div>
            <div id=bundle.host_id() node_ref=host data-sync=detail></div>
        </div>
    }
}
