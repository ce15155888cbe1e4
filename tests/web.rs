//! Browser tests: real components mounted into the DOM of headless Chromium, clicked, asserted.
//! Run with `cargo test --target wasm32-unknown-unknown --test web` (see scripts/test).
#![cfg(target_arch = "wasm32")]

use leptos::prelude::*;
use tahto::domain::organ_donation::{DonationChoice, Organ, OrganDonationDraft};
use tahto::i18n::{Lang, Msg};
use tahto::pages::organ_donation::OrganDonationFields;
use tahto::save::{NotYetSaved, Receipt, SaveState};
use tahto::ui::{Announcer, I18n, LanguageSwitch, LiveRegions, SaveStatus};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// A fresh element in the page to mount one test's view into.
fn host() -> web_sys::HtmlElement {
    let document = web_sys::window().unwrap().document().unwrap();
    let host: web_sys::HtmlElement = document.create_element("div").unwrap().unchecked_into();
    host.set_class_name("tahto");
    document.body().unwrap().append_child(&host).unwrap();
    host
}

fn find(host: &web_sys::HtmlElement, selector: &str) -> web_sys::HtmlElement {
    host.query_selector(selector)
        .unwrap()
        .unwrap_or_else(|| panic!("no element matches {selector}"))
        .unchecked_into()
}

fn label_for(host: &web_sys::HtmlElement, text: &str) -> web_sys::HtmlInputElement {
    let labels = host.query_selector_all("label").unwrap();
    for i in 0..labels.length() {
        let label: web_sys::HtmlLabelElement = labels.item(i).unwrap().unchecked_into();
        if label.text_content().unwrap_or_default() == text {
            let id = label.html_for();
            return find(host, &format!("#{id}")).unchecked_into();
        }
    }
    panic!("no label {text}");
}

/// English, without touching the language remembered in local storage.
fn english() -> I18n {
    I18n {
        lang: RwSignal::new(Lang::En),
    }
}

/// Lets Leptos run its effects and re-render.
async fn tick() {
    gloo_timers::future::TimeoutFuture::new(0).await;
}

#[wasm_bindgen_test]
async fn choosing_except_reveals_the_organs_and_records_them() {
    let host = host();
    let draft = RwSignal::new(OrganDonationDraft::default());
    let _handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(english());
        view! { <OrganDonationFields draft /> }
    });
    tick().await;
    assert!(
        host.query_selector("input[type=checkbox]")
            .unwrap()
            .is_none(),
        "organs hidden at first"
    );

    label_for(
        &host,
        "I consent, except for the organs and tissues I choose",
    )
    .click();
    tick().await;
    assert_eq!(
        draft.get_untracked().choice,
        Some(DonationChoice::ConsentExcept)
    );
    assert_eq!(
        host.query_selector_all("input[type=checkbox]")
            .unwrap()
            .length(),
        10
    );

    let kidneys = label_for(&host, "Kidneys");
    kidneys.click();
    tick().await;
    assert!(kidneys.checked());
    assert_eq!(draft.get_untracked().excluded, vec![Organ::Kidneys]);

    label_for(&host, "I refuse donation of my organs and tissues").click();
    tick().await;
    assert_eq!(draft.get_untracked().choice, Some(DonationChoice::Refuse));
    assert!(host
        .query_selector("input[type=checkbox]")
        .unwrap()
        .is_none());
    assert!(draft
        .get_untracked()
        .decision()
        .unwrap()
        .excluded
        .is_empty());
    host.remove();
}

