// Deterministic demo data for Tahto: one invented Finnish citizen and her record.
// Everything here is fixed (ids, dates, values) so every start and every reset yields the same
// store; no Math.random, no Date.now. Names, codes and the identity code are fictional.

export const PATIENT_ID = 'helmi-esimerkki';
/** A second demo citizen with no records: another person using the same browser. */
export const SECOND_PATIENT_ID = 'matti-meikalainen';
export const NOTICE_URL = 'https://fhir.tahto.fi/notice/kanta-information/2026-10';
/** meta.lastUpdated of every seeded resource (versionId "1"). */
export const SEED_LAST_UPDATED = '2026-11-20T04:00:00.000Z';

const PAT = { reference: `Patient/${PATIENT_ID}`, display: 'Helmi Esimerkki' };
const LOINC = 'http://loinc.org';
const ATC = 'http://www.whocc.no/atc';
const UCUM = 'http://unitsofmeasure.org';
const INTERP = 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation';
const OBS_CAT = 'http://terminology.hl7.org/CodeSystem/observation-category';
const TAHTO = 'https://fhir.tahto.fi';

/** Finnish personal identity code check character (DDMMYYNNN mod 31). */
function hetu(ddmmyy, sep, individual) {
  const chars = '0123456789ABCDEFHJKLMNPRSTUVWXY';
  return `${ddmmyy}${sep}${individual}${chars[Number(ddmmyy + individual) % 31]}`;
}

/** Local Finnish time with a (simplified) EET/EEST offset: summer time April–October. */
function fiTime(date, time = '08:00') {
  const month = Number(date.slice(5, 7));
  return `${date}T${time}:00${month >= 4 && month <= 10 ? '+03:00' : '+02:00'}`;
}

const ref = (type, id, display) => ({ reference: `${type}/${id}`, ...(display ? { display } : {}) });

// ---- Organizations, practitioners, locations -------------------------------------------------

const ORG_HERVANTA = ref('Organization', 'org-hervanta', 'Tampereen kaupunki, Hervannan terveysasema');
const ORG_TAYS = ref('Organization', 'org-tays', 'Tays');
const ORG_FIMLAB = ref('Organization', 'org-fimlab', 'Fimlab Laboratoriot Oy');
const DR_LAAKSO = ref('Practitioner', 'pract-laakso', 'LL Anna Laakso');
const RN_VIRTANEN = ref('Practitioner', 'pract-virtanen', 'sh Mikko Virtanen');
const DR_NIEMINEN = ref('Practitioner', 'pract-nieminen', 'LT Juha Nieminen');
const LOC_HERVANTA = ref('Location', 'loc-hervanta', 'Hervannan terveysasema');
const LOC_TAYS = ref('Location', 'loc-tays-keskussairaala', 'Tays Keskussairaala');
const LOC_FIMLAB = ref('Location', 'loc-fimlab-hervanta', 'Fimlab näytteenotto, Hervanta');

function organizations() {
  const org = (id, name, alias, oidSuffix, city) => ({
    resourceType: 'Organization',
    id,
    identifier: [{ system: 'urn:oid:1.2.246.10', value: `1.2.246.10.9999${oidSuffix}` }],
    active: true,
    name,
    ...(alias ? { alias: [alias] } : {}),
    address: [{ city, country: 'FI' }],
  });
  return [
    org('org-hervanta', 'Tampereen kaupunki, Hervannan terveysasema', 'Hervannan terveysasema', '.1', 'Tampere'),
    org('org-tays', 'Tays', 'Tampereen yliopistollinen sairaala', '.2', 'Tampere'),
    org('org-fimlab', 'Fimlab Laboratoriot Oy', undefined, '.3', 'Tampere'),
  ];
}

function practitioners() {
  const pr = (id, family, given, prefix, qual) => ({
    resourceType: 'Practitioner',
    id,
    active: true,
    name: [{ family, given: [given], prefix: [prefix], text: `${prefix} ${given} ${family}` }],
    qualification: [{ code: { text: qual } }],
  });
  return [
    pr('pract-laakso', 'Laakso', 'Anna', 'LL', 'Yleislääketieteen erikoislääkäri'),
    pr('pract-virtanen', 'Virtanen', 'Mikko', 'sh', 'Sairaanhoitaja (AMK)'),
    pr('pract-nieminen', 'Nieminen', 'Juha', 'LT', 'Endokrinologian erikoislääkäri'),
  ];
}

