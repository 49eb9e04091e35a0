import { faker } from '@faker-js/faker';

import { describe, expect, it } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(1302);

describe('alerts in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_LOGIN_MAX_FAILURES: '2' } });

  it('shows open alerts on the dashboard, and lets security acknowledge and resolve them by keyboard', async () => {
    const { custos, browser } = suite;
    // A locked account (the real source: failed logins, from one network, which alone is then refused) and
    // a critical alert raised as a source would.
    const locked = await createOperator(custos, { roles: ['privacy_agent'] });
    const network = faker.internet.ipv4();
    for (const attempt of [1, 2]) {
      await custos.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: locked.email, password: `wrong-${attempt}-password` },
        remoteAddress: network,
      });
    }
    await custos.runtime.database.db.transaction().execute((tx) =>
      custos.runtime.services.alerts.raise(tx, {
        kind: 'vault.mass_reveal',
        summary: 'An API key read the records of more than 100 subjects in clear within 10 minutes.',
        target: { type: 'api_key', id: faker.string.uuid() },
        details: { distinctSubjects: 101, threshold: 100, windowSeconds: 600 },
      }),
    );

    const security = await createOperator(custos, { roles: ['security'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: security.email, password: security.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // The dashboard: severity in words, not only in colour.
    const recent = page.getByRole('region', { name: 'Recent alerts' });
    await recent.getByText('Possible exfiltration').waitFor();
    await recent.getByText('Operator account locked').waitFor();
    await recent.getByText('Critical', { exact: true }).waitFor();
    await recent.getByText('Warning', { exact: true }).waitFor();
    expect(await recent.textContent()).not.toContain(locked.email);
    await expectAccessible(page, 'dashboard with alerts');

    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    await page.getByRole('heading', { level: 1, name: 'Alerts' }).waitFor();
    const lockedCard = page.getByRole('region', { name: 'Operator account locked' });
    await lockedCard.getByText('An operator account was locked after repeated failed logins.').waitFor();
    await expectAccessible(page, 'alerts');
    await screenshot(page, 'console-alerts', { fullPage: false });

    // Acknowledge with a note, keyboard only.
    await lockedCard.getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Acknowledge: Operator account locked' });
    await dialog.getByLabel('Note (optional)').waitFor();
    await page.keyboard.type('Checking with the operator.');
    await expectAccessible(page, 'acknowledge dialog');
    await dialog.getByRole('button', { name: 'Acknowledge' }).focus();
    await page.keyboard.press('Enter');
    await page.getByText('“Operator account locked” is acknowledged.').waitFor();
    await lockedCard.getByText('Acknowledged', { exact: true }).waitFor();
    await lockedCard.getByText('Note: Checking with the operator.').waitFor();

    // Filters: only critical ones; then resolve it.
    await page.getByLabel('Severity').selectOption('critical');
    await page.getByRole('button', { name: 'Apply filters' }).click();
    await lockedCard.waitFor({ state: 'detached' });
    const critical = page.getByRole('region', { name: 'Possible exfiltration' });
    await critical.getByRole('button', { name: 'Resolve' }).click();
    await page
      .getByRole('dialog', { name: 'Resolve: Possible exfiltration' })
      .getByRole('button', {
        name: 'Resolve',
      })
      .click();
    await page.getByText('“Possible exfiltration” is resolved.').waitFor();
    await critical.getByText('Resolved', { exact: true }).waitFor();
    await expectAccessible(page, 'alerts after resolving');

    // The dashboard now lists only what is still open.
    await page.getByRole('link', { name: 'Dashboard' }).click();
    await page.getByRole('region', { name: 'Recent alerts' }).getByText('No open alerts.').waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });
});
