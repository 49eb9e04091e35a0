import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, signIn } from './browser.js';

faker.seed(2104);

const systemContext = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

describe('compliance reports and access reviews in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: 'admin' } });

  it('generates a compliance report and downloads it, and completes an access review revoking one key', async () => {
    const { custos, browser } = suite;
    const { apiKeys, complianceReports } = custos.runtime.services;
    const { row: stale } = await apiKeys.create(
      systemContext,
      { kind: 'root' },
      { name: 'Stale export key', permissions: ['requests.read'] },
    );
    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const { page, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: dpo.email, password: dpo.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('region', { name: 'Privacy metrics' }).waitFor();
    await page
      .getByRole('region', { name: 'Compliance status' })
      .getByText('Cross-border transfer approvals')
      .first()
      .waitFor();

    // A report for last month: requested in the console, built by the job, downloaded as HTML.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Compliance reports' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Compliance reports' }).waitFor();
    await page.getByRole('button', { name: 'Generate report' }).click();
    await expect.poll(async () => (await complianceReports.list()).length).toBe(1);
    const [queued] = await complianceReports.list();
    await complianceReports.generate(queued?.id as string);
    const html = page.getByRole('link', { name: 'HTML' });
    await html.waitFor();
    const download = await Promise.all([page.waitForEvent('download'), html.click()]).then(([file]) => file);
    expect(download.suggestedFilename()).toMatch(/^custos-compliance-report-.*\.html$/);
    const text = await readFile((await download.path()) as string, 'utf8');
    expect(text).toContain('Summary and recommendations');
    expect(text).toContain('Data-subject requests');
    await expectAccessible(page, 'compliance reports');

    // The quarterly access review: every operator confirmed, the stale key revoked.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Accountability' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Accountability' }).waitFor();
    await page.getByLabel('Review title').fill('Q4 access review');
    await page.getByRole('button', { name: 'Open access review' }).click();
    await page.getByRole('heading', { level: 3, name: 'Q4 access review' }).waitFor();
    const keyRow = page.locator('tr', { hasText: 'Stale export key' });
    await keyRow.getByRole('button', { name: 'Revoke' }).click();
    await keyRow.getByText('revoked').waitFor();
    const confirmButtons = page.getByRole('button', { name: 'Confirm', exact: true });
    for (let left = await confirmButtons.count(); left > 0; left -= 1) {
      await confirmButtons.first().click();
      await expect.poll(() => confirmButtons.count()).toBe(left - 1);
    }
    await page.getByRole('button', { name: 'Complete review' }).click();
    await page
      .getByText(/^Completed /)
      .first()
      .waitFor();
    await expectAccessible(page, 'access review');

    const key = (await apiKeys.list()).find((row) => row.id === stale.id);
    expect(key?.revoked_at).not.toBeNull();
    expect(problems).toEqual([]);
  });
});
