//! One module per citizen function, and how each split-off section's code is reached.

pub mod access_log;
pub mod advance_directive;
pub mod disclosures;
pub mod home;
pub mod kanta_notice;
pub mod lab_results;
pub mod living_will;
pub mod measurements;
pub mod organ_donation;
pub mod prescriptions;
pub mod unsent;
pub mod vaccinations;
pub mod visits;

pub use home::HomePage;
pub use kanta_notice::KantaNoticePage;
pub use organ_donation::OrganDonationPage;
pub use unsent::UnsentPage;

use leptos::prelude::*;

use crate::router::use_router;
use crate::sections::View;

/// A split-off section's code could not be fetched (the network failed). Nothing is cached about
/// the failure: asking again fetches again.
#[derive(Clone, Copy, Debug)]
pub struct CodeNotFetched;

#[cfg(feature = "split")]
impl From<leptos::wasm_split::SplitLoaderError> for CodeNotFetched {
    fn from(_: leptos::wasm_split::SplitLoaderError) -> Self {
        CodeNotFetched
    }
}

/// Declares a section whose code the release build's linker split moves out of the first load
/// into the part named `$part` (`--features split`, scripts/split.mjs); code two parts share goes
/// to a chunk both load. Without the feature (dev builds) it is an ordinary function.
///
/// Two parts, as the citizen's two kinds of visit: the declarations (and the notice that opens
/// them) and the health records. A part per section fetched 20–30 tiny files on a first tap.
macro_rules! split_off {
    ($(#[$doc:meta])* $part:ident :: $name:ident => $page:expr) => {
        $(#[$doc])*
        #[cfg(feature = "split")]
        #[leptos::wasm_split::wasm_split($part, wasm_split_path = ::leptos::wasm_split, fallible)]
        fn $name() -> Result<AnyView, CodeNotFetched> {
            Ok($page.into_any())
        }

        $(#[$doc])*
        #[cfg(not(feature = "split"))]
        async fn $name() -> Result<AnyView, CodeNotFetched> {
            Ok($page.into_any())
        }
    };
}

/// Opens the Kanta information notice from a declaration behind its gate.
fn open_notice() -> Callback<()> {
    let router = use_router();
    Callback::new(move |_| router.go(View::Notice))
}

split_off!(declarations::notice => view! { <KantaNoticePage /> });
split_off!(declarations::organ_donation => view! { <OrganDonationPage on_open_notice=open_notice() /> });
split_off!(declarations::advance_directive => view! {
    <advance_directive::AdvanceDirectivePage on_open_notice=open_notice() />
});
split_off!(declarations::living_will => view! { <living_will::LivingWillPage on_open_notice=open_notice() /> });
split_off!(declarations::disclosures => view! { <disclosures::DisclosuresPage on_open_notice=open_notice() /> });
split_off!(records::prescriptions => view! { <prescriptions::PrescriptionsPage /> });
split_off!(records::lab_results => view! { <lab_results::LabResultsPage /> });
split_off!(records::vaccinations => view! { <vaccinations::VaccinationsPage /> });
split_off!(records::visits => view! { <visits::VisitsPage /> });
split_off!(records::access_log => view! { <access_log::AccessLogPage /> });
split_off!(records::measurements => view! { <measurements::MeasurementsPage /> });

/// The page of a split-off section, its code fetched first if need be. Build it under the owner
/// whose contexts it needs (`ui::section::SectionPage`).
pub async fn section_view(view: View) -> Result<AnyView, CodeNotFetched> {
    match view {
        View::Notice => notice().await,
        View::OrganDonation => organ_donation().await,
        View::AdvanceDirective => advance_directive().await,
        View::LivingWill => living_will().await,
        View::Disclosures => disclosures().await,
        View::Prescriptions => prescriptions().await,
        View::LabResults => lab_results().await,
        View::Vaccinations => vaccinations().await,
        View::Visits => visits().await,
        View::AccessLog => access_log().await,
        View::Measurements => measurements().await,
        // In the first load: `app::App` shows them itself.
        View::Home | View::Unsent => Ok(().into_any()),
    }
}
