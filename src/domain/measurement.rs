//! The citizen's own measurements — blood pressure, weight, blood glucose — as `Observation`s
//! (DESIGN §2), checked against plausible ranges before anything is sent.
//!
//! A plausible range is not a clinical reference range: it catches typing mistakes (a weight of
//! 7.5 instead of 75, systolic and diastolic swapped) with a clear message, and never judges a
//! real value as "bad".

use serde_json::Value;

use crate::fhir::resources::{
    concept, has_code, items, resource_type, str_at, IDENTIFIER_SYSTEM, LOINC,
};

const UCUM: &str = "http://unitsofmeasure.org";
const OBSERVATION_CATEGORY: &str = "http://terminology.hl7.org/CodeSystem/observation-category";

/// LOINC codes (DESIGN §2).
pub const BP_PANEL: &str = "85354-9";
pub const BP_SYSTOLIC: &str = "8480-6";
pub const BP_DIASTOLIC: &str = "8462-4";
pub const BODY_WEIGHT: &str = "29463-7";
pub const GLUCOSE: &str = "15074-8";

/// One measurement as the citizen entered it (numbers already parsed; see [`parse_number`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Measurement {
    /// mmHg.
    BloodPressure { systolic: f64, diastolic: f64 },
    /// kg.
    Weight { kg: f64 },
    /// mmol/l.
    Glucose { mmol_per_l: f64 },
}

/// Why a measurement is not sent: each has its own message for the citizen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RangeProblem {
    /// The value of `field` is outside `min..=max` (in the unit shown to the citizen).
    OutOfRange { field: Field, min: f64, max: f64 },
    /// Systolic must be higher than diastolic (the two were probably swapped).
    SystolicNotAboveDiastolic,
}

/// Which entry field a problem concerns (to point the citizen to it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    Systolic,
    Diastolic,
    Weight,
    Glucose,
}

impl Field {
    /// The plausible range of the field, in its unit.
    pub fn range(self) -> (f64, f64) {
        match self {
            Field::Systolic => (50.0, 260.0),
            Field::Diastolic => (30.0, 160.0),
            Field::Weight => (1.0, 400.0),
            Field::Glucose => (1.0, 40.0),
        }
    }
}

fn check(field: Field, value: f64) -> Result<(), RangeProblem> {
    let (min, max) = field.range();
    if value.is_finite() && (min..=max).contains(&value) {
        Ok(())
    } else {
        Err(RangeProblem::OutOfRange { field, min, max })
    }
}

impl Measurement {
    /// Checks the values before sending.
    pub fn validate(&self) -> Result<(), RangeProblem> {
        match *self {
            Measurement::BloodPressure {
                systolic,
                diastolic,
            } => {
                check(Field::Systolic, systolic)?;
                check(Field::Diastolic, diastolic)?;
                if systolic <= diastolic {
                    return Err(RangeProblem::SystolicNotAboveDiastolic);
                }
                Ok(())
            }
            Measurement::Weight { kg } => check(Field::Weight, kg),
            Measurement::Glucose { mmol_per_l } => check(Field::Glucose, mmol_per_l),
        }
    }
}

/// Reads a number as a citizen types it: `72,5` or `72.5`, spaces around ignored. `None` for
/// anything else (letters, two separators, an empty field).
pub fn parse_number(input: &str) -> Option<f64> {
    let (text, _) = crate::text::clean_input(input.trim());
    let text = text.trim().replace(',', ".");
    if text.is_empty()
        || text.matches('.').count() > 1
        || !text.chars().all(|c| c.is_ascii_digit() || c == '.')
    {
        return None;
    }
    decimal(&text)
}

