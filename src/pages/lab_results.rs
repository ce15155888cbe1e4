//! Lab results, grouped by test: the latest value, the reference range, the history as a small
//! chart and as a table. Out-of-range and abnormal results are marked with a word and a sign
//! (▲/▼/●), and drawn as squares in the chart, never by colour alone.
//!
//! Long histories stay fast: results come in pages of `PAGE` (newest first), each page is read a
//! slice at a time and merged into the tests already shown (a card redraws only what changed),
//! each test's table shows ten rows and grows on request, and the history of a test is collapsed
//! until opened.

use leptos::prelude::*;

use crate::ui::reactive::{effect, memo};
use leptos::task::spawn_local;
use serde_json::Value;

use crate::domain::records::{Flag, LabChange, LabMerge, LabResult, LabTest};
use crate::i18n::records::RecordsText;
use crate::i18n::{Lang, Msg};
use crate::sections::View;
use crate::ui::search::{PagedSearch, SearchState};
use crate::ui::{use_i18n, I18n};

const PAGE: usize = 250;
/// Observations read between two yields to the browser (measured: about 10 ms on a phone CPU
/// emulated 4x slower; the whole page of 250 in one go was a task of over 50 ms).
const READ_SLICE: usize = 50;
/// Tests shown (and redrawn) in one task, until they have taken this long. A test whose chart is
/// redrawn takes about 20 ms on that CPU, one whose counts only change 2–4 ms: a task each would
/// have the browser render a frame after each.
const SHOW_BUDGET_MS: f64 = 10.0;
const ROWS_FIRST: usize = 10;
const ROWS_MORE: usize = 50;
/// The chart draws this many latest values: about 5 px apart on a phone, still readable.
const CHART_POINTS: usize = 60;

/// None for `Unknown`: nothing is said rather than a guess.
fn flag_text(flag: Flag) -> Option<RecordsText> {
    match flag {
        Flag::High => Some(RecordsText::High),
        Flag::Low => Some(RecordsText::Low),
        Flag::Abnormal => Some(RecordsText::Abnormal),
        Flag::Normal => Some(RecordsText::Normal),
        Flag::Unknown => None,
    }
}

/// The value in its own unit, after its comparator if it is a bound (`< 20 copies/ml`).
fn value_text(result: &LabResult, lang: Lang) -> String {
    let Some(v) = result.value else {
        return result.text.clone();
    };
    let number = crate::web::format_number(v, lang);
    match result.comparator {
        Some(c) => format!("{c} {number} {}", result.unit),
        None => format!("{number} {}", result.unit),
    }
}

/// What a chart is drawn from: the latest numeric results (when, value, out of range), oldest
/// first, and the reference range. Cheap to take and compare: an older page that leaves it as it
/// was (the latest values stay the latest) costs no drawing.
#[derive(Clone, PartialEq)]
struct Series {
    points: Vec<(String, f64, bool)>,
    low: Option<f64>,
    high: Option<f64>,
}

impl Series {
    fn of(t: &LabTest) -> Series {
        Series {
            points: t
                .charted(CHART_POINTS)
                .into_iter()
                .map(|(r, v)| {
                    let out = matches!(r.flag, Flag::High | Flag::Low | Flag::Abnormal);
                    (r.when.clone(), v, out)
                })
                .collect(),
            low: t.low,
            high: t.high,
        }
    }
}

/// A coordinate in tenths of a pixel (what a chart 300 px wide can show).
fn tenths(v: f64) -> i32 {
    (v * 10.0).round() as i32
}

/// Tenths of a pixel as SVG writes them ("123.4"), with integer formatting only: Rust's float
/// formatting is ~10 KB of wasm, for nothing else in Tahto.
fn tenths_text(t: i32) -> String {
    let sign = if t < 0 { "-" } else { "" };
    let t = t.unsigned_abs();
    format!("{sign}{}.{}", t / 10, t % 10)
}

/// What a chart draws and says.
#[derive(Clone, PartialEq)]
struct ChartData {
    points: String,
    /// The reference range as a band: top and bottom, in tenths of a pixel.
    band: Option<(i32, i32)>,
    /// The values in range, each a dot, as one SVG path.
    dots: String,
    /// The values out of range, each a square (never told by colour alone), as one SVG path.
    squares: String,
    from: String,
    to: String,
    min: f64,
    max: f64,
    /// How many values are charted.
    charted: usize,
}

impl ChartData {
    const W: f64 = 300.0;
    const H: f64 = 90.0;
    const PAD: f64 = 8.0;

