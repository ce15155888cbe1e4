//! Texts of the organ donation page: only the declarations part carries them.

use crate::domain::organ_donation::{DonationChoice, Organ};

crate::texts! {
    /// Texts of the organ donation page: only the declarations part carries them.
    pub enum OdText {
        OrganDonationIntro => ["Suomessa elimiä ja kudoksia voidaan luovuttaa kuoleman jälkeen, ellei vainaja ole eläessään sitä kieltänyt. Voit kirjata tähän suostumuksesi tai kieltosi ja muuttaa tahtoasi milloin tahansa. Kerro tahdostasi myös läheisillesi.", "I Finland kan organ och vävnader doneras efter döden om den avlidne inte under sin livstid har motsatt sig det. Här kan du registrera ditt samtycke eller förbud och ändra det när som helst. Berätta det också för dina närstående.", "In Finland, organs and tissues may be donated after death unless the person refused it while alive. Here you can record your consent or refusal, and change it at any time. Please also tell your family."],
        CurrentLoading => ["Haetaan tahtoasi…", "Ditt beslut hämtas…", "Loading your decision…"],
        CurrentNone => ["Et ole kirjannut elinluovutustahtoa.", "Du har inte registrerat något beslut.", "You have not recorded a decision."],
        CurrentRecorded => ["Kirjattu {time} · versio {version}", "Registrerat {time} · version {version}", "Recorded {time} · version {version}"],
        CurrentPending => ["Tallennetaan – ei vielä kirjattu.", "Sparas – inte registrerat ännu.", "Being saved — not recorded yet."],
        DecisionLegend => ["Tahtosi", "Ditt beslut", "Your decision"],
        ChoiceConsent => ["Suostun elinteni ja kudosteni luovuttamiseen", "Jag samtycker till donation av mina organ och vävnader", "I consent to donating my organs and tissues"],
        ChoiceRefuse => ["Kiellän elinteni ja kudosteni luovuttamisen", "Jag förbjuder donation av mina organ och vävnader", "I refuse donation of my organs and tissues"],
        ChoiceConsentExcept => ["Suostun, lukuun ottamatta valitsemiani elimiä ja kudoksia", "Jag samtycker, med undantag av de organ och vävnader jag väljer", "I consent, except for the organs and tissues I choose"],
        ExcludedLegend => ["Ei saa luovuttaa", "Får inte doneras", "Not to be donated"],
        OrganKidneys => ["Munuaiset", "Njurar", "Kidneys"],
        OrganLiver => ["Maksa", "Lever", "Liver"],
        OrganHeart => ["Sydän", "Hjärta", "Heart"],
        OrganLungs => ["Keuhkot", "Lungor", "Lungs"],
        OrganPancreas => ["Haima", "Bukspottkörtel", "Pancreas"],
        OrganSmallIntestine => ["Ohutsuoli", "Tunntarm", "Small intestine"],
        OrganCorneas => ["Sarveiskalvot", "Hornhinnor", "Corneas"],
        OrganSkin => ["Iho", "Hud", "Skin"],
        OrganBones => ["Luut", "Ben", "Bones"],
        OrganHeartValves => ["Sydänläpät", "Hjärtklaffar", "Heart valves"],
        ExcludedSummary => ["Ei saa luovuttaa: {organs}", "Får inte doneras: {organs}", "Not to be donated: {organs}"],
        NoteLabel => ["Lisätietoa (vapaaehtoinen)", "Tilläggsuppgifter (frivilligt)", "Additional note (optional)"],
        NoteHint => ["Esimerkiksi toive, josta haluat läheistesi ja lääkärien tietävän.", "Till exempel en önskan som du vill att dina närstående och läkarna ska känna till.", "For example a wish you want your family and the doctors to know."],
        NoteCleaned => ["Lisätiedoista poistettiin {count} näkymätöntä tai ohjausmerkkiä (esimerkiksi liitetystä tekstistä).", "{count} osynliga tecken eller styrtecken togs bort från tilläggsuppgifterna (till exempel från inklistrad text).", "{count} hidden or control characters were removed from the note (for example from pasted text)."],
        SaveDecision => ["Tallenna tahto", "Spara beslutet", "Save decision"],
        ProblemNoChoice => ["Valitse yksi yllä olevista vaihtoehdoista, niin voit tallentaa.", "Välj ett av alternativen ovan för att spara.", "Choose one of the options above to save."],
        ProblemNoOrgan => ["Valitse vähintään yksi elin tai kudos, tai valitse täysi suostumus.", "Välj minst ett organ eller en vävnad, eller välj fullt samtycke.", "Choose at least one organ or tissue, or choose full consent."],
        ProblemNoteTooLong => ["Lisätiedoissa on {count} merkkiä; enimmäismäärä on {max}.", "Tilläggsuppgifterna är {count} tecken långa; gränsen är {max}.", "The note is {count} characters long; the limit is {max}."],
        ConflictMine => ["Sinun versiosi (ei tallennettu)", "Din version (inte sparad)", "Your version (not saved)"],
        ConflictTheirs => ["Tallennettu muualla · versio {version}", "Sparad på annat håll · version {version}", "Saved elsewhere · version {version}"],
        KeepMine => ["Pidä minun versioni", "Behåll min version", "Keep mine"],
        TakeTheirs => ["Ota toinen versio", "Ta den andra versionen", "Take the other version"],
    }
}

impl OdText {
    pub fn choice(choice: DonationChoice) -> OdText {
        match choice {
            DonationChoice::Consent => OdText::ChoiceConsent,
            DonationChoice::Refuse => OdText::ChoiceRefuse,
            DonationChoice::ConsentExcept => OdText::ChoiceConsentExcept,
        }
    }

    pub fn organ(organ: Organ) -> OdText {
        match organ {
            Organ::Kidneys => OdText::OrganKidneys,
            Organ::Liver => OdText::OrganLiver,
            Organ::Heart => OdText::OrganHeart,
            Organ::Lungs => OdText::OrganLungs,
            Organ::Pancreas => OdText::OrganPancreas,
            Organ::SmallIntestine => OdText::OrganSmallIntestine,
            Organ::Corneas => OdText::OrganCorneas,
            Organ::Skin => OdText::OrganSkin,
            Organ::Bones => OdText::OrganBones,
            Organ::HeartValves => OdText::OrganHeartValves,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(OdText::ALL, &[]);
    }
}
