//! Texts of the health records part: prescriptions, lab results, vaccinations, visits, the
//! access log and own measurements.

crate::texts! {
    /// A text of the health records sections.
    pub enum RecordsText {
        Loading => ["Haetaan tietoja…", "Hämtar uppgifter…", "Fetching your data…"],
        LoadFailed => ["Tietoja ei voitu hakea: {why}", "Uppgifterna kunde inte hämtas: {why}", "Your data could not be fetched: {why}"],
        Empty => ["Ei merkintöjä.", "Inga anteckningar.", "Nothing recorded."],
        ShowMore => ["Näytä lisää ({count} jäljellä)", "Visa fler ({count} kvar)", "Show more ({count} left)"],
        LoadOlder => ["Hae vanhempia", "Hämta äldre", "Fetch older ones"],
        PrescriptionsIntro => ["Voimassa olevat ja päättyneet reseptisi. Uusittavan reseptin voit pyytää uusimaan täältä.", "Dina giltiga och avslutade recept. Ett recept som kan förnyas kan du be om att förnya här.", "Your valid and past prescriptions. You can ask for a renewable prescription to be renewed here."],
        ActiveHeading => ["Voimassa olevat", "Giltiga", "Valid"],
        PastHeading => ["Päättyneet", "Avslutade", "Past"],
        Dosage => ["Annostus", "Dosering", "Dosage"],
        Prescribed => ["Määrätty {date}, {who}", "Förskrivet {date}, {who}", "Prescribed {date} by {who}"],
        ValidUntil => ["Voimassa {date} asti", "Giltigt till {date}", "Valid until {date}"],
        RequestRenewal => ["Pyydä uusimista", "Be om förnyelse", "Ask for renewal"],
        RenewalRequested => ["Uusimispyyntö lähetetty {date}. Se käsitellään yleensä muutamassa päivässä.", "Begäran om förnyelse skickad {date}. Den behandlas vanligen inom några dagar.", "Renewal requested on {date}. It is usually handled within a few days."],
        RenewalAccepted => ["Uusimispyyntö hyväksytty ({date}).", "Begäran om förnyelse godkänd ({date}).", "Renewal request accepted ({date})."],
        RenewalRejected => ["Uusimispyyntöä ({date}) ei hyväksytty. Ota yhteyttä terveysasemaasi.", "Begäran om förnyelse ({date}) godkändes inte. Kontakta din hälsocentral.", "The renewal request of {date} was not accepted. Please contact your health centre."],
        RenewalExpired => ["Uusimispyyntöä ({date}) ei käsitelty 8 päivässä, joten se vanheni. Voit pyytää uudelleen.", "Begäran om förnyelse ({date}) behandlades inte inom 8 dagar och har gått ut. Du kan be igen.", "The renewal request of {date} was not handled within 8 days and has expired. You can ask again."],
        LabIntro => ["Tulokset tutkimuksittain: uusin tulos, viitearvot ja kehitys kuvana. Poikkeavat tulokset on merkitty sanalla ja merkillä.", "Resultaten per undersökning: det senaste, referensvärdena och utvecklingen som bild. Avvikande resultat är märkta med ord och tecken.", "Results by test: the latest, the reference range and the history as a chart. Results outside the range are marked in words and with a sign."],
        Latest => ["Uusin {value} ({date})", "Senaste {value} ({date})", "Latest {value} ({date})"],
        ReferenceRange => ["Viitearvot {range}", "Referensvärden {range}", "Reference range {range}"],
        High => ["▲ Koholla", "▲ Förhöjt", "▲ High"],
        Low => ["▼ Matala", "▼ Lågt", "▼ Low"],
        Abnormal => ["● Poikkeava", "● Avvikande", "● Abnormal"],
        Normal => ["Viitealueella", "Inom referensområdet", "Within range"],
        ChartLabel => ["{test}: {count} tulosta {from}–{to}, pienin {min}, suurin {max}", "{test}: {count} resultat {from}–{to}, lägsta {min}, högsta {max}", "{test}: {count} results {from}–{to}, lowest {min}, highest {max}"],
        ChartLabelLatest => ["{test}: viimeisimmät {count}/{total} tulosta {from}–{to}, pienin {min}, suurin {max}", "{test}: de senaste {count} av {total} resultat {from}–{to}, lägsta {min}, högsta {max}", "{test}: the latest {count} of {total} results {from}–{to}, lowest {min}, highest {max}"],
        ChartLatest => ["Kaaviossa viimeisimmät {count}/{total} tulosta; kaikki ovat taulukossa.", "Diagrammet visar de senaste {count} av {total} resultat; alla finns i tabellen.", "The chart shows the latest {count} of {total} results; all of them are in the table."],
        HistoryHeading => ["Kaikki tulokset", "Alla resultat", "All results"],
        Date => ["Päivä", "Datum", "Date"],
        Result => ["Tulos", "Resultat", "Result"],
        Interpretation => ["Tulkinta", "Tolkning", "Interpretation"],
        VaccinationsIntro => ["Saamasi rokotukset.", "Vaccinationer du har fått.", "The vaccinations you have had."],
        Batch => ["Eränumero {lot}", "Tillverkningsparti {lot}", "Batch {lot}"],
        GivenBy => ["Antaja: {who}", "Givet av: {who}", "Given by: {who}"],
        VisitsIntro => ["Käyntisi terveydenhuollossa.", "Dina besök inom hälso- och sjukvården.", "Your visits to health care."],
        Reason => ["Syy: {reason}", "Orsak: {reason}", "Reason: {reason}"],
        Where => ["Paikka: {place}", "Plats: {place}", "Place: {place}"],
        AccessIntro => ["Kuka on katsonut tietojasi, milloin ja miksi. Jos jokin katselu näyttää aiheettomalta, voit pyytää selvitystä terveysasemaltasi.", "Vem har sett dina uppgifter, när och varför. Om en visning verkar obefogad kan du begära en utredning av din hälsocentral.", "Who has viewed your data, when and why. If a viewing looks unjustified, you can ask your health centre to look into it."],
        Viewed => ["Katsoi: {what}", "Såg: {what}", "Viewed: {what}"],
        Purpose => ["Peruste: {purpose}", "Grund: {purpose}", "Purpose: {purpose}"],
        Emergency => ["Kiireellinen hoito", "Brådskande vård", "Emergency care"],
        MeasurementsIntro => ["Kirjaa kotona mittaamasi arvot. Ne tallentuvat terveystietoihisi, joissa myös sinua hoitavat ammattilaiset voivat nähdä ne. Niitä ei seurata jatkuvasti: jos arvo huolestuttaa, ota yhteyttä hoitopaikkaasi.", "Registrera värden du har mätt hemma. De sparas bland dina hälsouppgifter, där också de yrkespersoner som vårdar dig kan se dem. De övervakas inte fortlöpande: kontakta din vårdenhet om ett värde oroar dig.", "Record the values you measured at home. They are saved in your health records, where the professionals treating you can also see them. Nobody monitors them continuously: if a value worries you, contact your care provider."],
        KindLegend => ["Mittaus", "Mätning", "Measurement"],
        BloodPressure => ["Verenpaine", "Blodtryck", "Blood pressure"],
        Weight => ["Paino", "Vikt", "Weight"],
        Glucose => ["Verensokeri", "Blodsocker", "Blood glucose"],
        Systolic => ["Yläpaine (mmHg)", "Övertryck (mmHg)", "Systolic (mmHg)"],
        Diastolic => ["Alapaine (mmHg)", "Undertryck (mmHg)", "Diastolic (mmHg)"],
        WeightKg => ["Paino (kg)", "Vikt (kg)", "Weight (kg)"],
        GlucoseMmol => ["Verensokeri (mmol/l)", "Blodsocker (mmol/l)", "Blood glucose (mmol/l)"],
        SaveMeasurement => ["Tallenna mittaus", "Spara mätningen", "Save measurement"],
        NotANumber => ["Kirjoita arvo numeroina, esimerkiksi 72,5.", "Skriv värdet med siffror, till exempel 72,5.", "Enter the value in numbers, for example 72.5."],
        OutOfRange => ["{field}: {value} ei ole mahdollinen arvo. Tarkista lukema: sallittu väli on {min}–{max}.", "{field}: {value} är inte ett möjligt värde. Kontrollera mätningen: tillåtet intervall är {min}–{max}.", "{field}: {value} is not a possible value. Please check the reading: the allowed range is {min}–{max}."],
        SystolicNotAbove => ["Yläpaineen pitää olla suurempi kuin alapaineen. Menivätkö arvot ristiin?", "Övertrycket ska vara högre än undertrycket. Blev värdena omkastade?", "The systolic value must be higher than the diastolic. Were the two swapped?"],
        EarlierMeasurements => ["Aiemmat mittaukset", "Tidigare mätningar", "Earlier measurements"],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_text_is_complete_in_every_language() {
        crate::i18n::check_texts(RecordsText::ALL, &[]);
    }
}