    /// None when there is nothing to draw a line through (fewer than two numeric results).
    fn of(series: &Series) -> Option<ChartData> {
        let (w, h, pad) = (Self::W, Self::H, Self::PAD);
        let (points, low, high) = (&series.points, series.low, series.high);
        let (first, last) = match points.as_slice() {
            [first, .., last] => (first, last),
            _ => return None,
        };
        let values = points.iter().map(|(_, v, _)| *v);
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(f64::NEG_INFINITY, f64::max);
        let lo = min.min(low.unwrap_or(f64::INFINITY));
        let hi = max.max(high.unwrap_or(f64::NEG_INFINITY));
        let span = if hi > lo { hi - lo } else { 1.0 };
        let x = |i: usize| tenths(pad + (w - 2.0 * pad) * i as f64 / (points.len() - 1) as f64);
        let y = |v: f64| tenths(pad + (h - 2.0 * pad) * (hi - v) / span);
        // One path for the dots and one for the squares, not an element for each value: a card
        // with 60 values was ~60 elements to build, lay out and hit-test, and the largest part
        // of a page's DOM (measured: a new card was a task of ~40 ms on a 4x slower CPU).
        let mut line = String::with_capacity(points.len() * 11);
        let (mut dots, mut squares) = (String::new(), String::new());
        for (i, (_, v, out)) in points.iter().enumerate() {
            let (x, y) = (x(i), y(*v));
            let at = format!("{},{}", tenths_text(x), tenths_text(y));
            if !line.is_empty() {
                line.push(' ');
            }
            line.push_str(&at);
            if *out {
                // An 8 px square around the value.
                squares.push_str(&format!(
                    "M{},{}h8v8h-8z",
                    tenths_text(x - 40),
                    tenths_text(y - 40)
                ));
            } else {
                // A dot of radius 3: two half circles from its left edge.
                dots.push_str(&format!(
                    "M{},{}a3 3 0 1 0 6 0a3 3 0 1 0-6 0",
                    tenths_text(x - 30),
                    tenths_text(y)
                ));
            }
        }
        let band = match (low, high) {
            (Some(low), Some(high)) => Some((y(high), y(low))),
            (None, Some(high)) => Some((y(high), tenths(h - pad))),
            (Some(low), None) => Some((tenths(pad), y(low))),
            (None, None) => None,
        };
        Some(ChartData {
            points: line,
            band,
            dots,
            squares,
            from: first.0.clone(),
            to: last.0.clone(),
            min,
            max,
            charted: points.len(),
        })
    }
}

/// The history as a small line chart of the latest `CHART_POINTS` values, described in words for
/// screen readers (and, when the history is longer, for everyone: "the latest 60 of 1,200").
#[component]
fn LabChart(
    /// The test whose history is drawn.
    test: RwSignal<LabTest>,
) -> impl IntoView {
    let i18n = use_i18n();
    // Memos: an older page leaves the latest values, and so the drawing, as they were (compared
    // before anything is computed from them); only the count of all chartable results, in the
    // label and the caption, changes.
    let series = memo(move |_| test.with(Series::of));
    let chart = memo(move |_| series.with(ChartData::of));
    let all = memo(move |_| test.with(|t| t.chartable().count()));
    // The dates and values it names, in the citizen's language: formatted again when the drawing
    // or the language changes, not for each older page.
    let described = memo(move |_| {
        let lang = i18n.lang.get();
        chart.with(|c| {
            c.as_ref().map(|c| {
                (
                    c.charted,
                    [
                        crate::web::format_date(&c.from, lang),
                        crate::web::format_date(&c.to, lang),
                        crate::web::format_number(c.min, lang),
                        crate::web::format_number(c.max, lang),
                    ],
                )
            })
        })
    });
    let label = move || {
        let name = test.with(|t| t.name.clone());
        let all = all.get();
        described.with(|d| {
            d.as_ref().map(|(charted, [from, to, min, max])| {
                let text = if *charted < all {
                    RecordsText::ChartLabelLatest
                } else {
                    RecordsText::ChartLabel
                };
                i18n.format(
                    text,
                    &[
                        ("test", &name),
                        ("count", &charted.to_string()),
                        ("total", &all.to_string()),
                        ("from", from),
                        ("to", to),
                        ("min", min),
                        ("max", max),
                    ],
                )
            })
        })
    };
    let caption = move || {
        let all = all.get();
        chart.with(|c| {
            c.as_ref().filter(|c| c.charted < all).map(|c| {
                i18n.format(
                    RecordsText::ChartLatest,
                    &[
                        ("count", &c.charted.to_string()),
                        ("total", &all.to_string()),
                    ],
                )
            })
        })
    };
    move || {
        chart.get().map(|c| {
            view! {
                <svg class="tahto-chart" viewBox="0 0 300 90" role="img" aria-label=label>
                    {c.band.map(|(top, bottom)| view! {
                        <rect class="tahto-chart-range" x="0" y=tenths_text(top) width="300" height=tenths_text(bottom - top) />
                    })}
                    <polyline class="tahto-chart-line" points=c.points />
                    <path class="tahto-chart-point" d=c.dots />
                    <path class="tahto-chart-out" d=c.squares />
                </svg>
                <p class="tahto-hint" aria-hidden="true" hidden=move || caption().is_none()>{caption}</p>
            }
        })
    }
}

