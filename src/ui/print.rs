//! The printout of a recorded declaration: a dated document with where and when it is stored and
//! lines for place, date and signature, so the paper copy is a valid testament. The print
//! stylesheet (`@media print` in style/tahto.css) shows only `.tahto-printable`.

use leptos::prelude::*;
use serde_json::Value;

use crate::fhir::resources::{id, last_updated, version_id};
use crate::i18n::declarations::DeclText;
use crate::ui::use_i18n;

/// The print-only lines and the Print button, for the section holding a recorded declaration.
#[component]
pub fn PrintSheet(
    /// The stored resource; nothing to print while there is none.
    #[prop(into)]
    recorded: Signal<Option<Value>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let stored = move || {
        recorded.with(|r| {
            r.as_ref().map(|r| {
                let lang = i18n.lang.get();
                i18n.format(
                    DeclText::PrintRecord,
                    &[
                        (
                            "time",
                            &crate::web::format_date_time(last_updated(r).unwrap_or(""), lang),
                        ),
                        ("id", id(r).unwrap_or("")),
                        ("version", version_id(r).unwrap_or("")),
                    ],
                )
            })
        })
    };
    let printed_on = move || {
        i18n.format(
            DeclText::PrintedOn,
            &[(
                "date",
                &crate::web::format_date(&crate::web::now_iso(), i18n.lang.get()),
            )],
        )
    };
    view! {
        <div class="tahto-print-only">
            <p>{stored}</p>
            <p>{printed_on}</p>
            <p class="tahto-signature">{i18n.tr(DeclText::PlaceAndDate)}</p>
            <p class="tahto-signature">{i18n.tr(DeclText::Signature)}</p>
        </div>
        <button
            type="button"
            class="tahto-button tahto-no-print"
            hidden=move || recorded.with(Option::is_none)
            on:click=move |_| crate::web::print()
        >
            {i18n.tr(DeclText::Print)}
        </button>
    }
}
