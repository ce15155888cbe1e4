// The "Kanta information" notice and the gate it puts on declarations, end to end: the real FHIR
// server behind the fault proxy, the app in Chromium, the server read directly.
import { test, expect } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  APP_UNKNOWN_PATIENT_URL,
  APP_URL,
  HEADINGS,
  gotoSection,
  clearFaults,
  LOAD_TIMEOUT,
  NOTICE_URL,
  UNKNOWN_PATIENT_ID,
  confirmNoticeOnServer,
  consentWrites,
  formatAxeViolations,
  freshServerPerTest,
  header,
  noticeConfirmations,
  noticePage,
  organDonationPage,
  parseBody,
  publishNotice,
  sentSince,
  setFaults, navTo } from './helpers.mjs';

const NOTICE_V2 = 'https://fhir.tahto.fi/notice/kanta-information/2027-01';

const { sentFrom } = freshServerPerTest(test);

/** Opens the app without a confirmation on the server: the declaration is locked. */
async function openLocked(page, baseUrl = APP_URL) {
  await gotoSection(page, HEADINGS.en, baseUrl);
  const ui = organDonationPage(page);
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await expect(ui.locked).toBeVisible({ timeout: LOAD_TIMEOUT });
  return ui;
}

async function expectLocked(ui) {
  await expect(ui.locked).toBeVisible({ timeout: LOAD_TIMEOUT });
  await expect(ui.locked).toContainText('First confirm the information about the Kanta services');
  await expect(ui.saveButton, 'nothing can be saved while locked').toBeHidden();
  await expect(ui.radio('consent')).toBeHidden();
}

async function expectOpen(ui) {
  await expect(ui.locked).toBeHidden({ timeout: LOAD_TIMEOUT });
  await expect(ui.radio('consent')).toBeVisible({ timeout: LOAD_TIMEOUT });
}

/** The read-confirmations the app sent since the test began. */
async function confirmationWrites() {
  return consentWrites(await sentSince(sentFrom())).filter((w) =>
    parseBody(w)?.category?.some((c) => c.coding?.some((x) => x.code === '57016-8')),
  );
}

test('declarations are locked until the notice is confirmed; the confirmation is a Consent the server holds, and it lasts', async ({ page }) => {
  const ui = await openLocked(page);
  await expectLocked(ui);

  await ui.page.getByRole('button', { name: 'Read the information about the Kanta services', exact: true }).click();
  const notice = noticePage(page);
  await expect(notice.heading).toHaveText('Information about the Kanta services');
  await expect(notice.notice).toContainText('Information about the Kanta services (October 2026)');
  await expect(notice.notice).toContainText('Before you can save declarations of intent');
  await expect(ui.nav('Information about the Kanta services')).toHaveAttribute('aria-current', 'page');

  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', /^(saving|confirmed)$/);
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: 20_000 });
  await expect(notice.saveStatus).toContainText(/Saved at \d{2}[:.]\d{2}\s*·\s*version 1/);
  await expect(notice.confirmed).toBeVisible();
  await expect(notice.confirm).toBeHidden();

  // What the server holds, and how it was sent (an idempotent create).
  const held = await noticeConfirmations();
  expect(held, 'one read-confirmation on the server').toHaveLength(1);
  expect(held[0].status).toBe('active');
  expect(held[0].policy?.[0]?.uri, 'it names the notice version read').toBe(NOTICE_URL);
  expect(held[0].patient?.reference).toBe('Patient/helmi-esimerkki');
  const writes = await confirmationWrites();
  expect(writes).toHaveLength(1);
  const identifier = parseBody(writes[0]).identifier?.[0]?.value;
  expect(identifier).toMatch(/^urn:uuid:/);
  expect(decodeURIComponent(header(writes[0], 'If-None-Exist'))).toBe(`identifier=urn:ietf:rfc:3986|${identifier}`);

  await navTo(ui.page, 'Organ donation decision');
  await expectOpen(ui);

  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await expectOpen(ui);
  expect(await noticeConfirmations(), 'nothing more was sent').toHaveLength(1);
});

