//! Texts of the app shell and the home page: the first load carries them.

crate::texts! {
    /// Texts of the app shell and the home page: the first load carries them.
    pub enum ShellText {
        AppName => ["Tahto", "Tahto", "Tahto"],
        LanguageNavLabel => ["Kieli", "Språk", "Language"],
        NavAll => ["Kaikki osiot", "Alla avsnitt", "All sections"],
        UnsentBadge => ["Lähettämättä: {count}", "Osända: {count}", "Unsent saves: {count}"],
        StorageProblem => ["Selain ei antanut Tahdon pitää tallennustasi tallessa tällä laitteella. Pidä sivu auki, kunnes se näyttää tallennetuksi.", "Webbläsaren lät inte Tahto spara din ändring på den här enheten. Håll sidan öppen tills den visas som sparad.", "This browser did not let Tahto keep your save on this device. Keep this page open until it says saved."],
        NavLabel => ["Osiot", "Avsnitt", "Sections"],
        NavDeclarations => ["Tahdonilmaisut", "Viljeyttringar", "Declarations"],
        NavRecords => ["Terveystiedot", "Hälsouppgifter", "Health records"],
        SectionLoading => ["Ladataan tätä osiota…", "Laddar den här delen…", "Loading this section…"],
        SectionLoadFailed => ["Tätä osiota ei voitu ladata. Tarkista verkkoyhteys ja yritä uudelleen. Mitään tallentamaasi ei ole kadonnut.", "Den här delen kunde inte laddas. Kontrollera nätverksanslutningen och försök igen. Inget du har sparat har gått förlorat.", "This section could not be loaded. Check your network connection and try again. Nothing you have saved is lost."],
        Open => ["Avaa", "Öppna", "Open"],
        HomeIntro => ["Täällä näet yhdellä silmäyksellä tahdonilmaisusi ja terveystietosi.", "Här ser du dina viljeyttringar och hälsouppgifter i en överblick.", "Your declarations and health records at a glance."],
        HomeNoticeConfirmed => ["Olet vahvistanut lukeneesi voimassa olevan informaation.", "Du har bekräftat att du läst den gällande informationen.", "You have confirmed reading the current notice."],
        HomeNoticeUnread => ["Lukematta: vahvista voimassa oleva informaatio, jotta voit tallentaa tahdonilmaisuja.", "Oläst: bekräfta den gällande informationen för att kunna spara viljeyttringar.", "Unread: confirm the current notice to be able to save declarations."],
        HomeNoticeUnknown => ["Vahvistustasi ei voitu tarkistaa juuri nyt.", "Din bekräftelse kunde inte kontrolleras just nu.", "Your confirmation could not be checked just now."],
        HomeRecorded => ["Kirjattu {date}", "Registrerad {date}", "Recorded {date}"],
        HomeNotRecorded => ["Ei kirjattu", "Inte registrerad", "Not recorded"],
        HomeUnknown => ["Tilaa ei voitu tarkistaa juuri nyt.", "Läget kunde inte kontrolleras just nu.", "Could not be checked just now."],
        HomeConsentInForce => ["Lupa voimassa", "Samtycket gäller", "Consent in force"],
        HomeRefusals => ["Luovutuskieltoja: {count}", "Förbud mot utlämnande: {count}", "Refusals to disclose: {count}"],
        HomeRenewalsWaiting => ["Odottavia uusimispyyntöjä: {count}", "Väntande förnyelser: {count}", "Renewal requests waiting: {count}"],
        ForgetDevice => ["Unohda tämä laite", "Glöm den här enheten", "Forget this device"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(ShellText::ALL, &[ShellText::AppName]);
    }
}
