//! The sections a citizen moves between: their names, their paths, and which are split off.
//!
//! The first load (≤ 110 KB brotli, `scripts/size-check.mjs`) holds the shell and the home page,
//! and reads the outbox. Every other section's code is split off by the linker into the rest of
//! the app (`rest.rs`), fetched right after the first paint and again, should that fail, the first
//! time the citizen opens one.

use crate::i18n::Msg;

/// A section of Tahto. Standalone, each has a path (`path`); embedded, the section is kept in
/// memory so Tahto never takes over the host page's history (`router`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum View {
    Home,
    Notice,
    Unsent,
    OrganDonation,
    AdvanceDirective,
    LivingWill,
    Disclosures,
    Prescriptions,
    LabResults,
    Vaccinations,
    Visits,
    AccessLog,
    Measurements,
}

impl View {
    pub const ALL: [View; 13] = [
        View::Home,
        View::Notice,
        View::Unsent,
        View::OrganDonation,
        View::AdvanceDirective,
        View::LivingWill,
        View::Disclosures,
        View::Prescriptions,
        View::LabResults,
        View::Vaccinations,
        View::Visits,
        View::AccessLog,
        View::Measurements,
    ];

    /// Declarations, in the order the navigation lists them.
    pub const DECLARATIONS: [View; 4] = [
        View::OrganDonation,
        View::AdvanceDirective,
        View::LivingWill,
        View::Disclosures,
    ];

    /// On a phone, the sections the primary navigation shows besides home: the records citizens
    /// open most (the rest are one tap away, and all on the home page).
    pub const PRIMARY: [View; 2] = [View::Prescriptions, View::LabResults];

    /// Health records and measurements, in the order the navigation lists them.
    pub const RECORDS: [View; 6] = [
        View::Prescriptions,
        View::LabResults,
        View::Vaccinations,
        View::Visits,
        View::AccessLog,
        View::Measurements,
    ];

    /// A stable name: the section's path, its `data-section` and test ids.
    pub fn key(self) -> &'static str {
        match self {
            View::Home => "home",
            View::Notice => "notice",
            View::Unsent => "unsent",
            View::OrganDonation => "organ-donation",
            View::AdvanceDirective => "advance-directive",
            View::LivingWill => "living-will",
            View::Disclosures => "disclosures",
            View::Prescriptions => "prescriptions",
            View::LabResults => "lab-results",
            View::Vaccinations => "vaccinations",
            View::Visits => "visits",
            View::AccessLog => "access-log",
            View::Measurements => "measurements",
        }
    }

    pub fn parse(key: &str) -> Option<View> {
        View::ALL.into_iter().find(|v| v.key() == key)
    }

    /// Whether the section is built ahead, hidden, once the rest of the app has arrived and the
    /// browser is idle: the declarations, which a citizen comes to fill in, open at once on the
    /// first tap. (Records are built when opened: their data is heavier, and read-only.)
    pub fn is_built_ahead(self) -> bool {
        View::DECLARATIONS.contains(&self)
    }

    /// Whether the section's code is split off the first load (fetched when first opened).
    pub fn is_split_off(self) -> bool {
        !matches!(self, View::Home)
    }

    /// The section's path under the app's base path: `""` for home, else its key.
    pub fn path(self) -> &'static str {
        match self {
            View::Home => "",
            other => other.key(),
        }
    }

    /// The section a path (relative to the app's base path) names. A trailing slash, a query or a
    /// fragment does not matter; anything else unknown is `None`.
    pub fn from_path(path: &str) -> Option<View> {
        let path = path.split(['?', '#']).next().unwrap_or_default();
        let path = path.trim_matches('/');
        if path.is_empty() {
            return Some(View::Home);
        }
        View::ALL
            .into_iter()
            .find(|v| *v != View::Home && v.key() == path)
    }

    /// The section's name, as the navigation and its heading say it.
    pub fn title(self) -> Msg {
        match self {
            View::Home => Msg::HomeTitle,
            View::Notice => Msg::NoticeTitle,
            View::Unsent => Msg::UnsentTitle,
            View::OrganDonation => Msg::OrganDonationTitle,
            View::AdvanceDirective => Msg::AdvanceDirectiveTitle,
            View::LivingWill => Msg::LivingWillTitle,
            View::Disclosures => Msg::DisclosuresTitle,
            View::Prescriptions => Msg::PrescriptionsTitle,
            View::LabResults => Msg::LabResultsTitle,
            View::Vaccinations => Msg::VaccinationsTitle,
            View::Visits => Msg::VisitsTitle,
            View::AccessLog => Msg::AccessLogTitle,
            View::Measurements => Msg::MeasurementsTitle,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_view_has_a_unique_key_that_parses_back() {
        for view in View::ALL {
            assert_eq!(View::parse(view.key()), Some(view));
        }
        let mut keys: Vec<_> = View::ALL.iter().map(|v| v.key()).collect();
        keys.sort_unstable();
        keys.dedup();
        assert_eq!(keys.len(), View::ALL.len());
        assert_eq!(View::parse("admin"), None);
    }

    #[test]
    fn every_section_has_a_path_that_names_it() {
        for view in View::ALL {
            assert_eq!(View::from_path(view.path()), Some(view));
            assert_eq!(View::from_path(&format!("/{}/", view.path())), Some(view));
            assert_eq!(
                View::from_path(&format!("{}?lang=sv#x", view.path())),
                Some(view)
            );
        }
        assert_eq!(View::from_path(""), Some(View::Home));
        assert_eq!(View::from_path("/"), Some(View::Home));
        assert_eq!(
            View::from_path("home"),
            None,
            "home is the root, one URL per section"
        );
        assert_eq!(View::from_path("organ-donation/extra"), None);
        assert_eq!(View::from_path("../etc/passwd"), None);
    }

    #[test]
    fn the_first_load_holds_only_home_and_the_unsent_list() {
        let kept: Vec<View> = View::ALL
            .into_iter()
            .filter(|v| !v.is_split_off())
            .collect();
        assert_eq!(kept, [View::Home]);
        for view in View::DECLARATIONS.into_iter().chain(View::RECORDS) {
            assert!(view.is_split_off());
        }
    }
}