#[wasm_bindgen_test]
async fn the_language_switch_translates_and_marks_the_pressed_language() {
    let host = host();
    let _handle = leptos::mount::mount_to(host.clone(), move || {
        let i18n = english();
        provide_context(i18n);
        view! {
            <LanguageSwitch />
            <h1>{move || i18n.t(Msg::OrganDonationTitle)}</h1>
        }
    });
    tick().await;
    assert_eq!(
        find(&host, "h1").text_content().unwrap(),
        "Organ donation decision"
    );

    let svenska = find(&host, "button[lang=sv]");
    svenska.click();
    tick().await;
    assert_eq!(find(&host, "h1").text_content().unwrap(), "Donationsvilja");
    assert_eq!(
        svenska.get_attribute("aria-pressed").as_deref(),
        Some("true")
    );
    assert_eq!(
        find(&host, "button[lang=en]")
            .get_attribute("aria-pressed")
            .as_deref(),
        Some("false")
    );
    find(&host, "button[lang=fi]").click();
    tick().await;
    assert_eq!(
        find(&host, "h1").text_content().unwrap(),
        "Elinluovutustahto"
    );
    host.remove();
}

#[wasm_bindgen_test]
async fn save_status_shows_each_state_announces_it_and_retries() {
    let host = host();
    let state = RwSignal::new(SaveState::Draft);
    let retries = RwSignal::new(0);
    let _handle = leptos::mount::mount_to(host.clone(), move || {
        provide_context(english());
        provide_context(Announcer::new());
        view! {
            <SaveStatus
                state
                on_retry=Callback::new(move |_| retries.update(|n| *n += 1))
            />
            <LiveRegions />
        }
    });
    tick().await;
    let status = find(&host, "[data-testid=save-status]");
    assert_eq!(status.get_attribute("data-state").as_deref(), Some("draft"));

    state.set(SaveState::Saving {
        attempt: 1,
        slow: false,
    });
    tick().await;
    assert_eq!(
        status.get_attribute("data-state").as_deref(),
        Some("saving")
    );
    assert_eq!(
        find(&host, "[role=status]").text_content().unwrap(),
        "Saving…"
    );

    state.set(SaveState::Queued {
        why: NotYetSaved::ServiceError { status: 503 },
        attempts: 1,
        retry_after_secs: Some(30),
        next_try_at_ms: Some(1_795_000_000_000),
    });
    tick().await;
    let text = status.text_content().unwrap();
    assert!(
        text.contains("Not saved yet: the service had a problem (HTTP 503)."),
        "{text}"
    );
    assert!(text.contains("wait 30 s"), "{text}");
    assert!(text.contains("Next automatic try at"), "{text}");
    assert!(find(&host, "[role=alert]")
        .text_content()
        .unwrap()
        .contains("HTTP 503"));
    let retry = find(&host, "[data-testid=save-status] button");
    assert_eq!(retry.text_content().unwrap(), "Retry now");
    retry.click();
    tick().await;
    assert_eq!(retries.get_untracked(), 1);

    state.set(SaveState::Confirmed(Receipt {
        id: "c-17".into(),
        version_id: "3".into(),
        server_time: Some("2026-11-23T12:03:00Z".into()),
    }));
    tick().await;
    let text = status.text_content().unwrap();
    assert!(text.contains("· version 3"), "{text}");
    let receipt = find(&host, "[data-testid=receipt]").text_content().unwrap();
    assert!(
        receipt.contains("Record id: c-17") && receipt.contains("Version: 3"),
        "{receipt}"
    );

    state.set(SaveState::Rejected {
        status: 400,
        reason: Some("Henkilötunnus puuttuu".into()),
    });
    tick().await;
    assert!(status
        .text_content()
        .unwrap()
        .contains("did not accept this save: Henkilötunnus puuttuu"));
    let alert = find(&host, "[role=alert]");
    assert!(alert.text_content().unwrap().contains("Henkilötunnus"));

    // The same state read again (news of another record's save, of another tab) is not said
    // again, and focus stays where the citizen is.
    alert.set_text_content(Some(""));
    let document = web_sys::window().and_then(|w| w.document()).unwrap();
    let elsewhere: web_sys::HtmlElement =
        document.create_element("button").unwrap().unchecked_into();
    host.append_child(&elsewhere).unwrap();
    elsewhere.focus().unwrap();
    state.set(SaveState::Rejected {
        status: 400,
        reason: Some("Henkilötunnus puuttuu".into()),
    });
    tick().await;
    assert_eq!(alert.text_content().unwrap(), "", "said again");
    let focused = document.active_element();
    assert_eq!(focused, Some(elsewhere.into()), "focus moved");
    host.remove();
}