function locations() {
  const loc = (id, name, line, postalCode, org) => ({
    resourceType: 'Location',
    id,
    status: 'active',
    name,
    address: { line: [line], postalCode, city: 'Tampere', country: 'FI' },
    managingOrganization: org,
  });
  return [
    loc('loc-hervanta', 'Hervannan terveysasema', 'Insinöörinkatu 38', '33720', ORG_HERVANTA),
    loc('loc-tays-keskussairaala', 'Tays Keskussairaala', 'Elämänaukio 2', '33520', ORG_TAYS),
    loc('loc-fimlab-hervanta', 'Fimlab näytteenotto, Hervanta', 'Insinöörinkatu 38', '33720', ORG_FIMLAB),
  ];
}

function patient() {
  return {
    resourceType: 'Patient',
    id: PATIENT_ID,
    identifier: [
      {
        use: 'official',
        // Finnish personal identity code OID; individual number 9xx is reserved for test codes.
        system: 'urn:oid:1.2.246.21',
        value: hetu('120478', '-', '946'),
      },
    ],
    active: true,
    name: [{ use: 'official', family: 'Esimerkki', given: ['Helmi'], text: 'Helmi Esimerkki' }],
    telecom: [
      { system: 'phone', value: '+358 50 000 0000', use: 'mobile' },
      { system: 'email', value: 'helmi.esimerkki@example.fi', use: 'home' },
    ],
    gender: 'female',
    birthDate: '1978-04-12',
    address: [
      { use: 'home', line: ['Esimerkkikatu 1 A 2'], postalCode: '33720', city: 'Tampere', country: 'FI' },
    ],
    communication: [
      {
        language: { coding: [{ system: 'urn:ietf:bcp:47', code: 'fi', display: 'suomi' }], text: 'suomi' },
        preferred: true,
      },
    ],
    generalPractitioner: [DR_LAAKSO],
    managingOrganization: ORG_HERVANTA,
  };
}

function secondPatient() {
  return {
    resourceType: 'Patient',
    id: SECOND_PATIENT_ID,
    identifier: [{ use: 'official', system: 'urn:oid:1.2.246.21', value: hetu('030385', '-', '957') }],
    active: true,
    name: [{ use: 'official', family: 'Meikäläinen', given: ['Matti'], text: 'Matti Meikäläinen' }],
    gender: 'male',
    birthDate: '1985-03-03',
    managingOrganization: ORG_HERVANTA,
  };
}

// ---- Prescriptions ----------------------------------------------------------------------------

function medicationRequests() {
  const mr = ({ id, status, atc, name, text, authored, validUntil, requester, quantity, unit, renewable, asNeeded }) => ({
    resourceType: 'MedicationRequest',
    id,
    ...(renewable !== undefined
      ? { extension: [{ url: `${TAHTO}/StructureDefinition/renewable`, valueBoolean: renewable }] }
      : {}),
    identifier: [{ system: `${TAHTO}/prescription-id`, value: `RX-${id.slice(3).toUpperCase()}` }],
    status,
    intent: 'order',
    medicationCodeableConcept: { coding: [{ system: ATC, code: atc, display: name }], text: name },
    subject: PAT,
    authoredOn: authored,
    requester,
    dosageInstruction: [{ text, ...(asNeeded ? { asNeededBoolean: true } : {}) }],
    dispenseRequest: {
      validityPeriod: { start: authored, end: validUntil },
      quantity: { value: quantity, unit, system: UCUM, code: unit === 'tabl' ? '{tbl}' : '{dose}' },
    },
  });
  return [
    mr({
      id: 'rx-atorvastatin-2025', status: 'active', atc: 'C10AA05', name: 'Atorvastatin 20 mg tabletti',
      text: '1 tabletti kerran vuorokaudessa illalla kolesterolin hoitoon.', authored: '2025-03-10',
      validUntil: '2027-03-10', requester: DR_LAAKSO, quantity: 300, unit: 'tabl', renewable: true,
    }),
    mr({
      id: 'rx-levothyroxin-2025', status: 'active', atc: 'H03AA01', name: 'Levothyroxin 50 mikrog tabletti',
      text: '1 tabletti aamulla tyhjään mahaan, puoli tuntia ennen aamiaista.', authored: '2025-09-02',
      validUntil: '2027-09-02', requester: DR_NIEMINEN, quantity: 300, unit: 'tabl', renewable: true,
    }),
    mr({
      id: 'rx-salbutamol-2024', status: 'active', atc: 'R03AC02', name: 'Salbutamol 0,1 mg/annos inhalaatiosumute',
      text: '1–2 annosta tarvittaessa hengenahdistukseen, enintään 8 annosta vuorokaudessa.',
      authored: '2024-12-05', validUntil: '2026-12-05', requester: DR_LAAKSO, quantity: 400, unit: 'annos',
      renewable: true, asNeeded: true,
    }),
    mr({
      id: 'rx-ibuprofen-2025', status: 'completed', atc: 'M01AE01', name: 'Ibuprofen 400 mg tabletti',
      text: '1 tabletti tarvittaessa kipuun, enintään 3 kertaa vuorokaudessa ruoan kanssa.',
      authored: '2025-06-12', validUntil: '2025-12-12', requester: DR_LAAKSO, quantity: 30, unit: 'tabl',
      renewable: false, asNeeded: true,
    }),
    mr({
      id: 'rx-amoksisilliini-2025', status: 'completed', atc: 'J01CA04', name: 'Amoksisilliini 500 mg tabletti',
      text: '1 tabletti 3 kertaa vuorokaudessa 7 päivän ajan.', authored: '2025-01-20', validUntil: '2025-02-20',
      requester: DR_LAAKSO, quantity: 21, unit: 'tabl', renewable: false,
    }),
    mr({
      id: 'rx-atorvastatin-2023', status: 'completed', atc: 'C10AA05', name: 'Atorvastatin 10 mg tabletti',
      text: '1 tabletti kerran vuorokaudessa illalla.', authored: '2023-03-08', validUntil: '2025-03-08',
      requester: DR_LAAKSO, quantity: 100, unit: 'tabl', renewable: false,
    }),
  ];
}

