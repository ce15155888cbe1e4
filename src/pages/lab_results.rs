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

/// The history as a small line chart, described in words for screen readers.
#[component]
fn LabChart(
    /// The test whose history is drawn.
    test: StoredValue<LabTest>,
) -> impl IntoView {
    let i18n = use_i18n();
    const W: f64 = 300.0;
    const H: f64 = 90.0;
    const PAD: f64 = 8.0;
    let drawing = move || {
        test.with_value(|t| {
            let series = t.series();
            if series.len() < 2 {
                return None;
            }
            let values = series.iter().map(|(_, v)| *v);
            let lo = values
                .clone()
                .fold(f64::INFINITY, f64::min)
                .min(t.low.unwrap_or(f64::INFINITY));
            let hi = values
                .fold(f64::NEG_INFINITY, f64::max)
                .max(t.high.unwrap_or(f64::NEG_INFINITY));
            let span = if hi > lo { hi - lo } else { 1.0 };
            let x = |i: usize| PAD + (W - 2.0 * PAD) * i as f64 / (series.len() - 1) as f64;
            let y = |v: f64| PAD + (H - 2.0 * PAD) * (hi - v) / span;
            let points: Vec<String> = series
                .iter()
                .enumerate()
                .map(|(i, (_, v))| format!("{:.1},{:.1}", x(i), y(*v)))
                .collect();
            let band = match (t.low, t.high) {
                (Some(l), Some(h)) => Some((y(h), y(l))),
                (None, Some(h)) => Some((y(h), H - PAD)),
                (Some(l), None) => Some((PAD, y(l))),
                (None, None) => None,
            };
            let flags: Vec<(f64, f64, bool)> = t
                .results
                .iter()
                .rev()
                .filter(|r| r.value.is_some())
                .zip(series.iter().enumerate())
                .map(|(r, (i, (_, v)))| (x(i), y(*v), r.flag != Flag::Normal))
                .collect();
            Some((points.join(" "), band, flags))
        })
    };
    let label = move || {
        let lang = i18n.lang.get();
        test.with_value(|t| {
            let series = t.series();
            let values = series.iter().map(|(_, v)| *v);
            let min = values.clone().fold(f64::INFINITY, f64::min);
            let max = values.fold(f64::NEG_INFINITY, f64::max);
            i18n.format(
                RecordsText::ChartLabel,
                &[
                    ("test", &t.name),
                    ("count", &series.len().to_string()),
                    (
                        "from",
                        &series
                            .first()
                            .map(|(d, _)| crate::web::format_date(d, lang))
                            .unwrap_or_default(),
                    ),
                    (
                        "to",
                        &series
                            .last()
                            .map(|(d, _)| crate::web::format_date(d, lang))
                            .unwrap_or_default(),
                    ),
                    ("min", &crate::web::format_number(min, lang)),
                    ("max", &crate::web::format_number(max, lang)),
                ],
            )
        })
    };
    move || {
        drawing().map(|(points, band, flags)| {
            view! {
                <svg class="tahto-chart" viewBox="0 0 300 90" role="img" aria-label=label>
                    {band.map(|(top, bottom)| view! {
                        <rect class="tahto-chart-range" x="0" y=top width="300" height=bottom - top />
                    })}
                    <polyline class="tahto-chart-line" points=points />
                    {flags
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

/// One test: latest result, range, chart and history.
#[component]
fn LabTestCard(
    /// The test and its results.
    test: LabTest,
) -> impl IntoView {
    let i18n = use_i18n();
    let rows = RwSignal::new(ROWS_FIRST);
    let total = test.results.len();
    let test = StoredValue::new(test);
    let latest = move || {
        let lang = i18n.lang.get();
        test.with_value(|t| {
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
    };
    let latest_flag = move || latest().map_or(Flag::Normal, |(_, f)| f);
    let history = move || {
        let shown = rows.get();
        test.with_value(|t| {
            t.results
                .iter()
                .take(shown)
                .map(|r| result_row(i18n, r, &t.unit))
                .collect_view()
        })
    };
    let left = move || total.saturating_sub(rows.get());
    view! {
        <li class="tahto-card tahto-lab" data-testid="lab-test">
            <h2>{test.with_value(|t| t.name.clone())}</h2>
            <p class="tahto-lab-latest">
                {move || latest().map(|(text, _)| text)}
                " "
                <strong class="tahto-flag" hidden=move || latest_flag() == Flag::Normal>
                    {move || i18n.t(flag_text(latest_flag()))}
                </strong>
            </p>
            <p class="tahto-hint" hidden=test.with_value(|t| t.range.is_empty())>
                {move || test.with_value(|t| i18n.format(RecordsText::ReferenceRange, &[("range", &t.range)]))}
            </p>
            <LabChart test />
            <details>
                <summary>{move || format!("{} ({total})", i18n.t(RecordsText::HistoryHeading))}</summary>
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
    // Grouping runs once per fetched page, not per render.
    let tests = Memo::new(move |_| search.items.with(|items| group_lab_results(items)));
    view! {
        <article class="tahto-page" aria-labelledby="tahto-lab-title">
            <h1 id="tahto-lab-title">{i18n.tr(Msg::LabResultsTitle)}</h1>
            <p class="tahto-lead">{i18n.tr(RecordsText::LabIntro)}</p>
            <ul class="tahto-records" data-testid="lab-results">
                <For each=move || tests.get() key=|t| (t.key.clone(), t.results.len()) let:test>
                    <LabTestCard test />
                </For>
            </ul>
            <SearchState search />
        </article>
    }
}
