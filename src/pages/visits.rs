//! Visits to health care (`Encounter`), newest first.

use leptos::prelude::*;

use crate::domain::records::Visit;
use crate::i18n::records::RecordsText;
use crate::i18n::Msg;
use crate::sections::View;
use crate::ui::search::{PagedSearch, RecordListPage};
use crate::ui::use_i18n;

#[component]
pub fn VisitsPage() -> impl IntoView {
    let i18n = use_i18n();
    let search = PagedSearch::new(
        View::Visits,
        "Encounter",
        "patient",
        &[("_sort", "-date")],
        50,
    );
    let list = move || {
        search.items.with(|items| {
            items
                .iter()
                .filter_map(Visit::from_resource)
                .map(|v| {
                    let lang = i18n.lang.get();
                    view! {
                        <li class="tahto-card tahto-record">
                            <h2>{v.kind}</h2>
                            <p class="tahto-record-date">{crate::web::format_date_time(&v.start, lang)}</p>
                            <p>{i18n.format(RecordsText::Reason, &[("reason", &v.reason)])}</p>
                            <p>{v.professional}</p>
                            <p>{i18n.format(RecordsText::Where, &[("place", &v.place)])}</p>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <RecordListPage
            heading_id="tahto-visits-title"
            title=Msg::VisitsTitle
            intro=RecordsText::VisitsIntro
            list_id="visits"
            search
            items=list
        />
    }
}
