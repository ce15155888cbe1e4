//! A section's place in the app, and links between sections.
//!
//! A split-off section's code (`rest::section_view`) is fetched the first time the citizen opens
//! it, with a visible "Loading…" and, should the network fail, a reason and Try again. Once shown,
//! a section stays mounted (hidden while another is shown), so nothing typed is lost by a visit
//! elsewhere.

use leptos::prelude::*;

use crate::ui::reactive::effect;
use leptos::reactive::computed::ScopedFuture;
use leptos::task::spawn_local;

use super::{use_announcer, use_i18n};
use crate::i18n::shell::ShellText;
use crate::i18n::Msg;
use crate::rest::{use_rest, CodeNotFetched, RestOfApp, ShellPart};
use crate::router::use_router;
use crate::sections::View;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fetch {
    NotYet,
    Loading,
    Ready,
    Failed,
}

/// A view whose code is in the rest of the app (`rest.rs`): fetched, then built once and kept.
///
/// It is built under the owner of the component that holds it, for its contexts and its life:
/// not under the effect or the click that asks for it, whose owner is dropped on their next run
/// (and the view's signals with it). Untracked: nothing it reads while being built may rebuild it
/// and lose what the citizen typed.
#[derive(Clone, Copy)]
pub(crate) struct Deferred {
    fetch: RwSignal<Fetch>,
    built: StoredValue<Option<AnyView>, LocalStorage>,
    owner: StoredValue<Owner>,
    /// Told when the rest has arrived; none when the app runs without it (a configuration
    /// problem).
    rest: Option<RestOfApp>,
}

impl Deferred {
    /// Built under the current owner.
    pub(crate) fn new() -> Self {
        Self::under(Owner::current().unwrap_or_default())
    }

    /// Built under `owner`.
    fn under(owner: Owner) -> Self {
        Deferred {
            fetch: RwSignal::new(Fetch::NotYet),
            built: StoredValue::new_local(None),
            owner: StoredValue::new(owner),
            rest: use_context::<RestOfApp>(),
        }
    }

    /// Whether the view is built (it is then shown by [`Self::view`]).
    pub(crate) fn is_ready(self) -> bool {
        self.fetch.get() == Fetch::Ready
    }

    /// Fetches and builds with `build`; `done` is told whether it worked.
    pub(crate) fn load<F>(self, build: impl FnOnce() -> F, done: impl FnOnce(bool) + 'static)
    where
        F: std::future::Future<Output = Result<AnyView, CodeNotFetched>> + 'static,
    {
        self.fetch.set(Fetch::Loading);
        let future = self
            .owner
            .with_value(|owner| owner.with(|| ScopedFuture::new_untracked(build())));
        spawn_local(async move {
            match future.await {
                Ok(view) => {
                    self.built.set_value(Some(view));
                    self.fetch.set(Fetch::Ready);
                    // The whole rest is here: the shell's later parts can be built too.
                    if let Some(rest) = self.rest {
                        rest.arrived.set(true);
                    }
                    done(true);
                }
                Err(CodeNotFetched) => {
                    self.fetch.set(Fetch::Failed);
                    done(false);
                }
            }
        });
    }

    /// The view, once (it is then mounted and stays).
    pub(crate) fn view(self) -> impl IntoView {
        move || {
            self.is_ready()
                .then(|| self.built.try_update_value(Option::take).flatten())
        }
    }
}

/// "Loading…", or why not with Try again, while a deferred view is fetched.
#[component]
fn Fetching(
    /// Where the fetch is.
    fetch: RwSignal<Fetch>,
    /// Asks again.
    on_retry: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <p class="tahto-card" hidden=move || fetch.get() != Fetch::Loading>
            {i18n.tr(ShellText::SectionLoading)}
        </p>
        <div class="tahto-card tahto-error" hidden=move || fetch.get() != Fetch::Failed>
            <p>{i18n.tr(ShellText::SectionLoadFailed)}</p>
            <button type="button" class="tahto-button" on:click=move |_| on_retry.run(())>
                {i18n.tr(Msg::TryAgain)}
            </button>
        </div>
    }
}

