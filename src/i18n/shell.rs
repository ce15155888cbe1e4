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
        SignInTitle => ["Kirjaudu Tahtoon", "Logga in i Tahto", "Sign in to Tahto"],
        SignInIntro => ["Tahto näyttää ja tallentaa vain sinun tietojasi, joten kerro ensin, kuka olet. Kirjautuminen tapahtuu tunnistuspalvelussa.", "Tahto visar och sparar bara dina egna uppgifter, så berätta först vem du är. Inloggningen sker i identifieringstjänsten.", "Tahto shows and saves your own records only, so first tell it who you are. You sign in at the identification service."],
        SignInButton => ["Kirjaudu sisään", "Logga in", "Sign in"],
        SignInServiceProblem => ["Tunnistuspalvelu ei juuri nyt toimi niin kuin Tahto tarvitsee. Yritä myöhemmin uudelleen.", "Identifieringstjänsten fungerar inte just nu så som Tahto behöver. Försök igen senare.", "The identification service is not working as Tahto needs just now. Try again later."],
        SignInRefused => ["Kirjautuminen keskeytettiin tai sitä ei sallittu. Voit yrittää uudelleen.", "Inloggningen avbröts eller tilläts inte. Du kan försöka igen.", "Signing in was cancelled or not allowed. You can try again."],
        SignInUnchecked => ["Kirjautumisen vastausta ei voitu tarkistaa, joten sitä ei käytetty. Kirjaudu uudelleen.", "Svaret från inloggningen kunde inte kontrolleras och användes därför inte. Logga in igen.", "The answer from the sign-in could not be checked, so it was not used. Sign in again."],
        SignInUnreachable => ["Tunnistuspalveluun ei saatu yhteyttä. Tarkista verkkoyhteytesi ja yritä uudelleen.", "Ingen förbindelse till identifieringstjänsten. Kontrollera din internetanslutning och försök igen.", "Could not reach the identification service. Check your internet connection and try again."],
        SignInWindowBlocked => ["Selain ei avannut kirjautumisikkunaa. Salli ponnahdusikkunat tälle sivustolle tai avaa Tahto omaan välilehteensä.", "Webbläsaren öppnade inte inloggningsfönstret. Tillåt popup-fönster för den här webbplatsen eller öppna Tahto i en egen flik.", "Your browser did not open the sign-in window. Allow pop-up windows for this site, or open Tahto in a tab of its own."],
        SignInWindowClosed => ["Kirjautumisikkuna suljettiin ennen kuin kirjauduit. Voit yrittää uudelleen.", "Inloggningsfönstret stängdes innan du loggade in. Du kan försöka igen.", "The sign-in window was closed before you signed in. You can try again."],
        SignInUnknownLaunch => ["Sivusto, jolta tulit, pyysi kirjautumista palveluun, jota Tahto ei tunne, joten pyyntöä ei käytetty. Voit kirjautua Tahtoon tavalliseen tapaan.", "Webbplatsen du kom från bad om inloggning till en tjänst som Tahto inte känner, så begäran användes inte. Du kan logga in i Tahto på vanligt sätt.", "The site you came from asked for a sign-in to a service Tahto does not know, so that request was not used. You can sign in to Tahto as usual."],
        SignInOpenTahto => ["Avaa Tahto (avautuu uuteen välilehteen)", "Öppna Tahto (öppnas i en ny flik)", "Open Tahto (opens in a new tab)"],
        SignedOut => ["Olet kirjautunut ulos.", "Du har loggat ut.", "You have signed out."],
        SignOut => ["Kirjaudu ulos", "Logga ut", "Sign out"],
        PatientBanner => ["{name}, syntynyt {born}", "{name}, född {born}", "{name}, born {born}"],
        PatientBannerLoading => ["Kirjautunut", "Inloggad", "Signed in"],
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
