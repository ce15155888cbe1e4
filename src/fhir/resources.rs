//! Hand-written FHIR R4 types for the resources Tahto writes and reads.
//!
//! Generic FHIR crates add megabytes of wasm, so only the fields Tahto uses are typed. Every struct
//! keeps whatever else the server sent in `extra`, so an update never drops data it did not understand.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// Fields of a JSON object that Tahto does not model, kept verbatim for the round trip.
pub type Extra = Map<String, Value>;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Coding {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Coding {
    pub fn new(system: &str, code: &str, display: &str) -> Self {
        Self {
            system: Some(system.to_owned()),
            code: Some(code.to_owned()),
            display: Some(display.to_owned()),
            extra: Extra::new(),
        }
    }

    pub fn is(&self, system: &str, code: &str) -> bool {
        self.system.as_deref() == Some(system) && self.code.as_deref() == Some(code)
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CodeableConcept {
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub coding: Vec<Coding>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl CodeableConcept {
    pub fn of(coding: Coding) -> Self {
        Self {
            coding: vec![coding],
            text: None,
            extra: Extra::new(),
        }
    }

    pub fn has(&self, system: &str, code: &str) -> bool {
        self.coding.iter().any(|c| c.is(system, code))
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Identifier {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Reference {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Reference {
    pub fn to(reference: String) -> Self {
        Self {
            reference: Some(reference),
            display: None,
            extra: Extra::new(),
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Meta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_updated: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Extension {
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value_string: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Policy {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// `Consent.provision`: a rule, possibly with nested exceptions.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Provision {
    /// `permit` or `deny`.
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub code: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub provision: Vec<Provision>,
    #[serde(flatten)]
    pub extra: Extra,
}

/// FHIR R4 `Consent`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Consent {
    /// Always `"Consent"`; checked when reading so another resource is never taken for one.
    pub resource_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub meta: Option<Meta>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub extension: Vec<Extension>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub identifier: Vec<Identifier>,
    pub status: String,
    pub scope: CodeableConcept,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub category: Vec<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub patient: Option<Reference>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub policy: Vec<Policy>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy_rule: Option<CodeableConcept>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provision: Option<Provision>,
    #[serde(flatten)]
    pub extra: Extra,
}

impl Consent {
    /// The server's version of this resource, if it has been stored.
    pub fn version_id(&self) -> Option<&str> {
        self.meta.as_ref()?.version_id.as_deref()
    }

    pub fn last_updated(&self) -> Option<&str> {
        self.meta.as_ref()?.last_updated.as_deref()
    }

    pub fn has_category(&self, system: &str, code: &str) -> bool {
        self.category.iter().any(|c| c.has(system, code))
    }
}

/// A search result page. Entries stay raw JSON text until their type is known, so a bundle can
/// mix resource types (e.g. an `OperationOutcome` entry) without failing the whole page.
#[derive(Deserialize, Debug, Default)]
pub struct Bundle {
    #[serde(default)]
    pub entry: Vec<BundleEntry>,
}

#[derive(Deserialize, Debug, Default)]
pub struct BundleEntry {
    #[serde(default)]
    pub resource: Option<Box<serde_json::value::RawValue>>,
}

/// Just the type of a resource, to look before parsing the rest.
#[derive(Deserialize)]
pub struct ResourceType {
    #[serde(rename = "resourceType")]
    pub resource_type: String,
}

/// `OperationOutcome`: the server's reason for refusing a request.
#[derive(Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OperationOutcome {
    #[serde(default)]
    pub issue: Vec<OutcomeIssue>,
}

#[derive(Deserialize, Clone, Debug, Default, PartialEq)]
pub struct OutcomeIssue {
    #[serde(default)]
    pub severity: Option<String>,
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub diagnostics: Option<String>,
    #[serde(default)]
    pub details: Option<CodeableConcept>,
    #[serde(default)]
    pub expression: Vec<String>,
}

impl OperationOutcome {
    /// Parses an error body; `None` when it is not an OperationOutcome.
    pub fn parse(body: &str) -> Option<Self> {
        #[derive(Deserialize)]
        struct Document {
            #[serde(rename = "resourceType")]
            resource_type: String,
            #[serde(default)]
            issue: Vec<OutcomeIssue>,
        }
        let document: Document = serde_json::from_str(body).ok()?;
        (document.resource_type == "OperationOutcome").then_some(OperationOutcome {
            issue: document.issue,
        })
    }

    /// The server's own words, for showing to the citizen: errors first, duplicates removed,
    /// bounded in length so a hostile or huge body cannot flood the page.
    pub fn message(&self) -> Option<String> {
        const MAX_CHARS: usize = 600;
        // Most severe first, the server's order kept within a severity.
        let rank = |i: &OutcomeIssue| match i.severity.as_deref() {
            Some("fatal") => 0,
            Some("error") => 1,
            Some("warning") => 2,
            _ => 3,
        };
        let issues = (0..4).flat_map(|r| self.issue.iter().filter(move |i| rank(i) == r));
        let mut parts: Vec<String> = Vec::new();
        for issue in issues {
            let text = issue
                .details
                .as_ref()
                .and_then(|d| d.text.clone())
                .or_else(|| issue.diagnostics.clone())
                .or_else(|| {
                    issue
                        .details
                        .as_ref()
                        .and_then(|d| d.coding.iter().find_map(|c| c.display.clone()))
                });
            if let Some(text) = text.map(|t| crate::text::clean_for_display(&t)) {
                if !text.is_empty() && !parts.contains(&text) {
                    parts.push(text);
                }
            }
        }
        if parts.is_empty() {
            return None;
        }
        Some(crate::text::truncate_chars(&parts.join(" · "), MAX_CHARS))
    }
}
