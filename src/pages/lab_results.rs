//! Lab results, grouped by test: the latest value, the reference range, the history as a small
//! chart and as a table. Out-of-range results are marked with a word and a sign (▲/▼), and drawn
//! as squares in the chart, never by colour alone.
//!
//! Long histories stay fast: results come in pages of `PAGE` (newest first), each test's table
//! shows ten rows and grows on request, and the history of a test is collapsed until opened.

use leptos::prelude::*;

use crate::domain::records::{group_lab_results, Flag, LabResult, LabTest};
use crate::i18n::records::RecordsText;
use crate::i18n::{Lang, Msg};
use crate::sections::View;
use crate::ui::search::{PagedSearch, SearchState};
use crate::ui::{use_i18n, I18n};

const PAGE: usize = 250;
const ROWS_FIRST: usize = 10;
const ROWS_MORE: usize = 50;
/// The chart draws this many latest values: about 5 px apart on a phone, still readable.
const CHART_POINTS: usize = 60;

fn flag_text(flag: Flag) -> RecordsText {
    match flag {
        Flag::High => RecordsText::High,
        Flag::Low => RecordsText::Low,
        Flag::Normal => RecordsText::Normal,
    }
}

fn value_text(result: &LabResult, unit: &str, lang: Lang) -> String {
    match result.value {
        Some(v) => format!("{} {unit}", crate::web::format_number(v, lang)),
        None => result.text.clone(),
    }
}

/// What a chart draws and says, computed once each time the test's results change.
#[derive(Clone, PartialEq)]
struct ChartData {
    points: String,
    /// The reference range as a band: top and bottom.
    band: Option<(f64, f64)>,
    /// Each charted value: x, y, and whether it is out of range (drawn as a square).
    marks: Vec<(f64, f64, bool)>,
    from: String,
    to: String,
    min: f64,
    max: f64,
    /// How many values are charted, of how many numeric results in all.
    charted: usize,
    all: usize,
}

impl ChartData {
    const W: f64 = 300.0;
    const H: f64 = 90.0;
    const PAD: f64 = 8.0;