#[wasm_bindgen_test]
async fn the_outbox_survives_in_real_indexeddb_and_comes_back_queued() {
    use tahto::fhir::FhirError;
    use tahto::save::outbox::{after_answer, enqueue, start_attempt, Enqueue, NewSave, Next};
    use tahto::save::store::OutboxStore;
    use tahto::save::{Citizen, Record, RetryPolicy, Write};

    let helmi = Citizen::new("http://127.0.0.1:1/fhir/R4", "web-test");
    let matti = Citizen::new("http://127.0.0.1:1/fhir/R4", "web-test-2");
    let now = js_sys::Date::now();
    let save = NewSave {
        entry_id: "urn:uuid:web-test-entry".into(),
        owner: helmi.tag().into(),
        made_by: Some("Patient/helmi".into()),
        record: Record::OrganDonation.key(),
        resource_type: "Consent".into(),
        resource: serde_json::json!({"resourceType": "Consent", "status": "active"}),
        write: Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:web-test".into(),
            look_first: None,
        },
        now_ms: now,
    };
    let Enqueue::Add(mut entry) = enqueue(&[], save) else {
        panic!("a first save is a new entry");
    };
    start_attempt(&mut entry, now);
    let unavailable = Err(FhirError::Status {
        status: 503,
        outcome: None,
        retry_after_secs: Some(30),
    });
    let Next::Keep(queued) = after_answer(entry, unavailable, now, 0.5, &RetryPolicy::default())
    else {
        panic!("a 503 keeps the entry");
    };

    let store = OutboxStore::open(helmi.clone()).await;
    assert_eq!(store.kind(), "IndexedDB", "IndexedDB opens in Chromium");
    assert_eq!(store.problem(), None);
    store.apply(std::slice::from_ref(&queued), &[]).await;
    // A second handle, as after a reload.
    let reopened = OutboxStore::open(helmi).await;
    let back = reopened.entries().await;
    let found = back
        .iter()
        .find(|e| e.id == queued.id)
        .expect("the entry is still there");
    assert_eq!(found.resource, queued.resource);
    assert_eq!(
        found.state, queued.state,
        "comes back queued, with its reason and next try"
    );
    assert_eq!(found.state.name(), "queued");
    // Another person on the same browser does not see it.
    let other = OutboxStore::open(matti).await;
    assert!(
        other.entries().await.iter().all(|e| e.id != queued.id),
        "another citizen's store never holds this entry"
    );

    reopened.apply(&[], std::slice::from_ref(&queued.id)).await;
    let after = store.entries().await;
    assert!(after.iter().all(|e| e.id != queued.id));
    assert_eq!(store.kind(), "IndexedDB", "nothing fell back to memory");
}

