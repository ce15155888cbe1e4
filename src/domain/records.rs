//! What the citizen reads from their health records, as plain types: prescriptions, lab results
//! grouped by test, vaccinations, visits and who viewed their data. Every field is optional on the
//! wire; what a record lacks is shown as missing, never guessed, and text from the server is
//! cleaned of hidden characters and bounded before it is shown.

use std::collections::HashMap;

use serde_json::Value;

use crate::fhir::resources::{id, items, str_at};
use crate::text::{clean_for_display, truncate_chars};

/// Longest text shown from one field of a record (hostile or broken data stays readable).
const FIELD_MAX_CHARS: usize = 500;

/// A field's text, cleaned and bounded.
fn shown(text: Option<&str>) -> String {
    text.map(|t| truncate_chars(&clean_for_display(t), FIELD_MAX_CHARS))
        .unwrap_or_default()
}

/// A patient's name as they would write it: the official name's `text`, else its given names and
/// family name; `None` when the record names nobody.
pub fn person_name(patient: &Value) -> Option<String> {
    let names = items(patient, "name");
    let name = names
        .iter()
        .find(|n| str_at(n, &["use"]) == Some("official"))
        .or_else(|| names.first())?;
    let text = str_at(name, &["text"]).map(str::to_owned).or_else(|| {
        let parts: Vec<&str> = items(name, "given")
            .iter()
            .filter_map(Value::as_str)
            .chain(str_at(name, &["family"]))
            .collect();
        (!parts.is_empty()).then(|| parts.join(" "))
    })?;
    Some(shown(Some(&text))).filter(|t| !t.trim().is_empty())
}

/// The readable name of a CodeableConcept: its text, else the first coding's display, else code.
pub fn concept_text(concept: Option<&Value>) -> String {
    let Some(concept) = concept else {
        return String::new();
    };
    let coding = items(concept, "coding").first();
    shown(
        str_at(concept, &["text"])
            .or_else(|| coding.and_then(|c| str_at(c, &["display"])))
            .or_else(|| coding.and_then(|c| str_at(c, &["code"]))),
    )
}

/// A Reference's display text.
fn reference_text(reference: Option<&Value>) -> String {
    shown(reference.and_then(|r| str_at(r, &["display"])))
}

/// A prescription (`MedicationRequest`).
#[derive(Clone, Debug, PartialEq)]
pub struct Prescription {
    pub id: String,
    pub medication: String,
    pub dosage: String,
    pub authored: String,
    pub valid_until: String,
    pub prescriber: String,
    pub renewable: bool,
    pub past: bool,
}

impl Prescription {
    pub fn from_resource(resource: &Value) -> Option<Prescription> {
        Some(Prescription {
            id: id(resource)?.to_owned(),
            medication: concept_text(resource.get("medicationCodeableConcept")),
            dosage: shown(
                items(resource, "dosageInstruction")
                    .first()
                    .and_then(|d| str_at(d, &["text"])),
            ),
            authored: shown(str_at(resource, &["authoredOn"])),
            valid_until: shown(str_at(
                resource,
                &["dispenseRequest", "validityPeriod", "end"],
            )),
            prescriber: reference_text(resource.get("requester")),
            renewable: crate::domain::renewal::is_renewable(resource),
            past: crate::domain::renewal::is_past(resource),
        })
    }
}

/// What a lab result says against its reference range: by the lab's own interpretation or, when
/// the lab gave none the app knows, by the range itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flag {
    Normal,
    High,
    Low,
    /// Abnormal, but neither high nor low (e.g. a positive test).
    Abnormal,
    /// Nothing to tell by: no interpretation and no exact value or no range. No flag is shown:
    /// "within range" would be a guess.
    Unknown,
}

/// One lab result.
#[derive(Clone, Debug, PartialEq)]
pub struct LabResult {
    /// When the sample was taken (ISO 8601).
    pub when: String,
    pub value: Option<f64>,
    /// `<`, `<=`, `>=` or `>` when the value is a bound, not an exact value (`< 20 copies/ml`).
    pub comparator: Option<&'static str>,
    /// This result's own unit: a test's older results may be in another.
    pub unit: String,
    /// The value as text, for results that are not numbers (e.g. "negative").
    pub text: String,
    pub flag: Flag,
}