/// Whether the section a component is on has been shown to the citizen yet (a context of
/// [`SectionPage`]): a page built ahead (`View::is_built_ahead`) is built hidden, and waits
/// for this before it announces anything or moves the focus.
#[derive(Clone, Copy)]
pub struct SectionOpened(pub Signal<bool>);

/// Whether the section this component is on has been shown yet; always where there is no section
/// (a test mounting a component alone).
pub fn use_section_opened() -> Signal<bool> {
    use_context::<SectionOpened>().map_or_else(|| Signal::stored(true), |o| o.0)
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
    let rest = use_rest();
    let shown = move || router.is_shown(view);
    // For the page, which is built under this owner: a page built ahead waits for its first
    // showing before it says anything or moves the focus.
    let opened = RwSignal::new(false);
    // A component has no owner of its own: the section's page gets one, so that its context is
    // this section's, not the last section's.
    let owner = Owner::new();
    owner.with(|| provide_context(SectionOpened(opened.into())));
    let deferred = Deferred::under(owner);
    // Quiet when built ahead: nobody asked for it yet, so nothing is said, and a failure waits
    // for the tap that opens the section.
    let load = move |quiet: bool| {
        if !quiet {
            announcer.status(i18n.t(ShellText::SectionLoading).to_owned());
        }
        deferred.load(
            move || crate::rest::section_view(view),
            move |ok| {
                if ok {
                    if router.is_shown(view) && router.has_moved() {
                        // The section's heading exists only now.
                        request_animation_frame(crate::web::focus_heading);
                    }
                } else if quiet && !router.is_shown(view) {
                    deferred.fetch.set(Fetch::NotYet);
                } else {
                    announcer.alert(i18n.t(ShellText::SectionLoadFailed).to_owned());
                }
            },
        );
    };
    // Built when first shown, or ahead (`View::is_built_ahead`) once the rest has arrived, while
    // the citizen is on the home page choosing where to go and the browser is idle: never while
    // another section is being opened.
    let ahead = view.is_built_ahead();
    let choosing = move || router.is_shown(View::Home);
    effect(move || {
        let shown = shown();
        if shown && !opened.get_untracked() {
            opened.set(true);
        }
        let wanted = shown || (ahead && rest.arrived.get() && choosing());
        if wanted && deferred.fetch.get_untracked() == Fetch::NotYet {
            if shown {
                load(false);
            } else {
                crate::web::when_idle(move || {
                    if choosing() && deferred.fetch.get_untracked() == Fetch::NotYet {
                        load(true);
                    }
                });
            }
        }
    });
    view! {
        <div data-section=view.key() hidden=move || !shown()>
            <Fetching fetch=deferred.fetch on_retry=Callback::new(move |_| load(false)) />
            {deferred.view()}
        </div>
    }
}

/// A part of the shell whose code comes with the rest of the app (`rest.rs`): built as soon as
/// the rest has arrived, nothing shown before. With `open`, it is what a button opens: opened
/// before the rest has arrived, it is fetched at once, with "Loading…" or why not and Try again.
#[component]
pub fn Later(
    /// Which part.
    part: ShellPart,
    /// Whether the citizen has opened it (a button's panel), if it is opened at all.
    #[prop(optional)]
    open: Option<RwSignal<bool>>,
) -> impl IntoView {
    let rest = use_rest();
    let deferred = Deferred::new();
    let load = move || deferred.load(move || crate::rest::shell_view(part), |_| {});
    effect(move || {
        let wanted = rest.arrived.get() || open.is_some_and(|o| o.get());
        if wanted && deferred.fetch.get_untracked() == Fetch::NotYet {
            load();
        }
    });
    let waiting = move || open.is_some_and(|o| o.get()) && deferred.fetch.get() != Fetch::Ready;
    view! {
        <Show when=waiting>
            <Fetching fetch=deferred.fetch on_retry=Callback::new(move |_| load()) />
        </Show>
        {deferred.view()}
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
