//! Who viewed my data (`AuditEvent`), newest first; viewings for emergency care stand out.

use leptos::prelude::*;

use crate::domain::records::Access;
use crate::i18n::records::RecordsText;
use crate::i18n::Msg;
use crate::sections::View;
use crate::ui::search::{PagedSearch, RecordListPage};
use crate::ui::use_i18n;

#[component]
pub fn AccessLogPage() -> impl IntoView {
    let i18n = use_i18n();
    let search = PagedSearch::new(
        View::AccessLog,
        "AuditEvent",
        "patient",
        &[("_sort", "-date")],
        50,
    );
    let list = move || {
        search.items.with(|items| {
            items
                .iter()
                .map(Access::from_resource)
                .map(|a| {
                    let lang = i18n.lang.get();
                    view! {
                        <li class="tahto-card tahto-record" class:tahto-emergency=a.emergency>
                            <h2>{a.who}</h2>
                            <p class="tahto-record-date">{crate::web::format_date_time(&a.when, lang)}</p>
                            <p>{a.organisation}</p>
                            <p>{i18n.format(RecordsText::Viewed, &[("what", &a.what)])}</p>
                            <p>{i18n.format(RecordsText::Purpose, &[("purpose", &a.purpose)])}</p>
                            {a.emergency.then(|| view! {
                                <p class="tahto-flag">{i18n.tr(RecordsText::Emergency)}</p>
                            })}
                        </li>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <RecordListPage
            heading_id="tahto-access-title"
            title=Msg::AccessLogTitle
            intro=RecordsText::AccessIntro
            list_id="access-log"
            search
            items=list
        />
    }
}