/// Every result of one test, newest first, with its newest result's unit and reference range.
#[derive(Clone, Debug, PartialEq)]
pub struct LabTest {
    /// The test's key (LOINC code, else its name).
    pub key: String,
    pub name: String,
    /// The newest result's unit: the chart's axis.
    pub unit: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The range as the lab wrote it; empty when it did not (then `low`/`high` are shown, in the
    /// citizen's language: `ui`, not here).
    pub range: String,
    pub results: Vec<LabResult>,
}

impl LabTest {
    /// The results a chart can draw, newest first, with their values: exact values (no
    /// comparator: a bound is no point) in the test's unit (another unit is another scale).
    pub fn chartable(&self) -> impl Iterator<Item = (&LabResult, f64)> {
        self.results.iter().filter_map(|r| {
            let exact = r.comparator.is_none() && r.unit == self.unit;
            Some((r, r.value.filter(|_| exact)?))
        })
    }

    /// The latest `n` chartable results, oldest first (for the chart: a small chart of a long
    /// history draws the recent part; the table holds all of it).
    pub fn charted(&self, n: usize) -> Vec<(&LabResult, f64)> {
        let mut series: Vec<(&LabResult, f64)> = self.chartable().take(n).collect();
        series.reverse();
        series
    }

    /// Adds the results of the same test from an older page (results arrive newest first). The
    /// name, unit and range stay those of the newest result. A page that overlaps in time (equal
    /// timestamps across a page boundary, or a server that sorts differently) is merged in order.
    pub fn add_older(&mut self, older: LabTest) {
        let in_order = match (self.results.last(), older.results.first()) {
            (Some(last), Some(first)) => first.when <= last.when,
            _ => true,
        };
        self.results.extend(older.results);
        if !in_order {
            newest_first(&mut self.results, |r| &r.when);
        }
    }
}

/// Orders `items` newest first by `when`, an ISO 8601 time (in one time zone they sort as text);
/// items with the same time keep the order they arrived in.
///
/// Every list goes through this one sort of `(time, position)` pairs: a `sort_by` on each item
/// type is its own few kilobytes of sorting code in the wasm.
pub fn newest_first<T>(items: &mut Vec<T>, when: impl Fn(&T) -> &str) {
    let mut order: Vec<(&str, usize)> = items.iter().map(&when).zip(0..).collect();
    sort_newest_first(&mut order);
    let order: Vec<usize> = order.into_iter().map(|(_, i)| i).collect();
    let mut slots: Vec<Option<T>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(
        order
            .into_iter()
            .filter_map(|i| slots.get_mut(i).and_then(Option::take)),
    );
}

#[inline(never)]
fn sort_newest_first(order: &mut [(&str, usize)]) {
    order.sort_unstable_by(|a, b| b.0.cmp(a.0).then(a.1.cmp(&b.1)));
}

fn quantity_value(q: Option<&Value>) -> Option<f64> {
    q?.get("value")?.as_f64().filter(|v| v.is_finite())
}

/// One lab result with what its `Observation` says about the test: what one observation reads
/// to, so a page can be read a slice at a time and grouped once it is all read.
#[derive(Clone, Debug, PartialEq)]
pub struct LabEntry {
    /// The test's key (LOINC code, else its name).
    pub key: String,
    pub name: String,
    pub low: Option<f64>,
    pub high: Option<f64>,
    /// The range as the lab wrote it (empty when it did not).
    pub range_text: String,
    pub result: LabResult,
}

impl LabEntry {
    /// None for an observation that is not a laboratory result or has no code, and for one the
    /// lab withdrew (`entered-in-error`) or cancelled (no result).
    pub fn from_observation(obs: &Value) -> Option<LabEntry> {
        if matches!(
            str_at(obs, &["status"]),
            Some("entered-in-error" | "cancelled")
        ) {
            return None;
        }
        let code = obs.get("code")?;
        let loinc = items(code, "coding")
            .iter()
            .find(|c| str_at(c, &["system"]) == Some(crate::fhir::resources::LOINC))
            .and_then(|c| str_at(c, &["code"]));
        let name = concept_text(Some(code));
        let key = loinc.map_or_else(|| name.clone(), str::to_owned);
        if key.is_empty() {
            return None;
        }
        let quantity = obs.get("valueQuantity");
        let written = quantity.and_then(|q| str_at(q, &["comparator"]));
        let comparator = written.and_then(|c| ["<", "<=", ">=", ">"].into_iter().find(|k| *k == c));
        // A comparator R4 does not define leaves the number's meaning unknown: not shown.
        let value = quantity_value(quantity).filter(|_| comparator.is_some() == written.is_some());
        let range = items(obs, "referenceRange").first();
        let low = quantity_value(range.and_then(|r| r.get("low")));
        let high = quantity_value(range.and_then(|r| r.get("high")));
        // The first v3 ObservationInterpretation code that says where the result lies. Others
        // (IND, E, susceptibility R/I/S…) say nothing about the range: the value decides then.
        let interpreted = items(obs, "interpretation")
            .iter()
            .flat_map(|i| items(i, "coding"))
            .find_map(|c| match str_at(c, &["code"])? {
                "H" | "HH" | "HU" => Some(Flag::High),
                "L" | "LL" | "LU" => Some(Flag::Low),
                // Abnormal, critically abnormal, positive, detected.
                "A" | "AA" | "POS" | "DET" => Some(Flag::Abnormal),
                // Normal, negative, not detected.
                "N" | "NEG" | "ND" => Some(Flag::Normal),
                _ => None,
            });
        // A bound (`< 20`) is not compared with the range: it may lie on either side.
        let flag = interpreted.unwrap_or(match value.filter(|_| comparator.is_none()) {
            Some(v) if high.is_some_and(|h| v > h) => Flag::High,
            Some(v) if low.is_some_and(|l| v < l) => Flag::Low,
            Some(_) if low.is_some() || high.is_some() => Flag::Normal,
            _ => Flag::Unknown,
        });
        let text = match value {
            Some(_) => String::new(),
            None => shown(
                str_at(obs, &["valueString"])
                    .or_else(|| str_at(obs, &["valueCodeableConcept", "text"])),
            ),
        };
        Some(LabEntry {
            key,
            name,
            low,
            high,
            range_text: shown(range.and_then(|r| str_at(r, &["text"]))),
            result: LabResult {
                when: effective(obs).to_owned(),
                value,
                comparator,
                unit: shown(quantity.and_then(|q| str_at(q, &["unit"]))),
                text,
                flag,
            },
        })
    }

