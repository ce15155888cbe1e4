//! One module per citizen function, and the pages of each lazily loaded bundle.

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

use crate::context::AppContext;
use crate::notice_gate::NoticeGate;
use crate::save::sync::Outbox;
use crate::sections::View;
use crate::ui::section::{use_shown, SectionPage};

/// The declarations bundle: every page that records a decision, behind the notice gate.
#[component]
pub fn DeclarationPages() -> impl IntoView {
    let ctx = expect_context::<AppContext>();
    provide_context(NoticeGate::start(
        ctx.client.clone(),
        expect_context::<Outbox>(),
    ));
    let shown = use_shown();
    let on_open_notice = Callback::new(move |_| {
        if let Some(shown) = shown {
            shown.navigate(View::Notice);
        }
    });
    view! {
        <SectionPage view=View::Notice>
            <KantaNoticePage />
        </SectionPage>
        <SectionPage view=View::OrganDonation>
            <OrganDonationPage on_open_notice />
        </SectionPage>
        <SectionPage view=View::AdvanceDirective>
            <advance_directive::AdvanceDirectivePage on_open_notice />
        </SectionPage>
        <SectionPage view=View::LivingWill>
            <living_will::LivingWillPage on_open_notice />
        </SectionPage>
        <SectionPage view=View::Disclosures>
            <disclosures::DisclosuresPage on_open_notice />
        </SectionPage>
    }
}

/// The health records bundle: what the citizen reads, and their own measurements.
#[component]
pub fn RecordPages() -> impl IntoView {
    view! {
        <SectionPage view=View::Prescriptions>
            <prescriptions::PrescriptionsPage />
        </SectionPage>
        <SectionPage view=View::LabResults>
            <lab_results::LabResultsPage />
        </SectionPage>
        <SectionPage view=View::Vaccinations>
            <vaccinations::VaccinationsPage />
        </SectionPage>
        <SectionPage view=View::Visits>
            <visits::VisitsPage />
        </SectionPage>
        <SectionPage view=View::AccessLog>
            <access_log::AccessLogPage />
        </SectionPage>
        <SectionPage view=View::Measurements>
            <measurements::MeasurementsPage />
        </SectionPage>
    }
}
