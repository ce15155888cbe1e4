//! The texts both the first load and the rest of the app show.

crate::texts! {
    /// A text of the first load and of the rest of the app alike (the shell, the save states, the
    /// first declarations). Add a variant here and the compiler asks for all three languages.
    pub enum Msg {
        Loading => ["Ladataan…", "Laddar…", "Loading…"],
        ConfigProblem => ["Tahtoa ei ole määritetty oikein tällä sivulla ({detail}). Ota yhteyttä sivuston ylläpitäjään.", "Tahto är inte korrekt konfigurerat på den här sidan ({detail}). Kontakta webbplatsens administratör.", "Tahto is not configured correctly on this page ({detail}). Please contact the site's administrator."],
        OrganDonationTitle => ["Elinluovutustahto", "Donationsvilja", "Organ donation decision"],
        TryAgain => ["Yritä uudelleen", "Försök igen", "Try again"],
        StateSaving => ["Tallennetaan…", "Sparar…", "Saving…"],
        StateSavingSlow => ["Tallennetaan… palvelu vastaa hitaasti. Pidä tämä sivu auki.", "Sparar… tjänsten svarar långsamt. Håll sidan öppen.", "Saving… the service is answering slowly. Please keep this page open."],
        StateConfirmed => ["Tallennettu klo {time} · versio {version}", "Sparat kl. {time} · version {version}", "Saved at {time} · version {version}"],
        StateQueued => ["Ei vielä tallennettu: {why}", "Inte sparat ännu: {why}", "Not saved yet: {why}"],
        WhyUnreachable => ["palveluun ei saatu yhteyttä. Tarkista verkkoyhteytesi.", "ingen förbindelse till tjänsten. Kontrollera din internetanslutning.", "could not reach the service. Check your internet connection."],
        WhyTimeout => ["palvelu ei vastannut ajoissa.", "tjänsten svarade inte i tid.", "the service did not answer in time."],
        WhyServiceError => ["palvelussa oli häiriö (HTTP {status}).", "tjänsten hade ett fel (HTTP {status}).", "the service had a problem (HTTP {status})."],
        WhySignIn => ["kirjautumisesi on päättynyt. Se lähetetään, kun olet kirjautunut uudelleen.", "din inloggning har gått ut. Den skickas när du har loggat in igen.", "your sign-in has ended. It is sent once you have signed in again."],
        WhySignInRead => ["kirjautumisesi on päättynyt. Kirjaudu uudelleen.", "din inloggning har gått ut. Logga in igen.", "your sign-in has ended. Please sign in again."],
        WhyForbidden => ["kirjautumisesi ei anna lupaa näihin tietoihin.", "din inloggning ger inte tillgång till de här uppgifterna.", "your sign-in does not give access to this information."],
        WhyGarbled => ["palvelun vastaus katkesi tai oli lukukelvoton.", "tjänstens svar avbröts eller var oläsligt.", "the service's answer was cut off or unreadable."],
        RetryNow => ["Yritä nyt uudelleen", "Försök nu igen", "Retry now"],
        StateRejected => ["Palvelu ei hyväksynyt tallennusta: {reason}", "Tjänsten godkände inte sparningen: {reason}", "The service did not accept this save: {reason}"],
        StateRejectedNoReason => ["Palvelu ei hyväksynyt tallennusta (HTTP {status}).", "Tjänsten godkände inte sparningen (HTTP {status}).", "The service did not accept this save (HTTP {status})."],
        StateNotSendable => ["Tahto ei lähettänyt tätä tallennusta: laitteelle tallennettu tieto ei ole lähetettävissä. Syötä tiedot uudelleen.", "Tahto skickade inte den här sparningen: det som finns lagrat på enheten kan inte skickas. Ange uppgifterna på nytt.", "Tahto did not send this save: what is stored on this device is not a save it can send. Please enter it again."],
        StateConflict => ["Tahtoasi muutettiin muualla (esimerkiksi toisella laitteella) sen jälkeen, kun avasit tämän sivun. Mitään ei kirjoitettu yli.", "Ditt beslut ändrades på annat håll (till exempel på en annan enhet) efter att du öppnade sidan. Ingenting skrevs över.", "Your decision was changed elsewhere (for example on another device) after you opened this page. Nothing was overwritten."],
        UnsentTitle => ["Lähettämättömät tallennukset", "Osända sparningar", "Unsent saves"],
        NoticeTitle => ["Kanta-palvelujen informaatio", "Information om Kanta-tjänsterna", "Information about the Kanta services"],
        NoticeLoading => ["Ladataan informaatiota…", "Informationen laddas…", "Loading the information…"],
        NoticeMissing => ["Voimassa olevaa informaatiota ei löytynyt, joten tahdonilmaisuja ei voi vielä tallentaa.", "Ingen gällande information hittades, så viljeyttringar kan inte sparas ännu.", "No current information was found, so declarations cannot be saved yet."],
        HomeTitle => ["Etusivu", "Startsida", "Home"],
        AdvanceDirectiveTitle => ["Hoitotahto", "Vårdvilja", "Advance directive"],
        LivingWillTitle => ["Hoitotestamentti", "Livstestamente", "Living will"],
        DisclosuresTitle => ["Luovutusluvat ja -kiellot", "Samtycken och förbud till utlämnande", "Disclosure consents and refusals"],
        PrescriptionsTitle => ["Reseptit", "Recept", "Prescriptions"],
        LabResultsTitle => ["Laboratoriotulokset", "Laboratorieresultat", "Lab results"],
        VaccinationsTitle => ["Rokotukset", "Vaccinationer", "Vaccinations"],
        VisitsTitle => ["Käynnit", "Besök", "Visits"],
        AccessLogTitle => ["Kuka katsoi tietojani", "Vem har sett mina uppgifter", "Who viewed my data"],
        MeasurementsTitle => ["Omat mittaukset", "Egna mätningar", "My measurements"],
    }
}