fn result_row(i18n: I18n, result: &LabResult) -> impl IntoView {
    let lang = i18n.lang.get();
    view! {
        <tr>
            <td>{crate::web::format_date(&result.when, lang)}</td>
            <td>{value_text(result, lang)}</td>
            <td>{flag_text(result.flag).map(|t| i18n.t(t))}</td>
        </tr>
    }
}

/// The reference range as the lab wrote it or, when it did not, from its low and high in the
/// citizen's language (`3,5–5,1 mmol/l` in Finnish).
fn range_text(test: &LabTest, lang: Lang) -> String {
    if !test.range.is_empty() {
        return test.range.clone();
    }
    let n = |v: f64| crate::web::format_number(v, lang);
    let unit = &test.unit;
    match (test.low, test.high) {
        (Some(l), Some(h)) => format!("{}–{} {unit}", n(l), n(h)),
        (None, Some(h)) => format!("< {} {unit}", n(h)),
        (Some(l), None) => format!("> {} {unit}", n(l)),
        (None, None) => String::new(),
    }
}

/// One test: latest result, range, chart and history. Older pages add to `test` in place; each
/// part is a memo, so a page that adds only older results redraws only the counts (and an open
/// history stays open). The history's rows are drawn when it is opened.
#[component]
fn LabTestCard(
    /// The test and its results so far.
    test: RwSignal<LabTest>,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = RwSignal::new(ROWS_FIRST);
    let open = RwSignal::new(false);
    let total = memo(move |_| test.with(|t| t.results.len()));
    // Older pages leave the newest result as it was: its text is not formatted again.
    let newest = memo(move |_| test.with(|t| t.results.first().cloned()));
    let latest = memo(move |_| {
        let lang = i18n.lang.get();
        newest.with(|newest| {
            newest.as_ref().map(|r| {
                let text = i18n.format(
                    RecordsText::Latest,
                    &[
                        ("value", &value_text(r, lang)),
                        ("date", &crate::web::format_date(&r.when, lang)),
                    ],
                );
                (text, r.flag)
            })
        })
    });
    let latest_flag = move || latest.with(|l| l.as_ref().map_or(Flag::Unknown, |(_, f)| *f));
    let range = memo(move |_| test.with(|t| range_text(t, i18n.lang.get())));
    let shown_rows = memo(move |_| {
        if !open.get() {
            return Vec::new();
        }
        let shown = rows.get();
        test.with(|t| t.results.iter().take(shown).cloned().collect::<Vec<_>>())
    });
    let history =
        move || shown_rows.with(|rows| rows.iter().map(|r| result_row(i18n, r)).collect_view());
    let left = move || total.get().saturating_sub(rows.get());
    let toggled = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let is_open = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .is_some_and(|details| details.has_attribute("open"));
        open.set(is_open);
    };
    view! {
        <li class="tahto-card tahto-lab" data-testid="lab-test">
            <h2>{move || test.with(|t| t.name.clone())}</h2>
            <p class="tahto-lab-latest">
                {move || latest.with(|l| l.as_ref().map(|(text, _)| text.clone()))}
                " "
                // The latest says only what stands out: neither "within range" nor nothing to tell.
                <strong
                    class="tahto-flag"
                    hidden=move || matches!(latest_flag(), Flag::Normal | Flag::Unknown)
                >
                    {move || flag_text(latest_flag()).map(|t| i18n.t(t))}
                </strong>
            </p>
            <p class="tahto-hint" hidden=move || range.with(String::is_empty)>
                {move || range.with(|r| i18n.format(RecordsText::ReferenceRange, &[("range", r)]))}
            </p>
            <LabChart test />
            <details on:toggle=toggled>
                <summary>{move || format!("{} ({})", i18n.t(RecordsText::HistoryHeading), total.get())}</summary>
                <table class="tahto-table">
                    <thead>
                        <tr>
                            <th scope="col">{i18n.tr(RecordsText::Date)}</th>
                            <th scope="col">{i18n.tr(RecordsText::Result)}</th>
                            <th scope="col">{i18n.tr(RecordsText::Interpretation)}</th>
                        </tr>
                    </thead>
                    <tbody>{history}</tbody>
                </table>
                <button
                    type="button"
                    class="tahto-button"
                    hidden=move || left() == 0
                    on:click=move |_| rows.update(|r| *r += ROWS_MORE)
                >
                    {move || i18n.format(RecordsText::ShowMore, &[("count", &left().to_string())])}
                </button>
            </details>
        </li>
    }
}