    /// A test holding only this result: its name, unit and range are this result's.
    fn into_test(self) -> LabTest {
        LabTest {
            key: self.key,
            name: self.name,
            unit: self.result.unit.clone(),
            low: self.low,
            high: self.high,
            range: self.range_text,
            results: vec![self.result],
        }
    }
}

/// Groups lab `Observation`s by test. Tests keep the order of their newest result (newest first);
/// results within a test are newest first. Observations that are not laboratory results or have
/// no code are left out.
pub fn group_lab_results(observations: &[Value]) -> Vec<LabTest> {
    group_lab_entries(
        observations
            .iter()
            .filter_map(LabEntry::from_observation)
            .collect(),
    )
}

/// Groups read results by test, as [`group_lab_results`] does.
pub fn group_lab_entries(mut entries: Vec<LabEntry>) -> Vec<LabTest> {
    // The server sorts too; this keeps us exact.
    newest_first(&mut entries, |e| &e.result.when);
    let mut tests: Vec<LabTest> = Vec::new();
    let mut by_key: HashMap<String, usize> = HashMap::new();
    for entry in entries {
        match by_key.get(&entry.key).and_then(|&i| tests.get_mut(i)) {
            Some(test) => test.results.push(entry.result),
            None => {
                by_key.insert(entry.key.clone(), tests.len());
                tests.push(entry.into_test());
            }
        }
    }
    tests
}

/// What a batch of newly read results changes in the tests already shown.
#[derive(Clone, Debug, PartialEq)]
pub enum LabChange {
    /// Older results of the test shown at this position (for [`LabTest::add_older`]).
    Older { index: usize, older: LabTest },
    /// A test not shown yet: it goes after those shown.
    New(LabTest),
}

/// Lab results merged into the tests shown as pages of them arrive, without grouping again what
/// is shown: the list of observations is read a slice at a time (`read_next`, between which the
/// browser gets to run), and once it is all read (`take`) the new results are grouped on their
/// own and handed over as changes to the tests shown. Applying every change in order gives what
/// [`group_lab_results`] gives for the whole list.
#[derive(Debug, Default)]
pub struct LabMerge {
    /// How many observations of the list have been read.
    read: usize,
    /// Read, not handed over yet.
    pending: Vec<LabEntry>,
    /// The tests handed over, by key: their position in the list shown.
    shown: HashMap<String, usize>,
}

impl LabMerge {
    /// Reads up to `slice` more observations of `list` (which only grows, newest first; a
    /// shorter list means it started again, and so does the merge: see [`LabMerge::restarted`]).
    /// True when all of it has been read.
    pub fn read_next(&mut self, list: &[Value], slice: usize) -> bool {
        let from = self.read.min(list.len());
        let to = from.saturating_add(slice.max(1)).min(list.len());
        let read = list.get(from..to).unwrap_or_default();
        self.pending
            .extend(read.iter().filter_map(LabEntry::from_observation));
        self.read = to;
        to == list.len()
    }

