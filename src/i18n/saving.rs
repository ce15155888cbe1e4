//! Texts of a save's details and a draft's life on a page: the receipt, what is kept, changed
//! elsewhere since, kept on this device, discarded; the names of the records saved. In the rest of
//! the app (`rest.rs`): the first load needs only a save's headline (`Msg`).

crate::texts! {
    /// A text about a save or a draft.
    pub enum SaveText {
        StaleTitle => ["Tätä on muutettu muualla", "Detta har ändrats på annat håll", "This was changed elsewhere"],
        StaleExplain => ["Tallennettu versio on muuttunut sen jälkeen, kun aloitit muutoksesi. Katso molemmat ja valitse, kumpi jää voimaan. Mitään ei tallenneta ennen valintaasi.", "Den sparade versionen har ändrats sedan du började dina ändringar. Se båda och välj vilken som gäller. Inget sparas innan du har valt.", "The saved version has changed since you started your changes. See both and choose which one stands. Nothing is saved until you choose."],
        StaleMine => ["Sinun muutoksesi (ei tallennettu)", "Dina ändringar (inte sparade)", "Your changes (not saved)"],
        StaleSaved => ["Tallennettu versio {version}", "Sparad version {version}", "Saved version {version}"],
        StaleSavedNone => ["Tallennettu versio on poistettu.", "Den sparade versionen har tagits bort.", "The saved version has been removed."],
        ContinueWithMine => ["Jatka omilla muutoksillani", "Fortsätt med mina ändringar", "Continue with my changes"],
        UseSaved => ["Käytä tallennettua versiota", "Använd den sparade versionen", "Use the saved version"],
        DraftKept => ["Muutoksesi on tallessa tällä laitteella, mutta sitä ei ole vielä tallennettu palveluun.", "Dina ändringar finns kvar på den här enheten men har inte sparats i tjänsten ännu.", "Your changes are kept on this device but have not been saved to the service yet."],
        DraftOnlyHere => ["Tämä selain ei anna Tahdon säilyttää muutostasi laitteella (tila on täynnä tai estetty). Muutoksesi on tallessa vain tällä sivulla: pidä sivu auki, kunnes olet tallentanut.", "Den här webbläsaren låter inte Tahto behålla din ändring på enheten (utrymmet är fullt eller blockerat). Ändringen finns bara på den här sidan: håll sidan öppen tills du har sparat.", "This browser does not let Tahto keep your change on this device (storage is full or blocked). Your change is only on this page: keep the page open until you have saved."],
        Discard => ["Hylkää muutokseni", "Kasta mina ändringar", "Discard my changes"],
        DiscardConfirm => ["Hylätäänkö muutoksesi? Tätä ei voi perua.", "Kasta dina ändringar? Det går inte att ångra.", "Discard your changes? This cannot be undone."],
        DiscardYes => ["Kyllä, hylkää", "Ja, kasta", "Yes, discard"],
        DiscardNo => ["Ei, säilytä", "Nej, behåll", "No, keep them"],
        Discarded => ["Muutoksesi hylättiin.", "Dina ändringar kastades.", "Your changes were discarded."],
        ReceiptHeading => ["Kuitti", "Kvitto", "Receipt"],
        ReceiptId => ["Tietueen tunnus: {id}", "Postens id: {id}", "Record id: {id}"],
        ReceiptVersion => ["Versio: {version}", "Version: {version}", "Version: {version}"],
        ReceiptServerTime => ["Palvelimen aika: {time}", "Serverns tid: {time}", "Server time: {time}"],
        QueuedKept => ["Tallennuksesi on tallessa tällä laitteella ja lähetetään automaattisesti. Sitä ei ole vielä kirjattu.", "Det du sparade finns tryggt kvar på den här enheten och skickas automatiskt. Det har ännu inte registrerats.", "What you saved is kept safely on this device and will be sent automatically. It has not been recorded yet."],
        QueuedOnlyHere => ["Tallennuksesi on vain tällä sivulla, koska selain ei anna Tahdon säilyttää sitä laitteella. Se lähetetään automaattisesti: pidä sivu auki. Sitä ei ole vielä kirjattu.", "Det du sparade finns bara på den här sidan, eftersom webbläsaren inte låter Tahto behålla det på enheten. Det skickas automatiskt: håll sidan öppen. Det har ännu inte registrerats.", "What you saved is only on this page, because the browser does not let Tahto keep it on this device. It will be sent automatically: keep the page open. It has not been recorded yet."],
        RejectedKept => ["Syöttämäsi tiedot ovat tallessa, joten voit korjata ne. Aiemmin kirjattu on ennallaan.", "Det du angav finns kvar så att du kan rätta det. Det som registrerats tidigare är oförändrat.", "What you entered is kept so that you can correct it. What was recorded earlier is unchanged."],
        NotSentUnchanged => ["Mitään ei lähetetty. Aiemmin kirjattu on ennallaan.", "Ingenting skickades. Det som registrerats tidigare är oförändrat.", "Nothing was sent. What was recorded earlier is unchanged."],
        NextTryAt => ["Seuraava automaattinen yritys klo {time}.", "Nästa automatiska försök kl. {time}.", "Next automatic try at {time}."],
        RetryAfter => ["Palvelu pyysi odottamaan {seconds} s ennen uutta yritystä.", "Tjänsten bad oss vänta {seconds} s innan nästa försök.", "The service asked to wait {seconds} s before trying again."],
        CurrentHeading => ["Kirjattu tahtosi", "Ditt registrerade beslut", "Your recorded decision"],
        LoadFailed => ["Tahtoasi ei voitu hakea: {why}", "Ditt beslut kunde inte hämtas: {why}", "Your decision could not be loaded: {why}"],
        RecordOrganDonation => ["Elinluovutustahto", "Donationsvilja", "Organ donation decision"],
        RecordNotice => ["Informaation lukuvahvistus", "Läsbekräftelse av informationen", "Confirmation of reading the information"],
        RecordMeasurement => ["Oma mittaus", "Egen mätning", "Own measurement"],
        RecordRenewal => ["Reseptin uusimispyyntö", "Begäran om förnyelse av recept", "Prescription renewal request"],
        RecordAdvanceDirective => ["Hoitotahto", "Vårdvilja", "Advance directive"],
        RecordLivingWill => ["Hoitotestamentti", "Livstestamente", "Living will"],
        RecordDisclosure => ["Luovutuslupa tai -kielto", "Samtycke eller förbud till utlämnande", "Disclosure consent or refusal"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(SaveText::ALL, &[SaveText::ReceiptVersion]);
    }
}