/// The value of plain decimal digits with at most one `.` (checked by the caller), without
/// `str::parse::<f64>`, whose general algorithm and its 10 KB table of powers would be in the
/// wasm for this alone. Exact (one correctly rounded division) up to 15 significant digits, more
/// than any measurement has; further digits are dropped. `None` when there is no digit at all.
fn decimal(text: &str) -> Option<f64> {
    let (mut mantissa, mut significant, mut scale, mut dropped) = (0u64, 0u32, 0i32, 0i32);
    let mut after_point = false;
    let mut any_digit = false;
    for b in text.bytes() {
        if b == b'.' {
            after_point = true;
            continue;
        }
        any_digit = true;
        if significant < 18 {
            mantissa = mantissa * 10 + u64::from(b - b'0');
            if mantissa > 0 {
                significant += 1;
            }
            if after_point {
                scale += 1;
            }
        } else if !after_point {
            dropped += 1;
        }
    }
    any_digit.then(|| mantissa as f64 / 10f64.powi(scale) * 10f64.powi(dropped))
}

fn quantity(value: f64, unit: &str, code: &str) -> Value {
    crate::object! { "value": value, "unit": unit, "system": UCUM, "code": code }
}

/// The `Observation` that records `measurement`, made by the citizen at `effective` (ISO 8601),
/// carrying `identifier` (a `urn:uuid:`) so a retried create is never a duplicate.
pub fn to_observation(
    measurement: &Measurement,
    patient_id: &str,
    effective: &str,
    identifier: &str,
) -> Value {
    let patient = crate::object! { "reference": format!("Patient/{patient_id}") };
    let mut observation = crate::object! {
        "resourceType": "Observation",
        "identifier": vec![crate::object! { "system": IDENTIFIER_SYSTEM, "value": identifier }],
        "status": "final",
        "category": vec![concept(OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")],
        "subject": patient.clone(),
        "performer": vec![patient],
        "effectiveDateTime": effective,
    };
    let Some(fields) = observation.as_object_mut() else {
        return observation;
    };
    match *measurement {
        Measurement::BloodPressure {
            systolic,
            diastolic,
        } => {
            fields.insert(
                "code".into(),
                concept(
                    LOINC,
                    BP_PANEL,
                    "Blood pressure panel with all children optional",
                ),
            );
            let component = |code: &str, display: &str, value: f64| {
                crate::object! {
                    "code": concept(LOINC, code, display),
                    "valueQuantity": quantity(value, "mmHg", "mm[Hg]"),
                }
            };
            fields.insert(
                "component".into(),
                Value::from(vec![
                    component(BP_SYSTOLIC, "Systolic blood pressure", systolic),
                    component(BP_DIASTOLIC, "Diastolic blood pressure", diastolic),
                ]),
            );
        }
        Measurement::Weight { kg } => {
            fields.insert("code".into(), concept(LOINC, BODY_WEIGHT, "Body weight"));
            fields.insert("valueQuantity".into(), quantity(kg, "kg", "kg"));
        }
        Measurement::Glucose { mmol_per_l } => {
            fields.insert(
                "code".into(),
                concept(LOINC, GLUCOSE, "Glucose [Moles/volume] in Blood"),
            );
            fields.insert(
                "valueQuantity".into(),
                quantity(mmol_per_l, "mmol/l", "mmol/L"),
            );
        }
    }
    observation
}

/// Reads a measurement back from an `Observation` (one the citizen or anyone else recorded);
/// `None` when it is not one of the three kinds with the values in their units.
pub fn from_observation(observation: &Value) -> Option<Measurement> {
    if resource_type(observation) != Some("Observation") {
        return None;
    }
    let code = observation.get("code")?;
    let value_in = |v: &Value, unit_code: &str| -> Option<f64> {
        let q = v.get("valueQuantity")?;
        (str_at(q, &["code"]) == Some(unit_code)).then_some(())?;
        q.get("value")?.as_f64()
    };
    if has_code(code, LOINC, BP_PANEL) {
        let part = |wanted: &str| {
            items(observation, "component")
                .iter()
                .find(|c| c.get("code").is_some_and(|k| has_code(k, LOINC, wanted)))
                .and_then(|c| value_in(c, "mm[Hg]"))
        };
        return Some(Measurement::BloodPressure {
            systolic: part(BP_SYSTOLIC)?,
            diastolic: part(BP_DIASTOLIC)?,
        });
    }
    if has_code(code, LOINC, BODY_WEIGHT) {
        return Some(Measurement::Weight {
            kg: value_in(observation, "kg")?,
        });
    }
    if has_code(code, LOINC, GLUCOSE) {
        return Some(Measurement::Glucose {
            mmol_per_l: value_in(observation, "mmol/L")?,
        });
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: &str = "2026-11-23T08:15:00+02:00";

    #[test]
    fn numbers_are_read_as_typed_in_finland() {
        assert_eq!(parse_number("72,5"), Some(72.5));
        // The same value as Rust's own parser gives, for what citizens type.
        for text in [
            "0",
            "0.0",
            "5.6",
            "72.5",
            "0072.50",
            ".5",
            "5.",
            "120",
            "3.14159",
            "0.001",
            "99999.9",
            "123456789012345",
        ] {
            assert_eq!(parse_number(text), text.parse::<f64>().ok(), "{text}");
        }
        assert_eq!(parse_number("."), None);
        // Digits past the 18th are dropped, not misread: the value stays of the right size.
        let long = parse_number("12345678901234567890").unwrap();
        assert!((long / 1.234_567_890_123_456_7e19 - 1.0).abs() < 1e-12);
        assert_eq!(parse_number(" 120 "), Some(120.0));
        assert_eq!(parse_number("5.6\u{200B}"), Some(5.6));
        for bad in ["", "abc", "1,2,3", "-5", "1e3", "NaN", "12 3"] {
            assert_eq!(parse_number(bad), None, "{bad}");
        }
    }

    #[test]
    fn implausible_values_are_caught_before_sending() {
        let bp = |systolic, diastolic| Measurement::BloodPressure {
            systolic,
            diastolic,
        };
        assert_eq!(bp(128.0, 84.0).validate(), Ok(()));
        assert_eq!(
            bp(84.0, 128.0).validate(),
            Err(RangeProblem::SystolicNotAboveDiastolic)
        );
        assert_eq!(
            bp(1280.0, 84.0).validate(),
            Err(RangeProblem::OutOfRange {
                field: Field::Systolic,
                min: 50.0,
                max: 260.0
            })
        );
        assert!(Measurement::Weight { kg: 7.5 }.validate().is_ok());
        assert!(Measurement::Weight { kg: 0.5 }.validate().is_err());
        assert!(Measurement::Weight { kg: f64::NAN }.validate().is_err());
        assert!(Measurement::Glucose { mmol_per_l: 55.0 }
            .validate()
            .is_err());
        assert!(Measurement::Glucose { mmol_per_l: 5.4 }.validate().is_ok());
    }

    #[test]
    fn each_kind_maps_to_its_loinc_observation_and_back() {
        let kinds = [
            Measurement::BloodPressure {
                systolic: 128.0,
                diastolic: 84.0,
            },
            Measurement::Weight { kg: 72.5 },
            Measurement::Glucose { mmol_per_l: 5.4 },
        ];
        for m in kinds {
            let o = to_observation(&m, "helmi", NOW, "urn:uuid:1");
            assert_eq!(o["resourceType"], "Observation");
            assert_eq!(o["status"], "final");
            assert_eq!(o["category"][0]["coding"][0]["code"], "vital-signs");
            assert_eq!(o["subject"]["reference"], "Patient/helmi");
            assert_eq!(o["performer"][0]["reference"], "Patient/helmi");
            assert_eq!(o["effectiveDateTime"], NOW);
            assert_eq!(o["identifier"][0]["value"], "urn:uuid:1");
            let text = serde_json::to_string(&o).unwrap_or_default();
            let back: Value = serde_json::from_str(&text).unwrap_or_default();
            assert_eq!(from_observation(&back), Some(m));
        }
        let bp = to_observation(&kinds[0], "helmi", NOW, "urn:uuid:1");
        assert_eq!(bp["code"]["coding"][0]["code"], BP_PANEL);
        assert_eq!(bp["component"][0]["code"]["coding"][0]["code"], BP_SYSTOLIC);
        assert_eq!(bp["component"][1]["valueQuantity"]["code"], "mm[Hg]");
        assert!(bp.get("valueQuantity").is_none());
    }
}
