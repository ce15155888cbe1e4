//! Free text typed or pasted by the citizen: cleaned of hidden characters, counted against its
//! limit as they type, and quick however long it gets (a megabyte pasted into a field whose
//! limit is 20,000 characters stays in the field, counted and marked, for the citizen to cut down).
//!
//! Measured (`tests/bench/paste.mjs`, a megabyte with line breaks pasted into a textarea in
//! Chromium): laying out a textarea holding it costs the browser ~300–400 ms of CPU each time its
//! text is replaced, while typing one more character into it costs ~30–50 ms. So the field's text
//! is written only when it changed elsewhere (a restored draft, the recorded version, cleaning),
//! never echoed back after each input; and a large insertion (a paste, an IME or dictation commit,
//! what Playwright's `fill` does) is taken over: cleaned where it lands and written once. The
//! browser's own typing path inserts such a text line by line, laying the field out after each
//! line: 100,000 characters in 1,270 lines took 7–12 s in a bare textarea.

use leptos::html::{Input, Textarea};
use leptos::prelude::*;

use crate::ui::reactive::{effect, effect_with, memo};

use crate::i18n::declarations::DeclText;
use crate::text::{byte_index, clean_input, over_limit, splice_clean, Removed};
use crate::ui::{use_announcer, use_i18n, Announcer, I18n};

/// An insertion at least this long (UTF-16 units) is put into the field by Tahto in one write;
/// shorter ones are left to the browser, which keeps them in its undo history.
const LARGE_INSERT: u32 = 2048;

/// The behaviour of a free-text field: cleaning, one count per change, no needless writes. For a
/// textarea whose markup a page writes itself: bind `node`, `on:input`, `on:paste` and
/// `on:beforeinput` to its methods.
#[derive(Clone, Copy)]
pub struct CleanText {
    pub node: NodeRef<Textarea>,
    value: RwSignal<String>,
    /// The field's text as Tahto last wrote or read it: written again only when `value` differs.
    shown: StoredValue<String>,
    /// How many hidden characters the last cleaning that found any removed.
    pub cleaned: RwSignal<usize>,
    /// The text's length in characters, counted once per change.
    pub chars: Memo<usize>,
    /// Where a cleaning is also said: the app's live region, in the citizen's language.
    announce: Option<(I18n, Announcer)>,
}

impl CleanText {
    pub fn new(value: RwSignal<String>, announce: bool) -> Self {
        let node = NodeRef::<Textarea>::new();
        let shown = StoredValue::new(String::new());
        effect(move || {
            let Some(field) = node.get() else { return };
            value.with(|v| {
                if shown.with_value(|s| s != v) {
                    field.set_value(v);
                    shown.set_value(v.clone());
                }
            });
        });
        Self {
            node,
            value,
            shown,
            cleaned: RwSignal::new(0),
            chars: memo(move |_| value.with(|v| crate::text::char_count(v))),
            announce: announce.then(|| (use_i18n(), use_announcer())),
        }
    }

    /// Counts removed hidden characters in `cleaned` (a signal the page holds) instead.
    pub fn counting_cleaned_in(self, cleaned: RwSignal<usize>) -> Self {
        Self { cleaned, ..self }
    }

    /// The browser changed the field (typing, a short paste, cut, undo): keep its text, cleaned.
    pub fn input(self) {
        let Some(field) = self.node.get_untracked() else {
            return;
        };
        let raw = field.value();
        let (clean, removed) = clean_input(&raw);
        if removed.any() {
            // The caret stays where it was, less what was removed before it.
            let caret = field.selection_start().ok().flatten().map(|at| {
                let before = &raw[..byte_index(&raw, at as usize)];
                clean_input(before).0.encode_utf16().count() as u32
            });
            field.set_value(&clean);
            if let Some(at) = caret {
                let _kept = field.set_selection_range(at, at);
            }
            self.removed(removed);
        }
        self.keep(clean);
    }

    /// A paste: a large one is inserted here, cleaned, in one write.
    pub fn paste(self, ev: web_sys::ClipboardEvent) {
        let text = ev
            .clipboard_data()
            .and_then(|d| d.get_data("text/plain").ok());
        if let Some(text) = text.filter(|t| large(t)) {
            ev.prevent_default();
            self.insert(&text);
        }
    }

    /// Text about to be inserted at the selection by the browser's typing path (a dictation
    /// commit, `insertText`, what Playwright's `fill` does): a large one is inserted here,
    /// cleaned, in one write. Drops and spelling replacements land elsewhere than the selection
    /// and compositions are the input method's: those stay the browser's.
    pub fn before_input(self, ev: web_sys::InputEvent) {
        let inserting = !ev.is_composing()
            && matches!(ev.input_type().as_str(), "insertText" | "insertFromPaste");
        if let Some(text) = ev.data().filter(|t| inserting && large(t)) {
            ev.prevent_default();
            self.insert(&text);
        }
    }