test('a new version of the notice locks declarations again until it is confirmed', async ({ page }) => {
  await confirmNoticeOnServer(NOTICE_URL);
  await gotoSection(page, HEADINGS.en);
  const ui = organDonationPage(page);
  await expectOpen(ui);

  await publishNotice(NOTICE_V2, '2027-01-15T09:00:00+02:00');
  await page.reload();
  await expectLocked(ui);

  await navTo(ui.page, 'Information about the Kanta services');
  const notice = noticePage(page);
  await expect(notice.notice).toContainText('Version published 15/01/2027');
  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: 20_000 });
  await navTo(ui.page, 'Organ donation decision');
  await expectOpen(ui);

  const versions = (await noticeConfirmations()).map((c) => c.policy?.[0]?.uri).sort();
  expect(versions, 'each version read is confirmed on its own').toEqual([NOTICE_URL, NOTICE_V2].sort());
});

test('a confirmation that has not reached the service keeps declarations locked, then opens them once stored', async ({ page }) => {
  const ui = await openLocked(page);
  await setFaults({ method: 'POST', path: '/Consent', fault: 'status', status: 503, retryAfter: 2, times: 1 });
  await navTo(ui.page, 'Information about the Kanta services');
  const notice = noticePage(page);
  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: 10_000 });
  await expect(notice.saveStatus).toContainText('(HTTP 503)');

  // The optimistic confirmation does not open the gate: only a stored one does.
  await navTo(ui.page, 'Organ donation decision');
  await expectLocked(ui);
  expect(await noticeConfirmations()).toHaveLength(0);

  // The automatic retry stores it; the declaration opens without a reload.
  await expectOpen(ui);
  const held = await noticeConfirmations();
  expect(held).toHaveLength(1);
  const writes = await confirmationWrites();
  expect(writes.length, 'the 503 and one retry').toBe(2);
  expect(parseBody(writes[1]).identifier?.[0]?.value, 'the retry is the same create').toBe(
    parseBody(writes[0]).identifier?.[0]?.value,
  );
});

test('a confirmation that waited offline while another device confirmed the same version is confirmed as that one, not made twice', async ({ page }) => {
  const ui = await openLocked(page);
  await navTo(ui.page, 'Information about the Kanta services');
  const notice = noticePage(page);
  await expect(notice.confirm).toBeVisible({ timeout: LOAD_TIMEOUT });
  await page.context().setOffline(true);
  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'queued', { timeout: 10_000 });

  // Meanwhile the citizen confirms the same version on another device.
  await confirmNoticeOnServer(NOTICE_URL);
  const [theirs] = await noticeConfirmations();

  await page.context().setOffline(false);
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: LOAD_TIMEOUT });
  await expect(notice.confirmed).toBeVisible();
  const held = await noticeConfirmations();
  expect(held, 'one confirmation of the version').toHaveLength(1);
  expect(held[0].id).toBe(theirs.id);
  expect(await confirmationWrites(), 'looked for it, sent none').toEqual([]);
  await navTo(ui.page, 'Organ donation decision');
  await expectOpen(ui);
});

test('a 400 from the real server (unknown patient) is shown in its own words; declarations stay locked, nothing stored', async ({ page }) => {
  const ui = await openLocked(page, APP_UNKNOWN_PATIENT_URL);
  await navTo(ui.page, 'Information about the Kanta services');
  const notice = noticePage(page);
  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'rejected', { timeout: 20_000 });
  await expect(notice.saveStatus).toContainText('The service did not accept');
  await expect(notice.saveStatus).toContainText(UNKNOWN_PATIENT_ID);
  await expect(notice.saveStatus).not.toContainText('Saved at');
  await expect(notice.confirm, 'the citizen can try again').toBeVisible();

  await navTo(ui.page, 'Organ donation decision');
  await expectLocked(ui);
  expect(await noticeConfirmations(UNKNOWN_PATIENT_ID)).toHaveLength(0);
});

test('when the check cannot be made, a confirmation this device has seen still counts; otherwise the declaration stays locked with the reason', async ({ page }) => {
  const noticeDown = { method: 'GET', path: '/DocumentReference', fault: 'status', status: 503, times: null };

  // Never confirmed: locked, saying why, with a way to try again.
  await setFaults(noticeDown);
  const ui = await openLocked(page);
  await expect(ui.locked).toContainText('Your confirmation could not be checked');
  await expect(ui.locked).toContainText('(HTTP 503)');
  await expect(ui.radio('consent')).toBeHidden();
  await clearFaults();
  await ui.locked.getByRole('button', { name: 'Try again', exact: true }).click();
  await expect(ui.locked).toContainText('First confirm the information about the Kanta services');

  // Confirmed on the server and seen by this device: the service failing later does not lock it.
  await confirmNoticeOnServer();
  await page.reload();
  await expectOpen(ui);
  await setFaults(noticeDown);
  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await expectOpen(ui);
});

