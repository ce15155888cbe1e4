//! Vaccinations (`Immunization`), newest first.

use leptos::prelude::*;

use crate::domain::records::Vaccination;
use crate::i18n::records::RecordsText;
use crate::i18n::Msg;
use crate::sections::View;
use crate::ui::search::{PagedSearch, RecordListPage};
use crate::ui::use_i18n;

#[component]
pub fn VaccinationsPage() -> impl IntoView {
    let i18n = use_i18n();
    let search = PagedSearch::new(
        View::Vaccinations,
        "Immunization",
        "patient",
        &[("_sort", "-date")],
        100,
    );
    let list = move || {
        search.items.with(|items| {
            items
                .iter()
                .filter_map(Vaccination::from_resource)
                .map(|v| {
                    let lang = i18n.lang.get();
                    view! {
                        <li class="tahto-card tahto-record">
                            <h2>{v.vaccine}</h2>
                            <p class="tahto-record-date">{crate::web::format_date(&v.when, lang)}</p>
                            <p>{i18n.format(RecordsText::Batch, &[("lot", &v.lot)])}</p>
                            <p>{i18n.format(RecordsText::GivenBy, &[("who", &v.given_by)])}</p>
                            <p>{i18n.format(RecordsText::Where, &[("place", &v.place)])}</p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <RecordListPage
            heading_id="tahto-vaccinations-title"
            title=Msg::VaccinationsTitle
            intro=RecordsText::VaccinationsIntro
            list_id="vaccinations"
            search
            items=list
        />
    }
}
