//! Runtime configuration, read from the host element's `data-*` attributes so that the same build
//! runs standalone and embedded in a partner site. Nothing here is compiled in.

use crate::i18n::Lang;

/// Where Tahto finds its backend and whose data it shows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppConfig {
    /// FHIR R4 base URL without a trailing slash, e.g. `https://fhir.example.fi/R4`.
    pub fhir_base: String,
    /// The citizen's `Patient` id.
    pub patient_id: String,
    /// The host page's language; the citizen's own choice, once made, wins.
    pub lang: Lang,
}

/// A configuration mistake of the host page, shown to whoever embeds Tahto.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    Missing(&'static str),
    Invalid(&'static str),
}

impl ConfigError {
    /// Names the attribute, for the (translated) configuration message.
    pub fn detail(&self) -> String {
        match self {
            ConfigError::Missing(attr) => format!("{attr} missing"),
            ConfigError::Invalid(attr) => format!("{attr} invalid"),
        }
    }
}

/// FHIR ids: `[A-Za-z0-9\-\.]{1,64}`.
fn is_fhir_id(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

impl AppConfig {
    /// Builds the configuration from an attribute lookup (`data-fhir-base`, `data-patient`, `data-lang`).
    pub fn from_attributes(get: impl Fn(&str) -> Option<String>) -> Result<AppConfig, ConfigError> {
        let base = get("data-fhir-base").ok_or(ConfigError::Missing("data-fhir-base"))?;
        let base = base.trim().trim_end_matches('/').to_owned();
        let valid_base = (base.starts_with("https://") || base.starts_with("http://"))
            && !base.contains(['?', '#', ' ', '"', '<', '>']);
        if !valid_base {
            return Err(ConfigError::Invalid("data-fhir-base"));
        }
        let patient = get("data-patient").ok_or(ConfigError::Missing("data-patient"))?;
        let patient = patient.trim().trim_start_matches("Patient/").to_owned();
        if !is_fhir_id(&patient) {
            return Err(ConfigError::Invalid("data-patient"));
        }
        let lang = get("data-lang")
            .and_then(|tag| Lang::parse(&tag))
            .unwrap_or_default();
        Ok(AppConfig {
            fhir_base: base,
            patient_id: patient,
            lang,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(pairs: &[(&str, &str)]) -> Result<AppConfig, ConfigError> {
        AppConfig::from_attributes(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn reads_the_host_attributes() {
        let c = config(&[
            ("data-fhir-base", "http://127.0.0.1:8103/fhir/R4/"),
            ("data-patient", "Patient/helmi-esimerkki"),
            ("data-lang", "sv-FI"),
        ])
        .unwrap();
        assert_eq!(c.fhir_base, "http://127.0.0.1:8103/fhir/R4");
        assert_eq!(c.patient_id, "helmi-esimerkki");
        assert_eq!(c.lang, Lang::Sv);
    }

    #[test]
    fn defaults_to_finnish_and_refuses_bad_values() {
        let c = config(&[
            ("data-fhir-base", "https://x.fi/R4"),
            ("data-patient", "p1"),
        ])
        .unwrap();
        assert_eq!(c.lang, Lang::Fi);
        assert_eq!(
            config(&[("data-patient", "p1")]),
            Err(ConfigError::Missing("data-fhir-base"))
        );
        assert_eq!(
            config(&[
                ("data-fhir-base", "javascript:alert(1)"),
                ("data-patient", "p1")
            ]),
            Err(ConfigError::Invalid("data-fhir-base"))
        );
        assert_eq!(
            config(&[
                ("data-fhir-base", "https://x.fi/R4"),
                ("data-patient", "../Patient?x=1")
            ]),
            Err(ConfigError::Invalid("data-patient"))
        );
    }
}
