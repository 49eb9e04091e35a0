import { createServer, type Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { custosInChromium, expectAccessible, openContext, screenshot } from './browser.js';

const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('the consent banner on a website', () => {
  const suite = custosInChromium({ env: { CUSTOS_CONSENT_BANNER_DEMO: 'true' } });
  const opened: BrowserContext[] = [];

  beforeAll(async () => {
    const dpo = await actAs(suite.custos, 'dpo');
    const purposes = [
      { key: 'analytics', name: 'Analytics', legalBasis: 'consent', dataUses: ['analytics.reporting'] },
      {
        key: 'advertising',
        name: 'Personalised advertising',
        legalBasis: 'consent',
        dataUses: ['marketing.advertising'],
        ccpa: { sharing: true },
      },
      { key: 'essential', name: 'Running the shop', legalBasis: 'contract', dataUses: ['essential.service'] },
    ];
    for (const purpose of purposes) {
      const response = await suite.custos.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: dpo,
        payload: { ...purpose, text: `We use your data for ${purpose.name.toLowerCase()}.`, website: true },
      });
      expect(response.statusCode, response.body).toBe(201);
    }
  });
  afterAll(async () => {
    for (const context of opened) await context.close();
  });

  async function visit(options: { gpc?: boolean; url?: string } = {}) {
    const { context, page, problems } = await openContext(suite.browser, suite.custos.baseUrl);
    opened.push(context);
    if (options.gpc) {
      // What a browser with Global Privacy Control on exposes (Firefox, Brave, extensions).
      await context.addInitScript(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });",
      );
    }
    await page.goto(options.url ?? '/consent-demo');
    return { context, page, problems };
  }

  /** The visitor's verdicts as Custos has them, found by the visitor id the banner keeps. */
  async function verdictsOf(page: Page, purposes: string[]) {
    const visitorId = await page.evaluate(() =>
      (globalThis as unknown as { CustosConsent: { visitorId(): string } }).CustosConsent.visitorId(),
    );
    const { records, consentChecks } = suite.custos.runtime.services;
    const [subject] = await records.searchSubjects(system, { externalId: `custos-visitor:${visitorId}` });
    if (!subject) return undefined;
    const results = await consentChecks.check(subject.id, purposes);
    return Object.fromEntries(results.map((result) => [result.purpose, result.allowed]));
  }

  const banner = (page: Page) => page.getByRole('region', { name: 'Your privacy choices' });
  const dialog = (page: Page) => page.getByRole('dialog', { name: 'Privacy preferences' });

  it('shows the banner on a first visit, accessible, and runs the tagged script once analytics is allowed', async () => {
    const { page, problems } = await visit();
    await banner(page).waitFor();
    expect(await page.locator('#analytics-status').textContent()).toBe('Analytics has not run.');
    await expectAccessible(page, 'consent banner');
    await screenshot(page, 'consent-banner', { fullPage: false });

    await banner(page).getByRole('button', { name: 'Choose' }).click();
    await dialog(page).waitFor();
    await expectAccessible(page, 'consent preferences');
    await screenshot(page, 'consent-preferences', { fullPage: false });
    await dialog(page).getByLabel('Analytics').check();
    await dialog(page).getByRole('button', { name: 'Save choices' }).click();

    await page.locator('body[data-analytics="ran"]').waitFor();
    expect(await page.locator('#analytics-status').textContent()).toBe('Analytics ran.');
    expect(await verdictsOf(page, ['analytics', 'advertising'])).toEqual({
      analytics: true,
      advertising: false,
    });

    // The choice is remembered: no banner on the next page, and the script runs at once.
    await page.reload();
    await page.locator('body[data-analytics="ran"]').waitFor();
    expect(await banner(page).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it('honours Global Privacy Control: says so, and accepting all leaves sale and sharing off', async () => {
    const { page, problems } = await visit({ gpc: true });
    await banner(page).getByText('Global Privacy Control').waitFor();
    await banner(page).getByRole('button', { name: 'Choose' }).click();
    expect(
      await dialog(page)
        .getByLabel(/Personalised advertising/)
        .isChecked(),
    ).toBe(false);
    await dialog(page).getByText('Off because of Global Privacy Control').waitFor();
    await dialog(page).getByRole('button', { name: 'Accept all' }).click();
    await page.locator('body[data-analytics="ran"]').waitFor();
    expect(await verdictsOf(page, ['analytics', 'advertising'])).toEqual({
      analytics: true,
      advertising: false,
    });
    expect(problems).toEqual([]);
  });

  it('works with the keyboard alone: focus stays in the dialog, Escape closes it, choices save', async () => {
    const { page } = await visit();
    await banner(page).waitFor();
    // The focused control's name, looking into the banner's shadow root (evaluated in the page).
    const focused = () =>
      page.evaluate<string>(`(() => {
        let active = document.activeElement;
        while (active && active.shadowRoot && active.shadowRoot.activeElement) active = active.shadowRoot.activeElement;
        return active ? active.getAttribute('aria-label') || active.textContent.trim() || active.id : '';
      })()`);
    for (let presses = 0; presses < 12 && (await focused()) !== 'Choose'; presses++)
      await page.keyboard.press('Tab');
    expect(await focused()).toBe('Choose');
    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    // The first control is focused; Shift+Tab from it wraps to the last, Tab from the last back to it.
    const first = await focused();
    await page.keyboard.press('Shift+Tab');
    expect(await focused()).toBe('Close');
    await page.keyboard.press('Tab');
    expect(await focused()).toBe(first);
    await page.keyboard.press('Escape');
    expect(await dialog(page).count()).toBe(0);
    expect(await focused()).toBe('Choose');

    await page.keyboard.press('Enter');
    await dialog(page).waitFor();
    const tabTo = async (name: string) => {
      for (let presses = 0; presses < 8 && (await focused()) !== name; presses++)
        await page.keyboard.press('Tab');
      expect(await focused()).toBe(name);
    };
    await tabTo('custos-purpose-analytics');
    await page.keyboard.press('Space');
    await tabTo('Save choices');
    await page.keyboard.press('Enter');
    await page.locator('body[data-analytics="ran"]').waitFor();
    expect(await verdictsOf(page, ['analytics'])).toEqual({ analytics: true });
  });

  describe('on another site with a strict Content-Security-Policy', () => {
    let site: Server;
    let siteUrl: string;
    beforeAll(async () => {
      const custosOrigin = new URL(suite.custos.baseUrl).origin;
      site = createServer((request, response) => {
        if (request.url === '/analytics.js') {
          response.writeHead(200, { 'content-type': 'text/javascript' });
          response.end(`document.body.setAttribute('data-analytics', 'ran');`);
          return;
        }
        response.writeHead(200, {
          'content-type': 'text/html; charset=utf-8',
          // No inline scripts or styles at all; Custos is the one other origin allowed.
          'content-security-policy': `default-src 'none'; script-src 'self' ${custosOrigin}; connect-src ${custosOrigin}; style-src 'self'; base-uri 'none'`,
        });
        response.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Strict shop</title>
<script src="${custosOrigin}/consent.js" data-lang="de" async></script></head>
<body><h1>Strict shop</h1><script type="text/plain" data-custos-purpose="analytics" src="/analytics.js"></script></body></html>`);
      });
      await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
      siteUrl = `http://127.0.0.1:${(site.address() as { port: number }).port}/`;
    });
    afterAll(() => new Promise<void>((resolve) => site.close(() => resolve())));

    it('shows the banner in German, records the choice across origins and breaks no policy', async () => {
      const { page, problems } = await visit({ url: siteUrl });
      const german = page.getByRole('region', { name: 'Ihre Datenschutz-Einstellungen' });
      await german.waitFor();
      await german.getByRole('button', { name: 'Alle akzeptieren' }).click();
      await page.locator('body[data-analytics="ran"]').waitFor();
      expect(await verdictsOf(page, ['analytics', 'advertising'])).toEqual({
        analytics: true,
        advertising: true,
      });
      expect(problems).toEqual([]);
    });
  });
});
