//! Texts of the shell's parts that come with the rest of the app (`rest.rs`): the unsent list,
//! the device menu's panel, the service notice and the app update. The first load does not carry
//! them.

crate::texts! {
    /// Texts of the shell's later parts, in the rest of the app.
    pub enum LaterText {
        UpdateReady => ["Tahdosta on uusi versio.", "Det finns en ny version av Tahto.", "A new version of Tahto is ready."],
        UpdateNow => ["Päivitä nyt", "Uppdatera nu", "Update now"],
        UpdateAfterSave => ["Tallennuksesi on matkalla. Tahto päivittyy heti, kun se on perillä.", "Din sparning är på väg. Tahto uppdateras så fort den har kommit fram.", "Your save is on its way. Tahto updates as soon as it has arrived."],
        UnsentIntro => ["Nämä tallennukset eivät ole vielä perillä palvelussa. Ne ovat tallessa tällä laitteella ja lähetetään automaattisesti; mitään ei katoa, vaikka suljet sivun.", "Dessa sparningar har ännu inte nått tjänsten. De finns tryggt kvar på den här enheten och skickas automatiskt; inget går förlorat om du stänger sidan.", "These saves have not reached the service yet. They are kept safely on this device and sent automatically; nothing is lost if you close the page."],
        UnsentIntroOnlyHere => ["Nämä tallennukset eivät ole vielä perillä palvelussa. Selain ei anna Tahdon säilyttää niitä laitteella, joten ne ovat vain tällä sivulla. Ne lähetetään automaattisesti: pidä sivu auki, kunnes ne ovat perillä.", "Dessa sparningar har ännu inte nått tjänsten. Webbläsaren låter inte Tahto behålla dem på enheten, så de finns bara på den här sidan. De skickas automatiskt: håll sidan öppen tills de har kommit fram.", "These saves have not reached the service yet. The browser does not let Tahto keep them on this device, so they are only on this page. They are sent automatically: keep the page open until they have arrived."],
        UnsentNone => ["Kaikki on tallennettu.", "Allt är sparat.", "Everything is saved."],
        BackToDecisions => ["Takaisin tahtoihisi", "Tillbaka till dina beslut", "Back to your decisions"],
        FrameTitle => ["Tahto toisen sivuston sisällä", "Tahto inne på en annan webbplats", "Tahto inside another site"],
        FrameKeptHere => ["Käytät Tahtoa toisen sivuston sisällä. Selaimesi säilyttää tallennukset, joita ei ole vielä lähetetty, vain tätä sivustoa varten: ne lähetetään, kun palaat tälle sivulle. Tahdon omassa osoitteessa näet kaiken yhdessä paikassa.", "Du använder Tahto inne på en annan webbplats. Din webbläsare sparar sparningar som inte har skickats än bara för den här webbplatsen: de skickas när du kommer tillbaka hit. På Tahtos egen adress ser du allt på ett ställe.", "You are using Tahto inside another site. Your browser keeps saves that have not been sent yet for this site only: they are sent when you come back here. At Tahto's own address you see everything in one place."],
        FrameNotKept => ["Toisen sivuston sisällä selaimesi ei anna Tahdon säilyttää tallennuksia tällä laitteella. Pidä sivu auki, kunnes tallennus näkyy tallennettuna, tai jatka Tahdossa.", "Inne på en annan webbplats låter din webbläsare inte Tahto spara något på den här enheten. Håll sidan öppen tills sparningen visas som sparad, eller fortsätt i Tahto.", "Inside another site your browser does not let Tahto keep saves on this device. Keep this page open until your save says saved, or continue in Tahto."],
        FrameAskOwn => ["Selaimesi voi antaa Tahdon säilyttää ne omassa tallennustilassaan tällä laitteella. Silloin ne näkyvät myös Tahdon omassa osoitteessa ja lähetetään sieltäkin.", "Din webbläsare kan låta Tahto spara dem i sitt eget lagringsutrymme på den här enheten. Då syns de också på Tahtos egen adress och skickas också därifrån.", "Your browser can let Tahto keep them in its own storage on this device. Then you also see them at Tahto's own address, and they are sent from there too."],
        FrameAskButton => ["Salli Tahdon oma tallennustila", "Tillåt Tahtos eget lagringsutrymme", "Allow Tahto's own storage"],
        FrameAskRefused => ["Selaimesi ei sallinut sitä. Lähettämättömät tallennukset säilyvät edelleen tätä sivustoa varten.", "Din webbläsare tillät det inte. Sparningar som inte har skickats finns kvar för den här webbplatsen.", "Your browser did not allow it. Saves not yet sent are still kept for this site."],
        FrameMoving => ["Siirretään tallennuksia Tahdon omaan tallennustilaan…", "Sparningarna flyttas till Tahtos eget lagringsutrymme …", "Moving your saves to Tahto's own storage…"],
        SignInEnded => ["Kirjautumisesi on päättynyt. Tallennukset, joita ei ole vielä lähetetty, ovat tallessa ja lähtevät, kun kirjaudut uudelleen.", "Din inloggning har gått ut. Sparningar som inte har skickats finns kvar och skickas när du loggar in igen.", "Your sign-in has ended. Saves not yet sent are kept, and go once you sign in again."],
        SignInAgain => ["Kirjaudu uudelleen", "Logga in igen", "Sign in again"],
        FrameContinue => ["Jatka Tahdossa (avautuu uuteen välilehteen)", "Fortsätt i Tahto (öppnas i en ny flik)", "Continue in Tahto (opens in a new tab)"],
        ServiceDownTitle => ["Palvelu ei juuri nyt pysty tallentamaan", "Tjänsten kan inte spara just nu", "The service cannot save right now"],
        ServiceDownNotYou => ["Tallennus ei onnistu tällä hetkellä kenellekään. Vika on palvelussa, ei sinussa eikä laitteessasi.", "Det går inte att spara för någon just nu. Felet ligger i tjänsten, inte hos dig eller din enhet.", "Saving is not working for anyone at the moment. The fault is in the service, not with you or your device."],
        ServiceDownKept => ["Kaikki mitä olet tallentanut on tallessa tällä laitteella ja lähetetään automaattisesti, kun palvelu toimii taas. Voit sulkea sivun; tiedot lähetetään, kun avaat Tahdon uudelleen.", "Allt du har sparat finns kvar på den här enheten och skickas automatiskt när tjänsten fungerar igen. Du kan stänga sidan; uppgifterna skickas när du öppnar Tahto igen.", "Everything you have saved is kept on this device and will be sent automatically when the service works again. You can close the page; it will be sent when you open Tahto again."],
        ServiceDownOnlyHere => ["Selain ei anna Tahdon säilyttää tallennuksiasi laitteella, joten ne ovat vain tällä sivulla. Pidä sivu auki: ne lähetetään automaattisesti, kun palvelu toimii taas.", "Webbläsaren låter inte Tahto behålla dina sparningar på enheten, så de finns bara på den här sidan. Håll sidan öppen: de skickas automatiskt när tjänsten fungerar igen.", "The browser does not let Tahto keep your saves on this device, so they are only on this page. Keep the page open: they will be sent automatically when the service works again."],
        ServiceDownPrint => ["Jos tarvitset tahtosi paperilla sillä välin, avaa se ja valitse Tulosta.", "Om du behöver din viljeyttring på papper under tiden, öppna den och välj Skriv ut.", "If you need your declaration on paper meanwhile, open it and choose Print."],
        ForgetExplain => ["Tahto poistaa tältä laitteelta kaiken, mitä se on säilyttänyt sinusta: keskeneräiset muutokset, kopiot tallennetuista tiedoistasi ja lähettämättömät tallennukset. Palveluun tallennettu säilyy.", "Tahto tar bort allt den har sparat om dig på den här enheten: osparade ändringar, kopior av dina sparade uppgifter och osända sparningar. Det som sparats i tjänsten finns kvar.", "Tahto removes everything it keeps about you on this device: unsaved changes, copies of your saved records and unsent saves. What is saved in the service stays there."],
        ForgetUnsent => ["Tahto poistaa tältä laitteelta kaiken, mitä se on säilyttänyt sinusta. {count} tallennusta ei ole vielä päässyt palveluun: lähetä ne ensin tai hylkää ne.", "Tahto tar bort allt den har sparat om dig på den här enheten. {count} sparningar har inte nått tjänsten ännu: skicka dem först eller kasta dem.", "Tahto removes everything it keeps about you on this device. {count} saves have not reached the service yet: send them first, or discard them."],
        SignOutExplain => ["Uloskirjautuminen poistaa tältä laitteelta kaiken, mitä Tahto on säilyttänyt sinusta, ja päättää kirjautumisesi.", "När du loggar ut tar Tahto bort allt den har sparat om dig på den här enheten, och din inloggning avslutas.", "Signing out removes from this device everything Tahto kept of you, and ends your sign-in."],
        SignOutUnsent => ["{count} tallennusta ei ole vielä päässyt palveluun. Lähetä ne ensin, säilytä ne tällä laitteella lähetettäviksi, kun kirjaudut seuraavan kerran, tai hylkää ne.", "{count} sparningar har ännu inte nått tjänsten. Skicka dem först, behåll dem på den här enheten så att de skickas nästa gång du loggar in, eller kasta dem.", "{count} saves have not reached the service yet. Send them first, keep them on this device to be sent the next time you sign in, or discard them."],
        SignOutUnsentOnlyHere => ["{count} tallennusta ei ole vielä päässyt palveluun, eikä selain anna Tahdon säilyttää niitä laitteella. Lähetä ne ensin tai hylkää ne.", "{count} sparningar har ännu inte nått tjänsten, och webbläsaren låter inte Tahto behålla dem på enheten. Skicka dem först eller kasta dem.", "{count} saves have not reached the service yet, and the browser does not let Tahto keep them on this device. Send them first, or discard them."],
        UnsentWaitOnYou => ["{count} tallennusta ei voi lähettää ennen kuin valitset: tietoa on muutettu toisaalla, tai kirjautumisesi on päättynyt. Katso ne Lähettämättömistä tallennuksista, tai valitse alta, mitä niille tehdään.", "{count} sparningar kan inte skickas förrän du väljer: uppgiften har ändrats på annat håll, eller din inloggning har gått ut. Se dem under Osända sparningar, eller välj nedan vad som ska göras med dem.", "{count} saves cannot be sent until you choose: the record was changed elsewhere, or your sign-in has ended. See them under Unsent saves, or choose below what to do with them."],
        SignOutNow => ["Kirjaudu ulos", "Logga ut", "Sign out"],
        SignOutSendFirst => ["Lähetä ne ensin, kirjaudu sitten ulos", "Skicka dem först, logga sedan ut", "Send them first, then sign out"],
        SignOutKeep => ["Säilytä ne tällä laitteella ja kirjaudu ulos", "Behåll dem på den här enheten och logga ut", "Keep them on this device and sign out"],
        SignOutDiscard => ["Hylkää ne ja kirjaudu ulos", "Kasta dem och logga ut", "Discard them and sign out"],
        SignOutDiscardYes => ["Kyllä, hylkää ja kirjaudu ulos", "Ja, kasta och logga ut", "Yes, discard and sign out"],
        SignOutWindowWaiting => ["Kirjaudutaan ulos… Tahto lähettää ensin tallennuksesi.", "Loggar ut… Tahto skickar först dina sparningar.", "Signing out… Tahto is sending your saves first."],
        SignOutWaiting => ["Odotetaan, että {count} tallennusta lähetetään. Kirjaudut ulos heti sen jälkeen.", "Väntar på att {count} sparningar skickas. Du loggas ut direkt efter det.", "Waiting for {count} saves to be sent. You are signed out right after."],
        ForgetSendFirst => ["Lähetä ne ensin, unohda sitten", "Skicka dem först, glöm sedan", "Send them first, then forget"],
        ForgetNow => ["Unohda laite", "Glöm enheten", "Forget the device"],
        ForgetDiscard => ["Hylkää ne ja unohda laite", "Kasta dem och glöm enheten", "Discard them and forget the device"],
        ForgetDiscardConfirm => ["Hylätäänkö {count} lähettämätöntä tallennusta? Ne eivät koskaan päädy palveluun.", "Kasta {count} osända sparningar? De når aldrig tjänsten.", "Discard {count} unsent saves? They will never reach the service."],
        ForgetDiscardYes => ["Kyllä, hylkää ja unohda", "Ja, kasta och glöm", "Yes, discard and forget"],
        ForgetDiscardNo => ["Ei, älä hylkää", "Nej, kasta inte", "No, do not discard"],
        ForgetWaiting => ["Odotetaan, että {count} tallennusta lähetetään. Laite unohdetaan heti sen jälkeen.", "Väntar på att {count} sparningar skickas. Enheten glöms direkt efter det.", "Waiting for {count} saves to be sent. The device is forgotten right after."],
        Forgotten => ["Tämä laite ei enää säilytä mitään tiedoistasi.", "Den här enheten sparar inte längre något om dig.", "This device no longer keeps anything of yours."],
        Cancel => ["Peruuta", "Avbryt", "Cancel"],
        UnsentAge => ["Tehty {time}", "Gjord {time}", "Made {time}"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(LaterText::ALL, &[]);
    }
}
