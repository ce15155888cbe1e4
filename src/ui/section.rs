//! A section's place in the app, and links between sections.
//!
//! A split-off section's code (`pages::section_view`) is fetched the first time the citizen opens
//! it, with a visible "Loading…" and, should the network fail, a reason and Try again. Once shown,
//! a section stays mounted (hidden while another is shown), so nothing typed is lost by a visit
//! elsewhere.

use leptos::prelude::*;
use leptos::reactive::computed::ScopedFuture;
use leptos::task::spawn_local;

use super::{use_announcer, use_i18n};
use crate::i18n::shell::ShellText;
use crate::i18n::Msg;
use crate::router::use_router;
use crate::sections::View;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fetch {
    NotYet,
    Loading,
    Ready,
    Failed,
}

/// A section whose code is split off the first load: fetched when first shown, then kept.
#[component]
pub fn SectionPage(
    /// The section.
    view: View,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let router = use_router();
    let fetch = RwSignal::new(Fetch::NotYet);
    let page = StoredValue::new_local(None::<AnyView>);
    let shown = move || router.is_shown(view);
    // The page is built under this component's owner, for its contexts and its life: not under
    // the effect or the click that asks for it, whose owner is dropped on their next run (and the
    // page's signals with it). Untracked: nothing it reads while being built may rebuild it and
    // lose what the citizen typed.
    let owner = StoredValue::new(Owner::current().unwrap_or_default());
    let load = move || {
        fetch.set(Fetch::Loading);
        announcer.status(i18n.t(ShellText::SectionLoading).to_owned());
        let built = owner.with_value(|owner| {
            owner.with(|| ScopedFuture::new_untracked(crate::pages::section_view(view)))
        });
        spawn_local(async move {
            match built.await {
                Ok(view) => {
                    page.set_value(Some(view));
                    fetch.set(Fetch::Ready);
                    // The section's heading exists only now.
                    request_animation_frame(crate::web::focus_heading);
                }
                Err(_not_fetched) => {
                    fetch.set(Fetch::Failed);
                    announcer.alert(i18n.t(ShellText::SectionLoadFailed).to_owned());
                }
            }
        });
    };
    Effect::new(move |_| {
        if shown() && fetch.get_untracked() == Fetch::NotYet {
            load();
        }
    });
    view! {
        <div data-section=view.key() hidden=move || !shown()>
            <p class="tahto-card" hidden=move || fetch.get() != Fetch::Loading>
                {i18n.tr(ShellText::SectionLoading)}
            </p>
            <div class="tahto-card tahto-error" hidden=move || fetch.get() != Fetch::Failed>
                <p>{i18n.tr(ShellText::SectionLoadFailed)}</p>
                <button type="button" class="tahto-button" on:click=move |_| load()>
                    {i18n.tr(Msg::TryAgain)}
                </button>
            </div>
            {move || (fetch.get() == Fetch::Ready).then(|| page.try_update_value(Option::take).flatten())}
        </div>
    }
}

/// A way to another section: a link where sections have addresses (standalone; it opens in a new
/// tab like any link), a button where they do not (embedded).
#[component]
pub fn SectionLink(
    /// The section opened.
    to: View,
    /// Extra classes.
    #[prop(optional)]
    class: &'static str,
    /// The accessible name, when the visible text is not enough.
    #[prop(optional, into)]
    label: Option<Signal<String>>,
    /// Marks the link of the section shown (`aria-current="page"`).
    #[prop(optional)]
    current: bool,
    children: Children,
) -> impl IntoView {
    let router = use_router();
    let class = format!("tahto-button {class}");
    let aria_current = move || (current && router.is_shown(to)).then_some("page");
    let label = move || label.map(|l| l.get());
    match router.href(to) {
        Some(href) => view! {
            <a
                href=href
                class=class
                aria-current=aria_current
                aria-label=label
                on:click=move |ev: leptos::ev::MouseEvent| {
                    // A plain click stays in the app; with a modifier the browser opens a tab.
                    if ev.button() == 0 && !(ev.ctrl_key() || ev.meta_key() || ev.shift_key() || ev.alt_key()) {
                        ev.prevent_default();
                        router.go(to);
                    }
                }
            >
                {children()}
            </a>
        }
        .into_any(),
        None => view! {
            <button
                type="button"
                class=class
                aria-current=aria_current
                aria-label=label
                on:click=move |_| router.go(to)
            >
                {children()}
            </button>
        }
        .into_any(),
    }
}