    /// True (and the merge starts over, as if nothing had been shown) when the list is shorter
    /// than what was read of it: it was fetched again from the newest.
    pub fn restarted(&mut self, list_len: usize) -> bool {
        if list_len < self.read {
            *self = LabMerge::default();
            true
        } else {
            false
        }
    }

    /// The results read since the last call, as changes to the tests shown.
    pub fn take(&mut self) -> Vec<LabChange> {
        let tests = group_lab_entries(std::mem::take(&mut self.pending));
        tests
            .into_iter()
            .map(|test| match self.shown.get(&test.key) {
                Some(&index) => LabChange::Older { index, older: test },
                None => {
                    self.shown.insert(test.key.clone(), self.shown.len());
                    LabChange::New(test)
                }
            })
            .collect()
    }
}

fn effective(obs: &Value) -> &str {
    str_at(obs, &["effectiveDateTime"])
        .or_else(|| str_at(obs, &["effectivePeriod", "start"]))
        .or_else(|| str_at(obs, &["issued"]))
        .unwrap_or("")
}

/// A vaccination (`Immunization`).
#[derive(Clone, Debug, PartialEq)]
pub struct Vaccination {
    pub vaccine: String,
    pub when: String,
    pub lot: String,
    pub given_by: String,
    pub place: String,
}

impl Vaccination {
    /// None for a vaccination recorded in error or not given (`not-done`): not one the citizen
    /// has had.
    pub fn from_resource(resource: &Value) -> Option<Vaccination> {
        if matches!(
            str_at(resource, &["status"]),
            Some("entered-in-error" | "not-done")
        ) {
            return None;
        }
        Some(Vaccination {
            vaccine: concept_text(resource.get("vaccineCode")),
            when: shown(str_at(resource, &["occurrenceDateTime"])),
            lot: shown(str_at(resource, &["lotNumber"])),
            given_by: reference_text(
                items(resource, "performer")
                    .first()
                    .and_then(|p| p.get("actor")),
            ),
            place: reference_text(resource.get("location")),
        })
    }
}

/// A visit (`Encounter`).
#[derive(Clone, Debug, PartialEq)]
pub struct Visit {
    pub kind: String,
    pub start: String,
    pub reason: String,
    pub professional: String,
    pub place: String,
}

impl Visit {
    /// None for a visit recorded in error or cancelled: not a visit the citizen made.
    pub fn from_resource(resource: &Value) -> Option<Visit> {
        if matches!(
            str_at(resource, &["status"]),
            Some("entered-in-error" | "cancelled")
        ) {
            return None;
        }
        let place = items(resource, "location")
            .first()
            .map(|l| reference_text(l.get("location")))
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| reference_text(resource.get("serviceProvider")));
        Some(Visit {
            kind: concept_text(items(resource, "type").first()),
            start: shown(str_at(resource, &["period", "start"])),
            reason: concept_text(items(resource, "reasonCode").first()),
            professional: reference_text(
                items(resource, "participant")
                    .first()
                    .and_then(|p| p.get("individual")),
            ),
            place,
        })
    }
}

/// One viewing of the citizen's data (`AuditEvent`).
#[derive(Clone, Debug, PartialEq)]
pub struct Access {
    pub when: String,
    pub who: String,
    pub organisation: String,
    pub what: String,
    pub purpose: String,
    /// Viewed for emergency care (no care relationship needed): shown prominently.
    pub emergency: bool,
}