/// Changes to the outbox that overlap, from one tab and from another, each build on the other:
/// none is read before another is written and then written over it (as when the driver marked
/// an entry "in flight" over the edit the citizen had just stored: the edit was lost).
#[wasm_bindgen_test]
async fn overlapping_outbox_changes_each_see_the_other_in_real_indexeddb() {
    use std::cell::Cell;
    use std::rc::Rc;
    use tahto::save::outbox::{enqueue, Enqueue, NewSave, OutboxEntry};
    use tahto::save::store::OutboxStore;
    use tahto::save::{Citizen, Record, Write};

    let helmi = Citizen::new("http://127.0.0.1:1/fhir/R4", "web-test-overlap");
    let save = NewSave {
        entry_id: "urn:uuid:web-test-overlap".into(),
        owner: helmi.tag().into(),
        made_by: None,
        record: Record::LivingWill.key(),
        resource_type: "DocumentReference".into(),
        resource: serde_json::json!({"resourceType": "DocumentReference", "status": "current"}),
        write: Write::Create {
            creation_key: "urn:ietf:rfc:3986|urn:uuid:web-test-overlap".into(),
            look_first: None,
        },
        now_ms: js_sys::Date::now(),
    };
    let Enqueue::Add(entry) = enqueue(&[], save) else {
        panic!("a first save is a new entry");
    };
    let id = entry.id.clone();
    let this_tab = Rc::new(OutboxStore::open(helmi.clone()).await);
    let other_tab = Rc::new(OutboxStore::open(helmi).await);
    this_tab.apply(&[entry], &[]).await;

    // Each change counts one more attempt on what it reads.
    let bump = |id: String| {
        Box::new(move |entries: Vec<OutboxEntry>| {
            let bumped: Vec<OutboxEntry> = entries
                .into_iter()
                .filter(|e| e.id == id)
                .map(|mut e| {
                    e.attempt_count += 1;
                    e
                })
                .collect();
            (bumped, Vec::new())
        })
    };
    let done = Rc::new(Cell::new(0));
    for store in [&this_tab, &other_tab, &this_tab] {
        let (store, done, bump) = (store.clone(), done.clone(), bump(id.clone()));
        // All three start before any has finished.
        wasm_bindgen_futures::spawn_local(async move {
            store.update(bump).await;
            done.set(done.get() + 1);
        });
    }
    while done.get() < 3 {
        tick().await;
    }
    let stored = other_tab.entries().await;
    let stored = stored
        .iter()
        .find(|e| e.id == id)
        .expect("the entry is kept");
    assert_eq!(stored.attempt_count, 3, "no change was written over");
    assert_eq!(this_tab.kind(), "IndexedDB", "nothing fell back to memory");
    this_tab.apply(&[], &[id]).await;
}

/// `i18n::format` writes dates and numbers by hand (the first `Intl` formatter is a long task):
/// held here to what this browser's own `Intl` writes, for every language.
#[wasm_bindgen_test]
fn dates_and_numbers_are_written_as_the_browsers_intl_writes_them() {
    use tahto::web::{
        format_date, format_date_time, format_number, format_time, format_time_seconds,
    };
    let intl = |locale: &str, options: &str, date: &js_sys::Date| -> String {
        let options: js_sys::Object = js_sys::JSON::parse(options).unwrap().unchecked_into();
        let locales = js_sys::Array::of1(&locale.into());
        let format = js_sys::Intl::DateTimeFormat::new(&locales, &options).format();
        format
            .call1(&JsValue::NULL, date)
            .unwrap()
            .as_string()
            .unwrap()
    };
    let number = |locale: &str, value: f64| -> String {
        let locales = js_sys::Array::of1(&locale.into());
        let format = js_sys::Intl::NumberFormat::new(&locales, &js_sys::Object::new()).format();
        format
            .call1(&JsValue::NULL, &value.into())
            .unwrap()
            .as_string()
            .unwrap()
    };
    const DATE: &str = r#"{"year":"numeric","month":"numeric","day":"numeric"}"#;
    const TIME: &str = r#"{"hour":"2-digit","minute":"2-digit"}"#;
    const SECONDS: &str = r#"{"hour":"2-digit","minute":"2-digit","second":"2-digit"}"#;
    const BOTH: &str = r#"{"year":"numeric","month":"numeric","day":"numeric","hour":"2-digit","minute":"2-digit","second":"2-digit"}"#;
    // Each of Tahto's date formats beside the `Intl` options it stands in for.
    type Format = fn(&str, Lang) -> String;
    let formats: [(Format, &str); 4] = [
        (format_date, DATE),
        (format_time, TIME),
        (format_time_seconds, SECONDS),
        (format_date_time, BOTH),
    ];
    for lang in Lang::ALL {
        let locale = lang.locale();
        for iso in [
            "2026-03-04T09:05:07Z",
            "2025-12-31T23:59:59+02:00",
            "1999-07-15T00:00:00",
        ] {
            let date = js_sys::Date::new(&iso.into());
            for (format, options) in formats {
                assert_eq!(
                    format(iso, lang),
                    intl(locale, options, &date),
                    "{iso} {locale} {options}"
                );
            }
        }
        for value in [
            0.0,
            5.8,
            -5.8,
            1234.0,
            12345.6789,
            1.0005,
            0.1 + 0.2,
            123456789.12345,
            2.5e-7,
            -0.0001,
            999.9999,
        ] {
            assert_eq!(
                format_number(value, lang),
                number(locale, value),
                "{value} {locale}"
            );
        }
    }
    // What is not a date is shown as the server wrote it.
    assert_eq!(format_date("not a date", Lang::Fi), "not a date");
    // A date without a time is a day of the calendar, in any time zone: never the day before
    // west of UTC, never a time of day that was not recorded.
    for format in [format_date, format_date_time, format_time] {
        assert_eq!(format("2027-03-10", Lang::Fi), "10.3.2027");
        assert_eq!(format("2027-03", Lang::En), "03/2027");
        assert_eq!(format("1978", Lang::Sv), "1978");
    }
}