// ---- Laboratory results -----------------------------------------------------------------------

// Sample dates roughly every three months, 2024-11 … 2026-11.
const LAB_DATES = [
  '2024-11-14', '2025-02-13', '2025-05-15', '2025-08-14', '2025-11-13',
  '2026-02-12', '2026-05-14', '2026-08-13', '2026-11-12',
];

// Finnish test abbreviations, LOINC, UCUM, Fimlab-style reference ranges, and one fixed value per date.
const LAB_TESTS = [
  {
    key: 'ldl', abbr: 'P-Kol-LDL', loinc: '22748-8', display: 'Cholesterol in LDL [Moles/volume] in Serum or Plasma',
    unit: 'mmol/L', ucum: 'mmol/L', high: 3.0,
    values: [3.9, 4.1, 2.6, 2.4, 2.5, 2.3, 2.6, 2.4, 2.2],
  },
  {
    key: 'gluk', abbr: 'fP-Gluk', loinc: '14771-0', display: 'Fasting glucose [Moles/volume] in Serum or Plasma',
    unit: 'mmol/L', ucum: 'mmol/L', low: 4.0, high: 6.0,
    values: [5.7, 5.9, 6.2, 5.8, 5.6, 6.1, 5.8, 5.7, 5.9],
  },
  {
    key: 'hba1c', abbr: 'B-HbA1c', loinc: '59261-8', display: 'Hemoglobin A1c/Hemoglobin.total in Blood by IFCC protocol',
    unit: 'mmol/mol', ucum: 'mmol/mol', low: 20, high: 42,
    values: [39, 40, 41, 40, 39, 41, 43, 40, 39],
  },
  {
    key: 'tsh', abbr: 'P-TSH', loinc: '3016-3', display: 'Thyrotropin [Units/volume] in Serum or Plasma',
    unit: 'mU/l', ucum: 'm[IU]/L', low: 0.5, high: 3.6,
    values: [2.9, 3.4, 4.4, 5.8, 3.1, 2.2, 1.9, 2.0, 1.8],
  },
  {
    key: 'hb', abbr: 'B-Hb', loinc: '718-7', display: 'Hemoglobin [Mass/volume] in Blood',
    unit: 'g/l', ucum: 'g/L', low: 117, high: 155,
    values: [132, 128, 114, 121, 129, 134, 131, 130, 133],
  },
  {
    key: 'krea', abbr: 'P-Krea', loinc: '14682-9', display: 'Creatinine [Moles/volume] in Serum or Plasma',
    unit: 'µmol/l', ucum: 'umol/L', low: 50, high: 90,
    values: [64, 66, 63, 68, 65, 67, 70, 66, 69],
  },
];