impl Access {
    pub fn from_resource(resource: &Value) -> Access {
        let agent = items(resource, "agent")
            .iter()
            .find(|a| a.get("requestor").and_then(Value::as_bool) == Some(true))
            .or_else(|| items(resource, "agent").first());
        let purpose = agent.and_then(|a| items(a, "purposeOfUse").first());
        let emergency = items(resource, "purposeOfEvent")
            .iter()
            .chain(agent.map_or(&[][..], |a| items(a, "purposeOfUse")))
            .flat_map(|p| items(p, "coding"))
            .any(|c| str_at(c, &["code"]) == Some("ETREAT"));
        Access {
            when: shown(str_at(resource, &["recorded"])),
            who: reference_text(agent.and_then(|a| a.get("who"))),
            organisation: shown(str_at(resource, &["source", "site"])),
            what: shown(
                items(resource, "entity")
                    .first()
                    .and_then(|e| str_at(e, &["name"])),
            ),
            purpose: concept_text(purpose),
            emergency,
        }
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn a_persons_name_is_the_official_one_as_written() {
        let p = serde_json::json!({"name": [
            {"use": "nickname", "text": "Helmi-täti"},
            {"use": "official", "family": "Esimerkki", "given": ["Helmi", "Maria"]},
        ]});
        assert_eq!(person_name(&p).as_deref(), Some("Helmi Maria Esimerkki"));
        let p = serde_json::json!({"name": [{"text": "Matti Meikäläinen\u{200B}"}]});
        assert_eq!(person_name(&p).as_deref(), Some("Matti Meikäläinen"));
        assert_eq!(person_name(&serde_json::json!({"name": []})), None);
        assert_eq!(
            person_name(&serde_json::json!({"name": [{"given": []}]})),
            None
        );
        assert_eq!(person_name(&serde_json::json!({})), None);
    }
    use super::*;

    #[test]
    fn newest_first_keeps_the_arrival_order_of_equal_times() {
        let mut items = vec![
            ("2025-01-01", 'a'),
            ("2026-01-01", 'b'),
            ("2025-06-01", 'c'),
            ("2026-01-01", 'd'),
            ("", 'e'),
        ];
        newest_first(&mut items, |i| i.0);
        let order: String = items.iter().map(|i| i.1).collect();
        assert_eq!(order, "bdcae");
    }
    use serde_json::json;

    fn lab(code: &str, date: &str, value: f64, flag: Option<&str>) -> Value {
        let mut obs = json!({
            "resourceType": "Observation",
            "code": {"coding": [{"system": "http://loinc.org", "code": code}], "text": format!("T-{code}")},
            "effectiveDateTime": date,
            "valueQuantity": {"value": value, "unit": "mmol/l"},
            "referenceRange": [{"low": {"value": 4.0}, "high": {"value": 6.0}}],
        });
        if let Some(f) = flag {
            obs["interpretation"] = json!([{"coding": [{"code": f}]}]);
        }
        obs
    }

    #[test]
    fn lab_results_are_grouped_by_test_newest_first_and_flagged() {
        let tests = group_lab_results(&[
            lab("1-1", "2025-01-01T08:00:00+02:00", 5.0, None),
            lab("2-2", "2026-01-01T08:00:00+02:00", 7.0, None),
            lab("1-1", "2026-02-01T08:00:00+02:00", 3.0, Some("L")),
            lab("1-1", "2025-06-01T08:00:00+03:00", 6.5, None),
        ]);
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[0].key, "1-1", "the test with the newest result first");
        assert_eq!(tests[0].name, "T-1-1");
        let flags: Vec<Flag> = tests[0].results.iter().map(|r| r.flag).collect();
        assert_eq!(flags, [Flag::Low, Flag::High, Flag::Normal]);
        assert_eq!(
            tests[0].range, "",
            "no text from the lab: shown from low and high"
        );
        assert_eq!((tests[0].low, tests[0].high), (Some(4.0), Some(6.0)));
        let series: Vec<f64> = tests[0]
            .charted(usize::MAX)
            .iter()
            .map(|(_, v)| *v)
            .collect();
        assert_eq!(series, [5.0, 6.5, 3.0], "the chart runs oldest to newest");
        assert_eq!(
            tests[1].results[0].flag,
            Flag::High,
            "by range when the lab gave no flag"
        );
    }