/// A test's card: its key (for the keyed list) and its results, growing as older pages arrive.
#[derive(Clone)]
struct ShownTest {
    key: String,
    /// Arc, not arena: created while a page is merged, it must outlive that run.
    test: ArcRwSignal<LabTest>,
}

/// What the page's merge keeps between the tasks it runs in.
#[derive(Default)]
struct Merging {
    merge: LabMerge,
    /// A task is reading or showing: a page arriving meanwhile is read by it.
    running: bool,
    /// Bumped when the list is fetched again from the newest: what was read before is not shown.
    restarts: u32,
}

/// Reads what has arrived a slice at a time and shows it a test at a time, yielding to the
/// browser before each slice and between tests once they have taken `SHOW_BUDGET_MS`, until it
/// has caught up with the list (pages arriving meanwhile are read too). Stops when the page is
/// gone.
async fn merge_arrived(
    items: RwSignal<Vec<Value>>,
    merging: StoredValue<Merging>,
    shown: RwSignal<Vec<ShownTest>>,
) {
    loop {
        crate::web::yield_now().await;
        let read = items.try_with_untracked(|list| {
            merging.try_update_value(|m| {
                let caught_up = m.merge.read_next(list, READ_SLICE);
                caught_up.then(|| (m.merge.take(), m.restarts))
            })
        });
        let (changes, restarts) = match read.flatten() {
            None => return,
            Some(None) => continue,
            Some(Some(read)) => read,
        };
        if changes.is_empty() {
            // Caught up (nothing awaited since it was read: nothing can have arrived since).
            merging.try_update_value(|m| m.running = false);
            return;
        }
        let mut pacer = crate::web::Pacer::new(SHOW_BUDGET_MS);
        for change in changes {
            if merging.try_with_value(|m| m.restarts) != Some(restarts) {
                break;
            }
            show(shown, change);
            pacer.step().await;
        }
    }
}

/// Older results go into their test's card (which redraws only what they change); a new test gets
/// a card after those shown.
fn show(shown: RwSignal<Vec<ShownTest>>, change: LabChange) {
    match change {
        LabChange::Older { index, older } => {
            shown.try_with_untracked(|tests| {
                if let Some(card) = tests.get(index) {
                    card.test.update(|t| t.add_older(older));
                }
            });
        }
        LabChange::New(test) => {
            shown.try_update(|tests| {
                tests.push(ShownTest {
                    key: test.key.clone(),
                    test: ArcRwSignal::new(test),
                })
            });
        }
    }
}

#[component]
pub fn LabResultsPage() -> impl IntoView {
    let i18n = use_i18n();
    let search = PagedSearch::new(
        View::LabResults,
        "Observation",
        "patient",
        &[("category", "laboratory"), ("_sort", "-date")],
        PAGE,
    );
    // Each fetched page is read a slice at a time, grouped on its own and merged into the tests
    // already shown: the cost of a page does not grow with the history before it, and no task
    // blocks the page for long (DESIGN: nothing blocks for long).
    let shown = RwSignal::new(Vec::<ShownTest>::new());
    let merging = StoredValue::new(Merging::default());
    effect(move || {
        let arrived = search.items.with(Vec::len);
        let start = merging.try_update_value(|m| {
            if m.merge.restarted(arrived) {
                // Fetched again from the newest: start over.
                m.restarts = m.restarts.wrapping_add(1);
                shown.set(Vec::new());
            }
            !std::mem::replace(&mut m.running, true)
        });
        if start == Some(true) {
            spawn_local(merge_arrived(search.items, merging, shown));
        }
    });
    view! {
        <article class="tahto-page" aria-labelledby="tahto-lab-title">
            <h1 id="tahto-lab-title">{i18n.tr(Msg::LabResultsTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(RecordsText::LabIntro)}</p>
            <ul class="tahto-records" data-testid="lab-results">
                <For each=move || shown.get() key=|t| t.key.clone() let:card>
                    <LabTestCard test=RwSignal::from(card.test) />
                </For>
            </ul>
            <SearchState search />
        </article>
    }
}
