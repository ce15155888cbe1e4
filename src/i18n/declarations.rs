//! Texts of the declarations added after the organ donation decision: the advance directive
//! (hoitotahto), the living will, disclosure consents and refusals, and printing.

crate::texts! {
    /// A text of the declarations part.
    pub enum DeclText {
        AdIntro => ["Hoitotahdossa kerrot, millaista hoitoa haluat tai et halua, jos et itse pysty sitä kertomaan. Lääkärit ottavat sen huomioon hoitopäätöksissä.", "I vårdviljan berättar du vilken vård du vill eller inte vill ha om du inte själv kan uttrycka det. Läkarna beaktar den i vårdbesluten.", "In your advance directive you say what care you want or do not want if you cannot say it yourself. Doctors take it into account in care decisions."],
        AdCurrentNone => ["Et ole kirjannut hoitotahtoa.", "Du har inte registrerat någon vårdvilja.", "You have not recorded an advance directive."],
        AdRecorded => ["Kirjattu {time} · versio {version}", "Registrerad {time} · version {version}", "Recorded {time} · version {version}"],
        AdLoading => ["Haetaan hoitotahtoasi…", "Hämtar din vårdvilja…", "Fetching your advance directive…"],
        TreatmentsLegend => ["Hoidot", "Behandlingar", "Treatments"],
        Resuscitation => ["Elvytys", "Återupplivning", "Resuscitation"],
        Ventilation => ["Hengityskonehoito", "Respiratorvård", "Ventilator treatment"],
        TubeFeeding => ["Letkuravitsemus", "Sondmatning", "Tube feeding"],
        Dialysis => ["Dialyysi", "Dialys", "Dialysis"],
        Accept => ["Haluan", "Jag vill", "I want it"],
        Refuse => ["En halua", "Jag vill inte", "I do not want it"],
        Undecided => ["En ota kantaa", "Jag tar inte ställning", "No preference"],
        PlaceLegend => ["Missä haluan tulla hoidetuksi elämän loppuvaiheessa", "Var jag vill vårdas i livets slutskede", "Where I want to be cared for at the end of life"],
        PlaceHome => ["Kotona", "Hemma", "At home"],
        PlaceHospice => ["Saattohoitokodissa", "På ett hospice", "In a hospice"],
        PlaceHospital => ["Sairaalassa", "På sjukhus", "In hospital"],
        ConsultLegend => ["Henkilö, jonka kanssa hoidostani neuvotellaan", "Person som ska rådfrågas om min vård", "A person to be consulted about my care"],
        ConsultName => ["Nimi", "Namn", "Name"],
        ConsultPhone => ["Puhelinnumero", "Telefonnummer", "Phone number"],
        AdNoteLabel => ["Muita toiveita (vapaaehtoinen)", "Andra önskemål (frivilligt)", "Other wishes (optional)"],
        SaveDirective => ["Tallenna hoitotahto", "Spara vårdviljan", "Save advance directive"],
        ProblemEmpty => ["Valitse vähintään yksi kohta tai kirjoita toiveesi.", "Välj minst en punkt eller skriv dina önskemål.", "Choose at least one item or write your wishes."],
        ProblemContactName => ["Kirjoita myös henkilön nimi.", "Skriv också personens namn.", "Please also write the person's name."],
        ProblemPhone => ["Kirjoita puhelinnumero numeroina, esimerkiksi +358 40 123 4567.", "Skriv telefonnumret med siffror, till exempel +358 40 123 4567.", "Please write the phone number in digits, for example +358 40 123 4567."],
        ProblemTooLong => ["Teksti on liian pitkä: {count} / {max} merkkiä.", "Texten är för lång: {count} / {max} tecken.", "The text is too long: {count} / {max} characters."],
        CharCount => ["{count} / {max} merkkiä", "{count} / {max} tecken", "{count} / {max} characters"],
        OverLimit => ["Teksti on {over} merkkiä liian pitkä: enintään {max} merkkiä voidaan tallentaa. Lyhennä sitä ennen tallentamista; mitään ei ole poistettu.", "Texten är {over} tecken för lång: högst {max} tecken kan sparas. Korta av den innan du sparar; ingenting har tagits bort.", "The text is {over} characters over the limit: at most {max} characters can be saved. Shorten it before saving; nothing has been removed."],
        Cleaned => ["Tekstistä poistettiin {count} näkymätöntä tai ohjausmerkkiä (esimerkiksi liitetystä tekstistä).", "{count} osynliga tecken eller styrtecken togs bort ur texten (till exempel från inklistrad text).", "{count} hidden or control characters were removed from the text (for example from pasted text)."],
        Print => ["Tulosta", "Skriv ut", "Print"],
        PrintedOn => ["Tulostettu {date}", "Utskriven {date}", "Printed {date}"],
        PrintRecord => ["Tallennettu Kanta-palveluihin {time}, tunniste {id}, versio {version}.", "Sparad i Kanta-tjänsterna {time}, id {id}, version {version}.", "Stored in the Kanta services {time}, id {id}, version {version}."],
        Signature => ["Allekirjoitus ja nimenselvennys", "Underskrift och namnförtydligande", "Signature and name in block letters"],
        PlaceAndDate => ["Paikka ja päivämäärä", "Ort och datum", "Place and date"],
        KeepMine => ["Pidä minun versioni", "Behåll min version", "Keep my version"],
        TakeTheirs => ["Ota toinen versio", "Ta den andra versionen", "Take the other version"],
        ConflictExplain => ["Tätä on muutettu toisaalla sen jälkeen, kun avasit sen. Valitse, kumpi versio jää voimaan.", "Den här har ändrats på annat håll efter att du öppnade den. Välj vilken version som ska gälla.", "This was changed elsewhere after you opened it. Choose which version stays in force."],
        LwIntro => ["Hoitotestamentissa kerrot omin sanoin, miten haluat sinua hoidettavan, jos et itse pysty siitä päättämään. Jokainen tallennus on uusi versio; aiemmat säilyvät.", "I livstestamentet berättar du med egna ord hur du vill bli vårdad om du inte själv kan bestämma. Varje sparande är en ny version; de tidigare finns kvar.", "In your living will you say in your own words how you want to be cared for if you cannot decide yourself. Each save is a new version; earlier ones are kept."],
        LwLabel => ["Hoitotestamenttisi", "Ditt livstestamente", "Your living will"],
        LwNone => ["Et ole kirjoittanut hoitotestamenttia.", "Du har inte skrivit något livstestamente.", "You have not written a living will."],
        LwRecorded => ["Voimassa oleva versio kirjattu {time}.", "Gällande version registrerad {time}.", "Current version recorded {time}."],
        LwSave => ["Tallenna hoitotestamentti", "Spara livstestamentet", "Save living will"],
        LwEmpty => ["Kirjoita hoitotestamenttisi ennen tallentamista.", "Skriv ditt livstestamente innan du sparar.", "Please write your living will before saving."],
        DiscIntro => ["Täällä annat tai perut luvan luovuttaa tietojasi hoitoasi varten terveydenhuollon toimijoiden välillä, ja voit kieltää yksittäisen käynnin tai reseptin tietojen luovutuksen.", "Här ger eller återkallar du samtycke till att dina uppgifter lämnas ut mellan vårdgivare för din vård, och kan förbjuda utlämnande av ett enskilt besök eller recept.", "Here you give or withdraw consent to disclose your data between care providers for your care, and can refuse the disclosure of a single visit or prescription."],
        ConsentHeading => ["Lupa tietojen luovutukseen", "Samtycke till utlämnande", "Consent to disclose"],
        ConsentMeaning => ["Kun annat luvan, sinua hoitavat terveydenhuollon toimijat voivat nähdä toistensa kirjaamat tietosi. Se helpottaa hoitoasi esimerkiksi päivystyksessä. Voit perua luvan milloin tahansa.", "När du ger samtycke kan de vårdgivare som vårdar dig se varandras anteckningar om dig. Det underlättar din vård, till exempel på jouren. Du kan återkalla samtycket när som helst.", "With your consent, the care providers treating you can see each other's records about you. This helps your care, for example in an emergency. You can withdraw it at any time."],
        ConsentGiven => ["Lupa on voimassa (annettu {date}).", "Samtycket gäller (givet {date}).", "Your consent is in force (given {date})."],
        ConsentNotGiven => ["Et ole antanut lupaa.", "Du har inte gett samtycke.", "You have not given consent."],
        GiveConsent => ["Anna lupa", "Ge samtycke", "Give consent"],
        WithdrawConsent => ["Peru lupa", "Återkalla samtycket", "Withdraw consent"],
        WithdrawRefusal => ["Peru kielto", "Återkalla förbudet", "Withdraw refusal"],
        RefusalsHeading => ["Luovutuskiellot", "Förbud mot utlämnande", "Refusals to disclose"],
        RefusalMeaning => ["Kiellon jälkeen valitun käynnin tai reseptin tietoja ei näytetä muille terveydenhuollon toimijoille, vaikka lupa olisi voimassa. Kiellon voi perua.", "Efter ett förbud visas uppgifterna om det valda besöket eller receptet inte för andra vårdgivare, även om samtycket gäller. Förbudet kan återkallas.", "After a refusal, the data of the chosen visit or prescription is not shown to other care providers, even with your consent in force. A refusal can be withdrawn."],
        RefuseVisit => ["Kiellä tämän käynnin tietojen luovutus", "Förbjud utlämnande av det här besöket", "Refuse disclosure of this visit"],
        RefusePrescription => ["Kiellä tämän reseptin tietojen luovutus", "Förbjud utlämnande av det här receptet", "Refuse disclosure of this prescription"],
        Refused => ["Luovutus kielletty ({date}).", "Utlämnande förbjudet ({date}).", "Disclosure refused ({date})."],
        VisitsHeading => ["Käynnit", "Besök", "Visits"],
        PrescriptionsHeading => ["Reseptit", "Recept", "Prescriptions"],
        NoticeIntro => ["Lue, miten Kanta-palvelut käsittelevät tietojasi. Tahdonilmaisusi voi tallentaa, kun olet vahvistanut lukeneesi voimassa olevan version.", "Läs hur Kanta-tjänsterna behandlar dina uppgifter. Dina viljeyttringar kan sparas när du har bekräftat att du har läst den gällande versionen.", "Read how the Kanta services handle your data. Your declarations can be saved once you have confirmed that you have read the current version."],
        NoticeOtherLanguage => ["Informaatiota ei ole saatavilla valitsemallasi kielellä, joten se näytetään suomeksi.", "Informationen finns inte på ditt språk, så den visas på finska.", "The information is not available in your language, so it is shown in Finnish."],
        NoticeConfirmed => ["Olet vahvistanut lukeneesi tämän version.", "Du har bekräftat att du har läst denna version.", "You have confirmed that you have read this version."],
        NoticeLoadFailed => ["Informaatiota ei voitu ladata: {why}", "Informationen kunde inte laddas: {why}", "The information could not be loaded: {why}"],
        NoticeConfirm => ["Olen lukenut informaation", "Jag har läst informationen", "I have read the information"],
        NoticeVersion => ["Versio julkaistu {date}", "Versionen publicerad {date}", "Version published {date}"],
        LockedBody => ["Tahdonilmaisun voi tallentaa, kun olet vahvistanut lukeneesi voimassa olevan informaation. Kun informaatiosta julkaistaan uusi versio, se on vahvistettava uudelleen.", "En viljeyttring kan sparas när du har bekräftat att du har läst den gällande informationen. När en ny version av informationen publiceras måste du bekräfta den på nytt.", "A declaration can be saved once you have confirmed that you have read the current information. When a new version of the information is published, you must confirm it again."],
        LockedCheckFailed => ["Vahvistustasi ei voitu tarkistaa: {why}", "Din bekräftelse kunde inte kontrolleras: {why}", "Your confirmation could not be checked: {why}"],
        LockedTitle => ["Vahvista ensin Kanta-palvelujen informaatio", "Bekräfta först informationen om Kanta-tjänsterna", "First confirm the information about the Kanta services"],
        OpenNotice => ["Lue Kanta-palvelujen informaatio", "Läs informationen om Kanta-tjänsterna", "Read the information about the Kanta services"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(DeclText::ALL, &[]);
    }
}