test('a confirmation seen of an older notice does not count once a newer one is known, even when the confirmations cannot be read', async ({ page }) => {
  await confirmNoticeOnServer(NOTICE_URL);
  await gotoSection(page, HEADINGS.en);
  const ui = organDonationPage(page);
  await expectOpen(ui);

  // A new version is published, and the citizen's confirmations cannot be read: the notice can.
  await publishNotice(NOTICE_V2, '2027-01-15T09:00:00+02:00');
  await setFaults({ method: 'GET', path: '/Consent', fault: 'status', status: 503, times: null });
  await page.reload();
  await expect(ui.heading).toHaveText(HEADINGS.en, { timeout: LOAD_TIMEOUT });
  await expect(ui.locked).toContainText('Your confirmation could not be checked', { timeout: LOAD_TIMEOUT });
  await expect(ui.radio('consent'), 'the version seen confirmed is not the current one').toBeHidden();

  // The notice page shows the new version and says why nothing is confirmed. It offers no
  // confirmation until the confirmations are read (one may be there already): Try again.
  await navTo(ui.page, 'Information about the Kanta services');
  const notice = noticePage(page);
  await expect(notice.notice).toContainText('Version published 15/01/2027');
  await expect(notice.root.getByText('Your confirmation could not be checked: ')).toBeVisible();
  await expect(notice.confirm).toBeHidden();
  await clearFaults();
  await notice.root.getByRole('button', { name: 'Try again', exact: true }).click();
  await notice.confirm.click();
  await expect(notice.saveStatus).toHaveAttribute('data-state', 'confirmed', { timeout: 20_000 });
  await navTo(ui.page, 'Organ donation decision');
  // Unlocked at once (the page's own read failed in the outage: it is read again on a reload).
  await expect(ui.locked).toBeHidden({ timeout: LOAD_TIMEOUT });
  await page.reload();
  await expectOpen(ui);
});

for (const lang of ['en', 'fi', 'sv']) {
  test(`accessibility (axe): no violations on the notice and the locked declaration in ${lang}`, async ({ page }, testInfo) => {
    const ui = await openLocked(page);
    if (lang !== 'en') await ui.languageButton(lang).click();
    const report = [];
    const check = async (name) => {
      const results = await new AxeBuilder({ page }).analyze();
      await testInfo.attach(`axe-${lang}-${name}`, { body: JSON.stringify(results.violations, null, 2), contentType: 'application/json' });
      if (results.violations.length > 0) report.push(`axe (${lang}, ${name}):\n${formatAxeViolations(results.violations)}`);
    };
    await check('locked');
    // In any language: "All sections", then its first entry (the notice).
    await page.locator('.tahto-nav-more button').click();
    await page.locator('.tahto-nav-all a').first().click();
    await expect(noticePage(page).notice).toBeVisible();
    await expect(noticePage(page).notice.locator('div[lang]'), 'the text is marked with its language').toHaveAttribute('lang', lang);
    await check('notice');
    expect(report, report.join('\n')).toEqual([]);
  });
}

test('screenshots of the locked declaration and the notice at 360 px and 1280 px', async ({ page }, testInfo) => {
  const dir = path.join(testInfo.project.outputDir, 'screenshots');
  await mkdir(dir, { recursive: true });
  const shot = async (name, width) => {
    await page.setViewportSize({ width, height: width < 400 ? 740 : 900 });
    const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
    expect(scrollWidth, `no horizontal scrolling at ${width} px`).toBeLessThanOrEqual(width);
    const file = path.join(dir, `kanta-notice-${name}-${width}.png`);
    await page.screenshot({ path: file, fullPage: true });
    await testInfo.attach(`${name}-${width}`, { path: file, contentType: 'image/png' });
  };
  const ui = await openLocked(page);
  for (const width of [360, 1280]) await shot('locked', width);
  await navTo(ui.page, 'Information about the Kanta services');
  await expect(noticePage(page).notice).toBeVisible();
  for (const width of [360, 1280]) await shot('notice', width);
});