    /// None when there is nothing to draw a line through (fewer than two numeric results).
    fn of(t: &LabTest) -> Option<ChartData> {
        let (w, h, pad) = (Self::W, Self::H, Self::PAD);
        let series = t.charted(CHART_POINTS);
        if series.len() < 2 {
            return None;
        }
        let values = series.iter().map(|(_, v)| *v);
        let min = values.clone().fold(f64::INFINITY, f64::min);
        let max = values.fold(f64::NEG_INFINITY, f64::max);
        let lo = min.min(t.low.unwrap_or(f64::INFINITY));
        let hi = max.max(t.high.unwrap_or(f64::NEG_INFINITY));
        let span = if hi > lo { hi - lo } else { 1.0 };
        let x = |i: usize| pad + (w - 2.0 * pad) * i as f64 / (series.len() - 1) as f64;
        let y = |v: f64| pad + (h - 2.0 * pad) * (hi - v) / span;
        let points: Vec<String> = series
            .iter()
            .enumerate()
            .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
            .collect();
        let band = match (t.low, t.high) {
            (Some(low), Some(high)) => Some((y(high), y(low))),
            (None, Some(high)) => Some((y(high), h - pad)),
            (Some(low), None) => Some((pad, y(low))),
            (None, None) => None,
        };
        let marks = series
            .iter()
            .enumerate()
            .map(|(i, (r, v))| (x(i), y(*v), r.flag != Flag::Normal))
            .collect();
        let when = |i: usize| {
            series
                .get(i)
                .map(|(r, _)| r.when.clone())
                .unwrap_or_default()
        };
        Some(ChartData {
            points: points.join(" "),
            band,
            marks,
            from: when(0),
            to: when(series.len() - 1),
            min,
            max,
            charted: series.len(),
            all: t.results.iter().filter(|r| r.value.is_some()).count(),
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
    // A memo: an older page leaves the latest values, and so the drawing, as they were.
    let chart = Memo::new(move |_| test.with(ChartData::of));
    let label = move || {
        let lang = i18n.lang.get();
        let name = test.with(|t| t.name.clone());
        chart.with(|c| {
            c.as_ref().map(|c| {
                let text = if c.charted < c.all {
                    RecordsText::ChartLabelLatest
                } else {
                    RecordsText::ChartLabel
                };
                i18n.format(
                    text,
                    &[
                        ("test", &name),
                        ("count", &c.charted.to_string()),
                        ("total", &c.all.to_string()),
                        ("from", &crate::web::format_date(&c.from, lang)),
                        ("to", &crate::web::format_date(&c.to, lang)),
                        ("min", &crate::web::format_number(c.min, lang)),
                        ("max", &crate::web::format_number(c.max, lang)),
                    ],
                )
            })
        })
    };
    let caption = move || {
        chart.with(|c| {
            c.as_ref().filter(|c| c.charted < c.all).map(|c| {
                i18n.format(
                    RecordsText::ChartLatest,
                    &[
                        ("count", &c.charted.to_string()),
                        ("total", &c.all.to_string()),
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
                        <rect class="tahto-chart-range" x="0" y=top width="300" height=bottom - top />
                    })}
                    <polyline class="tahto-chart-line" points=c.points />
                    {c.marks
                        .into_iter()
                        .map(|(cx, cy, out)| {
                            if out {
                                view! { <rect class="tahto-chart-out" x=cx - 4.0 y=cy - 4.0 width="8" height="8" /> }.into_any()
                            } else {
                                view! { <circle class="tahto-chart-point" cx=cx cy=cy r="3" /> }.into_any()
                            }
                        })
                        .collect_view()}
                </svg>
                <p class="tahto-hint" aria-hidden="true" hidden=move || caption().is_none()>{caption}</p>
            }
        })
    }
}

fn result_row(i18n: I18n, result: &LabResult, unit: &str) -> impl IntoView {
    let lang = i18n.lang.get();
    view! {
        <tr>
            <td>{crate::web::format_date(&result.when, lang)}</td>
            <td>{value_text(result, unit, lang)}</td>
            <td>{i18n.t(flag_text(result.flag))}</td>
        </tr>
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
    let total = Memo::new(move |_| test.with(|t| t.results.len()));
    let latest = Memo::new(move |_| {
        let lang = i18n.lang.get();
        test.with(|t| {
            t.results.first().map(|r| {
                let text = i18n.format(
                    RecordsText::Latest,
                    &[
                        ("value", &value_text(r, &t.unit, lang)),
                        ("date", &crate::web::format_date(&r.when, lang)),
                    ],
                );
                (text, r.flag)
            })
        })
    });
    let latest_flag = move || latest.with(|l| l.as_ref().map_or(Flag::Normal, |(_, f)| *f));
    let range = Memo::new(move |_| test.with(|t| t.range.clone()));
    let shown_rows = Memo::new(move |_| {
        if !open.get() {
            return Vec::new();
        }
        let shown = rows.get();
        test.with(|t| t.results.iter().take(shown).cloned().collect::<Vec<_>>())
    });
    let history = move || {
        let unit = test.with_untracked(|t| t.unit.clone());
        shown_rows.with(|rows| {
            rows.iter()
                .map(|r| result_row(i18n, r, &unit))
                .collect_view()
        })
    };
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
                <strong class="tahto-flag" hidden=move || latest_flag() == Flag::Normal>
                    {move || i18n.t(flag_text(latest_flag()))}
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
    // Each fetched page is grouped on its own and merged into the tests already shown: the cost
    // of a page does not grow with the history before it (DESIGN: nothing blocks for long).
    let shown = RwSignal::new(Vec::<ShownTest>::new());
    let merged = StoredValue::new(0_usize);
    Effect::new(move |_| {
        search.items.with(|items| {
            let mut from = merged.get_value();
            if items.len() < from {
                // Reloaded from the newest: start over.
                shown.set(Vec::new());
                from = 0;
            }
            let page = group_lab_results(items.get(from..).unwrap_or_default());
            merged.set_value(items.len());
            let mut new_tests = Vec::new();
            shown.with_untracked(|tests| {
                for test in page {
                    match tests.iter().find(|t| t.key == test.key) {
                        Some(card) => card.test.update(|t| t.add_older(test)),
                        None => new_tests.push(ShownTest {
                            key: test.key.clone(),
                            test: ArcRwSignal::new(test),
                        }),
                    }
                }
            });
            if !new_tests.is_empty() {
                shown.update(|tests| tests.extend(new_tests));
            }
        });
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