function labObservations() {
  const out = [];
  LAB_DATES.forEach((date, i) => {
    for (const t of LAB_TESTS) {
      const value = t.values[i];
      const flag = t.high !== undefined && value > t.high ? 'H' : t.low !== undefined && value < t.low ? 'L' : undefined;
      const qty = (v) => ({ value: v, unit: t.unit, system: UCUM, code: t.ucum });
      out.push({
        resourceType: 'Observation',
        id: `lab-${t.key}-${date}`,
        identifier: [{ system: `${TAHTO}/lab-result-id`, value: `FIMLAB-${date.replaceAll('-', '')}-${t.key.toUpperCase()}` }],
        status: 'final',
        category: [{ coding: [{ system: OBS_CAT, code: 'laboratory', display: 'Laboratory' }] }],
        code: { coding: [{ system: LOINC, code: t.loinc, display: t.display }], text: t.abbr },
        subject: PAT,
        effectiveDateTime: fiTime(date, '07:45'),
        issued: `${date}T12:30:00.000Z`,
        performer: [ORG_FIMLAB],
        valueQuantity: qty(value),
        ...(flag
          ? {
              interpretation: [
                { coding: [{ system: INTERP, code: flag, display: flag === 'H' ? 'High' : 'Low' }], text: flag === 'H' ? 'Koholla' : 'Matala' },
              ],
            }
          : {}),
        referenceRange: [
          {
            ...(t.low !== undefined ? { low: qty(t.low) } : {}),
            ...(t.high !== undefined ? { high: qty(t.high) } : {}),
            text: t.low !== undefined ? `${t.low}–${t.high} ${t.unit}` : `< ${t.high} ${t.unit}`,
          },
        ],
      });
    }
  });
  return out;
}

function diagnosticReports() {
  // One report per sampling visit, grouping that day's results.
  return LAB_DATES.map((date) => ({
    resourceType: 'DiagnosticReport',
    id: `labreport-${date}`,
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0074', code: 'LAB', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC, code: '11502-2', display: 'Laboratory report' }], text: 'Laboratoriotutkimukset' },
    subject: PAT,
    effectiveDateTime: fiTime(date, '07:45'),
    issued: `${date}T12:30:00.000Z`,
    performer: [ORG_FIMLAB],
    result: LAB_TESTS.map((t) => ref('Observation', `lab-${t.key}-${date}`, t.abbr)),
  }));
}

// ---- Vaccinations -----------------------------------------------------------------------------

function immunizations() {
  const imm = (id, atc, name, date, lot, site, performer) => ({
    resourceType: 'Immunization',
    id,
    status: 'completed',
    vaccineCode: { coding: [{ system: ATC, code: atc, display: name }], text: name },
    patient: PAT,
    occurrenceDateTime: fiTime(date, '10:15'),
    recorded: fiTime(date, '10:20'),
    primarySource: true,
    location: LOC_HERVANTA,
    lotNumber: lot,
    site: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActSite', code: site, display: site === 'LA' ? 'left arm' : 'right arm' }] },
    route: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-RouteOfAdministration', code: 'IM', display: 'Injection, intramuscular' }] },
    performer: [{ actor: performer }],
  });
  return [
    imm('imm-influenssa-2024', 'J07BB02', 'Influenssarokote (inaktivoitu)', '2024-10-22', 'FLU24-0815', 'LA', RN_VIRTANEN),
    imm('imm-covid19-2024', 'J07BN01', 'COVID-19-rokote (mRNA)', '2024-11-05', 'CV24-3321', 'RA', RN_VIRTANEN),
    imm('imm-puutiaisaivokuume-2025', 'J07BA01', 'Puutiaisaivokuumerokote', '2025-04-15', 'TBE25-1102', 'LA', RN_VIRTANEN),
    imm('imm-dt-2025', 'J07AM51', 'Jäykkäkouristus-kurkkumätärokote (dT)', '2025-06-12', 'DT25-0447', 'LA', RN_VIRTANEN),
    imm('imm-influenssa-2025', 'J07BB02', 'Influenssarokote (inaktivoitu)', '2025-10-21', 'FLU25-1290', 'LA', RN_VIRTANEN),
    imm('imm-covid19-2025', 'J07BN01', 'COVID-19-rokote (mRNA)', '2025-11-04', 'CV25-5510', 'RA', RN_VIRTANEN),
  ];
}

// ---- Visits -----------------------------------------------------------------------------------