    fn insert(self, text: &str) {
        let Some(field) = self.node.get_untracked() else {
            return;
        };
        let current = field.value();
        let start = field.selection_start().ok().flatten().unwrap_or(0) as usize;
        let end = field.selection_end().ok().flatten().unwrap_or(0) as usize;
        let (next, removed, caret) = splice_clean(&current, start, end, text);
        field.set_value(&next);
        let caret = u32::try_from(caret).unwrap_or(u32::MAX);
        let _kept = field.set_selection_range(caret, caret);
        if removed.any() {
            self.removed(removed);
        }
        self.keep(next);
    }

    fn removed(self, removed: Removed) {
        self.cleaned.set(removed.total());
        if let Some((i18n, announcer)) = self.announce {
            // Said once, in the app's live region (one voice for the whole app).
            announcer.status(i18n.format(
                DeclText::Cleaned,
                &[("count", &removed.total().to_string())],
            ));
        }
    }

    fn keep(self, clean: String) {
        self.shown.set_value(clean.clone());
        self.value.set(clean);
    }
}

/// Keeps a one-line input showing `value` (a part of the page's state) without echoing each input
/// back: the field is written only when the value differs from what it shows, as when a draft is
/// restored. Echoing a long text back relays all of it out on every keystroke.
pub fn show_in(node: NodeRef<Input>, value: impl Fn() -> String + 'static) {
    effect(move || {
        let value = value();
        if let Some(field) = node.get() {
            if field.value() != value {
                field.set_value(&value);
            }
        }
    });
}

fn large(text: &str) -> bool {
    // UTF-8 bytes are at least as many as UTF-16 units: a cheap first look.
    text.len() >= LARGE_INSERT as usize
        && text.encode_utf16().nth(LARGE_INSERT as usize - 1).is_some()
}

/// The count under a field — "123 / 1000 characters" — and, past the limit, how far past it is
/// (`tahto-over-limit`). Said once in the live region when the text goes over the limit.
#[component]
pub fn CharLimit(
    /// The element id (the field's `aria-describedby` points here).
    id: String,
    /// The text's length in characters.
    chars: Memo<usize>,
    /// The longest text accepted.
    max: usize,
) -> impl IntoView {
    let i18n = use_i18n();
    let announcer = use_announcer();
    let over = memo(move |_| over_limit(chars.get(), max));
    let over_text = move |over: usize| {
        i18n.format(
            DeclText::OverLimit,
            &[("over", &over.to_string()), ("max", &max.to_string())],
        )
    };
    effect_with(move |was_over: Option<bool>| {
        let now = over.get();
        if let (Some(false), Some(over)) = (was_over, now) {
            announcer.status(over_text(over));
        }
        now.is_some()
    });
    view! {
        <p class="tahto-hint" id=id class:tahto-over-limit=move || over.get().is_some()>
            {move || i18n.format(
                DeclText::CharCount,
                &[("count", &chars.get().to_string()), ("max", &max.to_string())],
            )}
            <span class="tahto-over-limit-why" hidden=move || over.get().is_none()>
                " " {move || over.get().map(over_text)}
            </span>
        </p>
    }
}

/// A free-text field that cleans pasted text of hidden characters (and says how many it removed)
/// and counts characters against `max` as the citizen types.
#[component]
pub fn CleanTextArea(
    /// The element id (its label points here).
    id: &'static str,
    /// The label text.
    label: DeclText,
    /// The text.
    value: RwSignal<String>,
    /// The longest text accepted.
    max: usize,
    /// Rows shown.
    #[prop(default = 5)]
    rows: u32,
) -> impl IntoView {
    let i18n = use_i18n();
    let text = CleanText::new(value, true);
    let count_id = format!("{id}-count");
    view! {
        <div class="tahto-field">
            <label for=id>{i18n.tr(label)}</label>
            <textarea
                id=id
                rows=rows
                aria-describedby=count_id.clone()
                node_ref=text.node
                on:input=move |_| text.input()
                on:paste=move |ev| text.paste(ev)
                on:beforeinput=move |ev| text.before_input(ev)
            ></textarea>
            <CharLimit id=count_id chars=text.chars max />
            <p class="tahto-notice" hidden=move || text.cleaned.get() == 0>
                {move || i18n.format(DeclText::Cleaned, &[("count", &text.cleaned.get().to_string())])}
            </p>
        </div>
    }
}
