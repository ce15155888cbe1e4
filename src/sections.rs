//! The sections a citizen moves between, and which bundle of code each one is in.
//!
//! The first load (≤ 150 KB brotli, `scripts/size-check.mjs`) holds the shell, the home page and the
//! unsent list. The declarations and the health records are two more WebAssembly bundles, fetched
//! the first time the citizen opens one of their sections (`ui::lazy_bundle`), so a citizen who
//! only confirms the notice never downloads the lab-result charts.

use crate::i18n::{Lang, Msg};

/// A section of Tahto. Kept in memory, not in the URL: embedded in a partner site, Tahto must not
/// take over the host page's history.
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

/// Where a section's code is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Bundle {
    /// The first load.
    Main,
    /// The citizen's declarations (organ donation, advance directive, living will, disclosures).
    Declarations,
    /// Health records and own measurements.
    Records,
}

impl Bundle {
    /// The lazily loaded bundles.
    pub const LAZY: [Bundle; 2] = [Bundle::Declarations, Bundle::Records];

    /// The Cargo binary (and file) name; also the suffix of its host element's id.
    pub fn name(self) -> &'static str {
        match self {
            Bundle::Main => "tahto",
            Bundle::Declarations => "declarations",
            Bundle::Records => "records",
        }
    }

    /// The id of the element a lazily loaded bundle mounts into.
    pub fn host_id(self) -> String {
        format!("tahto-bundle-{}", self.name())
    }
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

    /// Health records and measurements, in the order the navigation lists them.
    pub const RECORDS: [View; 6] = [
        View::Prescriptions,
        View::LabResults,
        View::Vaccinations,
        View::Visits,
        View::AccessLog,
        View::Measurements,
    ];

    /// A stable name, passed between bundles in `data-view` and used in test ids.
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

    pub fn bundle(self) -> Bundle {
        match self {
            View::Home | View::Unsent => Bundle::Main,
            // The notice is where a save is made, like the declarations it opens: the first load
            // only shows and sends.
            View::Notice
            | View::OrganDonation
            | View::AdvanceDirective
            | View::LivingWill
            | View::Disclosures => Bundle::Declarations,
            View::Prescriptions
            | View::LabResults
            | View::Vaccinations
            | View::Visits
            | View::AccessLog
            | View::Measurements => Bundle::Records,
        }
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

/// What the first load tells a lazily loaded bundle to show (`bundle::SYNC_EVENT`): `"<view> <lang>"`.
pub fn sync_detail(view: View, lang: Lang) -> String {
    format!("{} {}", view.key(), lang.code())
}

pub fn parse_sync_detail(detail: &str) -> Option<(View, Lang)> {
    let (view, lang) = detail.split_once(' ')?;
    Some((View::parse(view)?, Lang::parse(lang)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sync_detail_round_trips() {
        let detail = sync_detail(View::LabResults, Lang::Sv);
        assert_eq!(
            parse_sync_detail(&detail),
            Some((View::LabResults, Lang::Sv))
        );
        assert_eq!(parse_sync_detail("nowhere fi"), None);
        assert_eq!(parse_sync_detail(""), None);
    }

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
    fn navigation_lists_each_lazy_view_once_in_its_bundle() {
        for view in View::DECLARATIONS {
            assert_eq!(view.bundle(), Bundle::Declarations);
        }
        for view in View::RECORDS {
            assert_eq!(view.bundle(), Bundle::Records);
        }
        let lazy = View::ALL
            .into_iter()
            .filter(|v| v.bundle() != Bundle::Main)
            .count();
        assert_eq!(
            lazy,
            1 + View::DECLARATIONS.len() + View::RECORDS.len(),
            "and the notice"
        );
        assert_eq!(View::Notice.bundle(), Bundle::Declarations);
    }

    #[test]
    fn bundle_hosts_are_distinct() {
        assert_ne!(Bundle::Declarations.host_id(), Bundle::Records.host_id());
        assert_eq!(Bundle::Records.host_id(), "tahto-bundle-records");
    }
}