function encounters() {
  const V3 = 'http://terminology.hl7.org/CodeSystem/v3-ActCode';
  const enc = (id, cls, type, date, start, end, reason, who, org, loc) => ({
    resourceType: 'Encounter',
    id,
    status: 'finished',
    class: { system: V3, code: cls, display: cls === 'VR' ? 'virtual' : 'ambulatory' },
    type: [{ text: type }],
    subject: PAT,
    participant: [{ individual: who }],
    period: { start: fiTime(date, start), end: fiTime(date, end) },
    reasonCode: [{ text: reason }],
    ...(loc ? { location: [{ location: loc }] } : {}),
    serviceProvider: org,
  });
  return [
    enc('enc-2024-11-20', 'AMB', 'Lääkärin vastaanotto', '2024-11-20', '09:00', '09:30', 'Kolesterolin seuranta', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA),
    enc('enc-2025-01-20', 'VR', 'Etävastaanotto (video)', '2025-01-20', '13:00', '13:15', 'Poskiontelotulehdus', DR_LAAKSO, ORG_HERVANTA, undefined),
    enc('enc-2025-03-10', 'AMB', 'Lääkärin vastaanotto', '2025-03-10', '10:30', '11:00', 'Kolesterolilääkityksen aloitus', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA),
    enc('enc-2025-06-12', 'AMB', 'Sairaanhoitajan vastaanotto', '2025-06-12', '08:30', '08:50', 'Rokotus ja nilkan nyrjähdys', RN_VIRTANEN, ORG_HERVANTA, LOC_HERVANTA),
    enc('enc-2025-08-14', 'AMB', 'Laboratoriokäynti', '2025-08-14', '07:40', '07:50', 'Kontrollinäytteet', RN_VIRTANEN, ORG_FIMLAB, LOC_FIMLAB),
    enc('enc-2025-09-02', 'AMB', 'Poliklinikkakäynti, endokrinologia', '2025-09-02', '12:00', '12:40', 'Kilpirauhasen vajaatoiminta', DR_NIEMINEN, ORG_TAYS, LOC_TAYS),
    enc('enc-2026-02-19', 'AMB', 'Sairaanhoitajan vastaanotto', '2026-02-19', '14:00', '14:20', 'Astman vuosikontrolli', RN_VIRTANEN, ORG_HERVANTA, LOC_HERVANTA),
    enc('enc-2026-09-08', 'AMB', 'Lääkärin vastaanotto', '2026-09-08', '09:30', '10:00', 'Vuositarkastus', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA),
  ];
}

// ---- Who viewed my data -----------------------------------------------------------------------