    #[test]
    fn pages_merged_into_their_tests_equal_grouping_all_at_once() {
        // 3 tests, results every hour, newest first as the server pages them; two results share a
        // time across a page boundary, and one result sits a page too early (a server sorting
        // differently).
        let mut all: Vec<Value> = (0..60)
            .map(|i| {
                let hour = 59 - i;
                lab(
                    &format!("{}-0", i % 3),
                    &format!("2025-01-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24),
                    4.0 + f64::from(i % 7),
                    None,
                )
            })
            .collect();
        all[20]["effectiveDateTime"] = all[19]["effectiveDateTime"].clone();
        all.swap(25, 34);
        let whole = group_lab_results(&all);

        let mut merged: Vec<LabTest> = Vec::new();
        for page in all.chunks(10) {
            for test in group_lab_results(page) {
                match merged.iter_mut().find(|t| t.key == test.key) {
                    Some(shown) => shown.add_older(test),
                    None => merged.push(test),
                }
            }
        }
        assert_eq!(merged.len(), 3);
        for (a, b) in merged.iter().zip(&whole) {
            assert_eq!(a.key, b.key, "tests in the same order");
            let dates = |t: &LabTest| t.results.iter().map(|r| r.when.clone()).collect::<Vec<_>>();
            assert_eq!(dates(a), dates(b), "{}: same results, newest first", a.key);
        }
    }

    /// Applies what a merge hands over, as the lab results page does to its cards.
    fn apply(shown: &mut Vec<LabTest>, changes: Vec<LabChange>) {
        for change in changes {
            match change {
                LabChange::Older { index, older } => shown[index].add_older(older),
                LabChange::New(test) => shown.push(test),
            }
        }
    }

    #[test]
    fn results_read_in_slices_as_pages_arrive_equal_grouping_all_at_once() {
        // 4 tests, newest first as the server pages them, with a time shared across a page
        // boundary, a result a page too early, and observations that are no lab results.
        let mut all: Vec<Value> = (0..90)
            .map(|i| {
                let hour = 89 - i;
                lab(
                    &format!("{}-0", i % 4),
                    &format!("2025-01-{:02}T{:02}:00:00Z", 1 + hour / 24, hour % 24),
                    4.0 + f64::from(i % 7),
                    None,
                )
            })
            .collect();
        all[30]["effectiveDateTime"] = all[29]["effectiveDateTime"].clone();
        all.swap(35, 47);
        all[50] = json!({"resourceType": "Observation"});
        all[70] = json!({"code": {"text": ""}});
        let whole = group_lab_results(&all);

        for (page, slice) in [(30, 7), (25, 1), (90, 100), (10, 10)] {
            let mut merge = LabMerge::default();
            let mut shown: Vec<LabTest> = Vec::new();
            let mut arrived = 0;
            let mut reads = 0;
            while arrived < all.len() {
                arrived = (arrived + page).min(all.len());
                let list = &all[..arrived];
                assert!(!merge.restarted(list.len()));
                while !merge.read_next(list, slice) {
                    reads += 1;
                }
                reads += 1;
                apply(&mut shown, merge.take());
            }
            assert_eq!(
                reads,
                all.chunks(page)
                    .map(|p| p.len().div_ceil(slice))
                    .sum::<usize>(),
                "page {page}, slice {slice}: each page read in slices, none read twice"
            );
            assert_eq!(shown, whole, "page {page}, slice {slice}");
        }
    }

    #[test]
    fn a_merge_starts_over_when_the_list_is_fetched_again() {
        let first: Vec<Value> = (0..5)
            .map(|i| lab("1-1", &format!("2025-01-0{}T08:00:00Z", 5 - i), 5.0, None))
            .collect();
        let mut merge = LabMerge::default();
        let mut shown = Vec::new();
        assert!(merge.read_next(&first, 10));
        apply(&mut shown, merge.take());
        assert_eq!(shown[0].results.len(), 5);

        let again = vec![lab("2-2", "2025-02-01T08:00:00Z", 5.0, None)];
        assert!(merge.restarted(again.len()), "a shorter list is a new one");
        assert!(merge.read_next(&again, 10));
        assert_eq!(
            merge.take(),
            vec![LabChange::New(group_lab_results(&again).remove(0))],
            "the new list's tests are new: nothing of the old one is left"
        );
        assert!(merge.take().is_empty(), "nothing is handed over twice");
    }

    #[test]
    fn a_long_history_charts_its_latest_values() {
        let results: Vec<Value> = (0..100)
            .map(|i| {
                let when = format!("2025-01-01T{:02}:{:02}:00Z", i / 60, i % 60);
                lab("1-1", &when, f64::from(i), None)
            })
            .collect();
        let tests = group_lab_results(&results);
        let recent = tests[0].charted(5);
        let values: Vec<f64> = recent.iter().map(|(_, v)| *v).collect();
        assert_eq!(
            values,
            [95.0, 96.0, 97.0, 98.0, 99.0],
            "the latest five, oldest first"
        );
        assert_eq!(tests[0].charted(usize::MAX).len(), 100);
    }

    #[test]
    fn broken_or_hostile_records_are_shown_safely() {
        let tests = group_lab_results(&[
            json!({"resourceType": "Observation"}),
            json!({"code": {"text": "CRP\u{200B}"}, "valueString": "negatiivinen\u{0007}"}),
            json!({"code": {"text": "x"}, "valueQuantity": {"value": "NaN"}}),
        ]);
        assert_eq!(tests.len(), 2);
        assert_eq!(tests[0].name, "CRP");
        assert_eq!(tests[0].results[0].text, "negatiivinen");
        assert_eq!(tests[1].results[0].value, None);

        let long = "a".repeat(10_000);
        let visit = Visit::from_resource(&json!({"type": [{"text": long}]})).expect("no status");
        assert!(
            visit.kind.chars().count() <= FIELD_MAX_CHARS + 1,
            "bounded, with an ellipsis"
        );
        assert_eq!(visit.start, "");
    }

    #[test]
    fn prescriptions_vaccinations_visits_and_access_read_their_fields() {
        let rx = Prescription::from_resource(&json!({
            "resourceType": "MedicationRequest", "id": "rx1", "status": "active",
            "extension": [{"url": crate::domain::renewal::RENEWABLE_EXTENSION, "valueBoolean": true}],
            "medicationCodeableConcept": {"coding": [{"display": "Atorvastatin 20 mg"}]},
            "dosageInstruction": [{"text": "1 x 1"}], "authoredOn": "2025-03-10",
            "requester": {"display": "LL Anna Laakso"},
            "dispenseRequest": {"validityPeriod": {"end": "2027-03-10"}},
        }));
        let rx = rx.expect("has an id");
        assert_eq!(rx.medication, "Atorvastatin 20 mg");
        assert!(rx.renewable && !rx.past);
        assert_eq!(rx.valid_until, "2027-03-10");
        assert!(Prescription::from_resource(&json!({"status": "active"})).is_none());

        let v = Vaccination::from_resource(&json!({
            "vaccineCode": {"text": "Influenssarokote"}, "occurrenceDateTime": "2025-10-21",
            "lotNumber": "FLU25", "performer": [{"actor": {"display": "sh Mikko"}}],
            "location": {"display": "Hervanta"},
        }))
        .expect("given");
        assert_eq!(
            (v.vaccine.as_str(), v.lot.as_str(), v.given_by.as_str()),
            ("Influenssarokote", "FLU25", "sh Mikko")
        );

        let visit = Visit::from_resource(&json!({
            "type": [{"text": "Etävastaanotto"}], "period": {"start": "2025-01-20T13:00:00+02:00"},
            "serviceProvider": {"display": "Hervannan terveysasema"},
        }))
        .expect("a visit");
        assert_eq!(
            visit.place, "Hervannan terveysasema",
            "the provider when there is no location"
        );

        let access = Access::from_resource(&json!({
            "recorded": "2025-12-28T21:47:09Z",
            "purposeOfEvent": [{"coding": [{"code": "ETREAT"}]}],
            "agent": [{"who": {"display": "LT Juha"}, "requestor": true,
                       "purposeOfUse": [{"text": "Kiireellinen hoito"}]}],
            "source": {"site": "Tays"}, "entity": [{"name": "Hoitokertomus"}],
        }));
        assert!(access.emergency);
        assert_eq!(access.purpose, "Kiireellinen hoito");
        assert_eq!(
            (access.who.as_str(), access.organisation.as_str()),
            ("LT Juha", "Tays")
        );
    }

    #[test]
    fn withdrawn_cancelled_or_not_given_records_are_not_shown() {
        let with_status = |mut resource: Value, status: &str| {
            resource["status"] = json!(status);
            resource
        };
        let obs = lab("1-1", "2025-01-01T08:00:00Z", 5.0, None);
        for (status, shown) in [
            ("final", true),
            ("amended", true),
            ("preliminary", true),
            ("entered-in-error", false),
            ("cancelled", false),
        ] {
            let read = LabEntry::from_observation(&with_status(obs.clone(), status));
            assert_eq!(read.is_some(), shown, "Observation {status}");
        }
        let tests = group_lab_results(&[
            with_status(
                lab("1-1", "2025-02-01T08:00:00Z", 9.0, None),
                "entered-in-error",
            ),
            obs.clone(),
        ]);
        assert_eq!(
            tests[0].results.len(),
            1,
            "the withdrawn result is neither the latest nor in the history"
        );
        assert_eq!(tests[0].results[0].value, Some(5.0));

        let given = json!({"vaccineCode": {"text": "Influenssarokote"}});
        for (status, shown) in [
            ("completed", true),
            ("entered-in-error", false),
            ("not-done", false),
        ] {
            let read = Vaccination::from_resource(&with_status(given.clone(), status));
            assert_eq!(read.is_some(), shown, "Immunization {status}");
        }

        let visit = json!({"type": [{"text": "Lääkärin vastaanotto"}]});
        for (status, shown) in [
            ("finished", true),
            ("planned", true),
            ("entered-in-error", false),
            ("cancelled", false),
        ] {
            let read = Visit::from_resource(&with_status(visit.clone(), status));
            assert_eq!(read.is_some(), shown, "Encounter {status}");
        }
    }

    #[test]
    fn the_labs_interpretation_decides_the_flag_else_the_range() {
        let flag = |obs: Value| LabEntry::from_observation(&obs).map(|e| e.result.flag);
        // 5.0 lies within 4–6: every flag below but the last comes from the lab's code alone.
        for (code, expected) in [
            ("H", Flag::High),
            ("HH", Flag::High),
            ("HU", Flag::High),
            ("L", Flag::Low),
            ("LL", Flag::Low),
            ("LU", Flag::Low),
            // Was High: abnormal says nothing about the direction.
            ("A", Flag::Abnormal),
            ("AA", Flag::Abnormal),
            ("POS", Flag::Abnormal),
            ("DET", Flag::Abnormal),
            ("N", Flag::Normal),
            ("NEG", Flag::Normal),
            ("ND", Flag::Normal),
            // Was Normal: indeterminate says nothing about the range, the value does.
            ("IND", Flag::Normal),
        ] {
            let obs = lab("1-1", "2025-01-01T08:00:00Z", 5.0, Some(code));
            assert_eq!(flag(obs), Some(expected), "{code}");
        }
        assert_eq!(
            flag(lab("1-1", "2025-01-01T08:00:00Z", 7.0, Some("IND"))),
            Some(Flag::High),
            "a code that says nothing about the range: the value decides"
        );
        let mut both = lab("1-1", "2025-01-01T08:00:00Z", 7.0, None);
        both["interpretation"] = json!([{"coding": [{"code": "Koholla"}, {"code": "LL"}]}]);
        assert_eq!(flag(both), Some(Flag::Low), "the first code that says");

        // Nothing to decide by: no flag, rather than "within range".
        let mut no_range = lab("1-1", "2025-01-01T08:00:00Z", 5.0, None);
        no_range["referenceRange"] = json!([]);
        assert_eq!(flag(no_range.clone()), Some(Flag::Unknown), "no range");
        no_range["interpretation"] = json!([{"coding": [{"code": "POS"}]}]);
        assert_eq!(
            flag(no_range),
            Some(Flag::Abnormal),
            "no range, the lab's code"
        );
        let words = json!({"code": {"text": "Influenssa A"}, "valueString": "ei todettu",
                           "interpretation": [{"coding": [{"code": "IND"}]}]});
        assert_eq!(flag(words), Some(Flag::Unknown), "no number");
        let mut only_high = lab("2-2", "2025-01-01T08:00:00Z", 2.0, None);
        only_high["referenceRange"] = json!([{"high": {"value": 3.0}}]);
        assert_eq!(flag(only_high), Some(Flag::Normal), "below an upper limit");
    }

    #[test]
    fn a_value_with_a_comparator_is_a_bound_not_a_point() {
        let hiv_rna = |comparator: &str, date: &str, flag: Option<&str>| {
            let mut obs = lab("25836-8", date, 20.0, flag);
            obs["valueQuantity"] =
                json!({"value": 20, "comparator": comparator, "unit": "copies/ml"});
            obs["referenceRange"] = json!([{"high": {"value": 10.0}}]);
            obs
        };
        let tests = group_lab_results(&[
            hiv_rna("<", "2025-03-01T08:00:00Z", None),
            hiv_rna(">=", "2025-02-01T08:00:00Z", Some("H")),
            hiv_rna("ad", "2025-01-01T08:00:00Z", None),
        ]);
        let results = &tests[0].results;
        let read: Vec<_> = results.iter().map(|r| (r.value, r.comparator)).collect();
        assert_eq!(
            read,
            [
                (Some(20.0), Some("<")),
                (Some(20.0), Some(">=")),
                (None, None)
            ],
            "a comparator R4 does not define: the number is not shown"
        );
        assert_eq!(
            results[0].flag,
            Flag::Unknown,
            "< 20 against a limit of 10 may lie on either side"
        );
        assert_eq!(results[1].flag, Flag::High, "the lab's code still applies");
        assert_eq!(tests[0].chartable().count(), 0, "a bound is no point");
    }

    #[test]
    fn each_result_keeps_its_unit_and_the_chart_only_the_tests_unit() {
        let hb = |date: &str, value: f64, unit: &str| {
            let mut obs = lab("718-7", date, value, None);
            obs["valueQuantity"]["unit"] = json!(unit);
            obs
        };
        let tests = group_lab_results(&[
            hb("2025-01-01T08:00:00Z", 13.4, "g/dL"),
            hb("2026-01-01T08:00:00Z", 134.0, "g/l"),
            hb("2025-06-01T08:00:00Z", 131.0, "g/l"),
        ]);
        let test = &tests[0];
        assert_eq!(test.unit, "g/l", "the newest result's");
        let units: Vec<&str> = test.results.iter().map(|r| r.unit.as_str()).collect();
        assert_eq!(units, ["g/l", "g/l", "g/dL"], "each shown with its own");
        let series: Vec<f64> = test.charted(usize::MAX).iter().map(|(_, v)| *v).collect();
        assert_eq!(series, [131.0, 134.0], "13.4 g/dL is not on the g/l axis");
    }
}
