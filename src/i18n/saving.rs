//! Texts of a record's life beyond one save: a draft changed elsewhere, discarding a draft, how
//! old an unsent save is.

crate::texts! {
    /// A text about drafts and unsent saves.
    pub enum SaveText {
        StaleTitle => ["Tätä on muutettu muualla", "Detta har ändrats på annat håll", "This was changed elsewhere"],
        StaleExplain => ["Tallennettu versio on muuttunut sen jälkeen, kun aloitit muutoksesi. Katso molemmat ja valitse, kumpi jää voimaan. Mitään ei tallenneta ennen valintaasi.", "Den sparade versionen har ändrats sedan du började dina ändringar. Se båda och välj vilken som gäller. Inget sparas innan du har valt.", "The saved version has changed since you started your changes. See both and choose which one stands. Nothing is saved until you choose."],
        StaleMine => ["Sinun muutoksesi (ei tallennettu)", "Dina ändringar (inte sparade)", "Your changes (not saved)"],
        StaleSaved => ["Tallennettu versio {version}", "Sparad version {version}", "Saved version {version}"],
        StaleSavedNone => ["Tallennettu versio on poistettu.", "Den sparade versionen har tagits bort.", "The saved version has been removed."],
        ContinueWithMine => ["Jatka omilla muutoksillani", "Fortsätt med mina ändringar", "Continue with my changes"],
        UseSaved => ["Käytä tallennettua versiota", "Använd den sparade versionen", "Use the saved version"],
        DraftKept => ["Muutoksesi on tallessa tällä laitteella, mutta sitä ei ole vielä tallennettu palveluun.", "Dina ändringar finns kvar på den här enheten men har inte sparats i tjänsten ännu.", "Your changes are kept on this device but have not been saved to the service yet."],
        Discard => ["Hylkää muutokseni", "Kasta mina ändringar", "Discard my changes"],
        DiscardConfirm => ["Hylätäänkö muutoksesi? Tätä ei voi perua.", "Kasta dina ändringar? Det går inte att ångra.", "Discard your changes? This cannot be undone."],
        DiscardYes => ["Kyllä, hylkää", "Ja, kasta", "Yes, discard"],
        DiscardNo => ["Ei, säilytä", "Nej, behåll", "No, keep them"],
        Discarded => ["Muutoksesi hylättiin.", "Dina ändringar kastades.", "Your changes were discarded."],
        ServiceDownTitle => ["Palvelu ei juuri nyt pysty tallentamaan", "Tjänsten kan inte spara just nu", "The service cannot save right now"],
        ServiceDownNotYou => ["Tallennus ei onnistu tällä hetkellä kenellekään. Vika on palvelussa, ei sinussa eikä laitteessasi.", "Det går inte att spara för någon just nu. Felet ligger i tjänsten, inte hos dig eller din enhet.", "Saving is not working for anyone at the moment. The fault is in the service, not with you or your device."],
        ServiceDownKept => ["Kaikki mitä olet tallentanut on tallessa tällä laitteella ja lähetetään automaattisesti, kun palvelu toimii taas. Voit sulkea sivun; tiedot lähetetään, kun avaat Tahdon uudelleen.", "Allt du har sparat finns kvar på den här enheten och skickas automatiskt när tjänsten fungerar igen. Du kan stänga sidan; uppgifterna skickas när du öppnar Tahto igen.", "Everything you have saved is kept on this device and will be sent automatically when the service works again. You can close the page; it will be sent when you open Tahto again."],
        ServiceDownPrint => ["Jos tarvitset tahtosi paperilla sillä välin, avaa se ja valitse Tulosta.", "Om du behöver din viljeyttring på papper under tiden, öppna den och välj Skriv ut.", "If you need your declaration on paper meanwhile, open it and choose Print."],
        UnsentAge => ["Tehty {time}", "Gjord {time}", "Made {time}"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(SaveText::ALL, &[]);
    }
}