function auditEvents() {
  const DCM = 'http://dicom.nema.org/resources/ontology/DCM';
  const REASON = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';
  const ev = (n, when, who, org, loc, purpose, what) => ({
    resourceType: 'AuditEvent',
    id: `audit-${String(n).padStart(2, '0')}`,
    type: { system: DCM, code: '110110', display: 'Patient Record' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'read', display: 'read' }],
    action: 'R',
    recorded: when,
    outcome: '0',
    purposeOfEvent: [{ coding: [{ system: REASON, code: purpose, display: purpose === 'TREAT' ? 'treatment' : 'emergency treatment' }] }],
    agent: [
      {
        type: { coding: [{ system: DCM, code: '110153', display: 'Source Role ID' }], text: org.display },
        who,
        requestor: true,
        location: loc,
        purposeOfUse: [
          { coding: [{ system: REASON, code: purpose, display: purpose === 'TREAT' ? 'treatment' : 'emergency treatment' }], text: purpose === 'TREAT' ? 'Hoitosuhde' : 'Kiireellinen hoito' },
        ],
      },
    ],
    source: { site: org.display, observer: org },
    entity: [{ what: PAT, name: what }],
  });
  return [
    ev(1, '2024-11-20T07:05:12.000Z', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Laboratoriotulokset'),
    ev(2, '2025-01-20T11:02:40.000Z', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Lääkitys'),
    ev(3, '2025-03-10T08:31:05.000Z', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Laboratoriotulokset'),
    ev(4, '2025-06-12T05:33:18.000Z', RN_VIRTANEN, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Rokotukset'),
    ev(5, '2025-09-02T09:01:51.000Z', DR_NIEMINEN, ORG_TAYS, LOC_TAYS, 'TREAT', 'Laboratoriotulokset'),
    ev(6, '2025-09-02T09:04:27.000Z', DR_NIEMINEN, ORG_TAYS, LOC_TAYS, 'TREAT', 'Lääkitys'),
    ev(7, '2025-12-28T21:47:09.000Z', DR_NIEMINEN, ORG_TAYS, LOC_TAYS, 'ETREAT', 'Hoitokertomus'),
    ev(8, '2026-02-19T12:02:33.000Z', RN_VIRTANEN, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Lääkitys'),
    ev(9, '2026-09-08T06:28:44.000Z', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Laboratoriotulokset'),
    ev(10, '2026-09-08T06:35:02.000Z', DR_LAAKSO, ORG_HERVANTA, LOC_HERVANTA, 'TREAT', 'Hoitokertomus'),
  ];
}

// ---- The current "Kanta information" notice ---------------------------------------------------

/** The notice in the three languages of the service; every attachment names the same version. */
export const NOTICE_TEXT = {
  fi: [
    'Terveydenhuolto tallentaa tietosi Kanta-palveluihin. Voit katsoa omia tietojasi OmaKannassa.',
    'Tietojasi voidaan luovuttaa hoitoasi varten toiselle terveydenhuollon toimijalle, ellet ole kieltänyt sitä.',
    'Voit antaa tai perua suostumuksen ja kieltoja milloin tahansa. Kiireellisessä hoidossa tietojasi voidaan katsoa ilman suostumusta, ja katselusta jää aina lokimerkintä, jonka voit tarkistaa.',
    'Ennen kuin voit tallentaa tahdonilmaisuja, vahvista lukeneesi tämän informaation.',
  ].join('\n\n'),
  sv: [
    'Hälso- och sjukvården sparar dina uppgifter i Kanta-tjänsterna. Du kan se dina egna uppgifter i MittKanta.',
    'Dina uppgifter kan lämnas ut till en annan vårdgivare för din vård, om du inte har förbjudit det.',
    'Du kan ge eller återkalla samtycken och förbud när som helst. Vid brådskande vård kan dina uppgifter ses utan samtycke, och varje visning loggas så att du kan kontrollera den.',
    'Innan du kan spara viljeyttringar ska du bekräfta att du har läst denna information.',
  ].join('\n\n'),
  en: [
    'Health care stores your data in the Kanta services. You can view your own data in My Kanta.',
    'Your data can be disclosed to another health care provider for your care, unless you have refused it.',
    'You can give or withdraw consents and refusals at any time. In urgent care your data can be viewed without consent, and every viewing is logged so that you can check it.',
    'Before you can save declarations of intent, confirm that you have read this information.',
  ].join('\n\n'),
};

const NOTICE_TITLE = {
  fi: 'Kanta-palvelujen informaatio (lokakuu 2026)',
  sv: 'Information om Kanta-tjänsterna (oktober 2026)',
  en: 'Information about the Kanta services (October 2026)',
};

/** The "Kanta information" notice of version `url` (tests publish a new version with it). */
export function notice(url = NOTICE_URL, date = '2026-10-01T09:00:00+03:00') {
  return {
    resourceType: 'DocumentReference',
    id: 'kanta-information-notice',
    status: 'current',
    type: {
      coding: [{ system: `${TAHTO}/CodeSystem/notice`, code: 'kanta-information', display: 'Kanta-palvelujen informaatio' }],
      text: 'Kanta-palvelujen informaatio',
    },
    date,
    description: `Kanta-palvelujen informaatio, versio ${url.split('/').pop()}`,
    content: ['fi', 'sv', 'en'].map((language) => ({
      attachment: {
        contentType: 'text/plain; charset=utf-8',
        language,
        url,
        title: NOTICE_TITLE[language],
        data: Buffer.from(NOTICE_TEXT[language], 'utf8').toString('base64'),
        creation: date,
      },
    })),
  };
}

/**
 * The citizen's confirmation that they read notice version `url`, as the app writes it: what tests
 * and benchmarks post when the citizen "read the notice earlier" (the declarations are then open).
 */
export function noticeConfirmation(patientId = PATIENT_ID, url = NOTICE_URL) {
  return {
    resourceType: 'Consent',
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '57016-8' }] }],
    patient: { reference: `Patient/${patientId}` },
    dateTime: new Date().toISOString(),
    policy: [{ uri: url }],
    provision: { type: 'permit' },
  };
}

/**
 * The demo store: a fresh array of fresh objects on every call (callers may mutate).
 * Deliberately contains no organ donation Consent and no read-confirmation Consent.
 */
export function seedResources() {
  return [
    ...organizations(),
    ...practitioners(),
    ...locations(),
    patient(),
    secondPatient(),
    ...medicationRequests(),
    ...labObservations(),
    ...diagnosticReports(),
    ...immunizations(),
    ...encounters(),
    ...auditEvents(),
    notice(),
  ];
}