#[wasm_bindgen_test]
fn json_is_read_by_the_browser_and_written_back_unchanged() {
    use tahto::web::parse_json;
    let text = r#"{"resourceType":"Consent","meta":{"versionId":"3"},"n":[0,-7,5.1,1e300,9007199254740991],"s":"äö \"q\" \n 🙂","t":true,"z":null}"#;
    let value = parse_json(text).expect("valid JSON");
    assert_eq!(
        value,
        serde_json::from_str::<serde_json::Value>(text).unwrap()
    );
    assert_eq!(
        parse_json(&tahto::json::to_text(&value)).as_ref(),
        Some(&value),
        "what Tahto writes, it reads back"
    );
    // Cut off, not JSON, or nested deeper than any resource: refused, never a crash.
    assert_eq!(parse_json(&text[..text.len() / 2]), None);
    assert_eq!(parse_json("<html>502 Bad Gateway</html>"), None);
    let deep = format!("{}{}", "[".repeat(5_000), "]".repeat(5_000));
    assert_eq!(parse_json(&deep), None);
    // A message's data may share its parts: sixty arrays each holding the next twice are 2^60
    // values to walk. Refused at once, not walked (this test would not end).
    let mut shared = JsValue::from(1);
    for _ in 0..60 {
        shared = js_sys::Array::of2(&shared, &shared).into();
    }
    assert_eq!(tahto::web::json_from_js_value(&shared), None);
    let message =
        js_sys::JSON::parse(r##"{"type":"tahto:theme","theme":{"accent":"#005a8d"}}"##).unwrap();
    assert!(
        tahto::web::json_from_js_value(&message).is_some(),
        "a message of Tahto's is read"
    );
}

#[wasm_bindgen_test]
fn embedded_routing_keeps_the_section_in_this_tab_and_never_touches_the_history() {
    use tahto::config::Routing;
    use tahto::router::Router;
    use tahto::sections::View;
    let window = web_sys::window().expect("a window");
    let history = window.history().expect("a history");
    let before = (
        history.length().expect("length"),
        window.location().href().ok(),
    );
    let owner = Owner::new();
    owner.with(|| {
        let router = Router::start(&Routing::Memory);
        assert!(!router.has_urls());
        assert_eq!(router.href(View::LabResults), None, "no address to link to");
        router.go(View::LabResults);
        assert!(router.is_shown(View::LabResults));
        // A reload of this tab: the section comes back.
        assert!(Router::start(&Routing::Memory).is_shown(View::LabResults));
        router.go(View::Home);
        assert!(Router::start(&Routing::Memory).is_shown(View::Home));
    });
    let after = (
        history.length().expect("length"),
        window.location().href().ok(),
    );
    assert_eq!(
        before, after,
        "the host page's history and address are its own"
    );
}
