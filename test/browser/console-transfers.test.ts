import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, signIn } from './browser.js';

faker.seed(1717);

describe('transfers in the console', () => {
  const suite = custosInChromium();

  it('checks a transfer and shows the explained decision, the policy matrix and the adequacy list', async () => {
    const { custos, browser } = suite;
    // The auditor reads everything here and may ask for a decision; the policy is made through the API.
    const auditor = await createOperator(custos, { roles: ['auditor'] });
    const created = await custos.app.inject({
      method: 'POST',
      url: '/v1/transfers/policies',
      headers: await actAs(custos, 'dpo'),
      payload: { name: 'EU residency', region: 'EU', allowedDestinations: ['CH', 'GB'] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: auditor.email, password: auditor.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Transfers' }).click();
    await page.getByRole('heading', { level: 1, name: 'Transfers' }).waitFor();

    const check = page.getByRole('region', { name: 'Check a transfer' });
    await check.getByLabel('To (country or EPO)').fill('BR');
    await check.getByLabel('Date of the transfer').fill('2026-01-26');
    await check.getByRole('button', { name: 'Check' }).click();
    // Brazil has no adequacy yet on that date, and the policy allows only CH and GB: the policy decides.
    await check.getByText('policy_destination_not_allowed').waitFor();
    await check.getByText('Refused', { exact: true }).waitFor();

    const policies = page.getByRole('region', { name: 'Residency policies' });
    const matrix = policies.getByRole('region', {
      name: 'Policy EU residency: classification by destination',
    });
    await matrix.getByRole('columnheader', { name: 'GB' }).waitFor();
    await matrix.getByRole('rowheader', { name: 'Special categories (Art. 9)' }).waitFor();
    await page
      .getByRole('region', { name: 'Adequacy decisions (reference data)' })
      .getByText('Brazil (BR)')
      .waitFor();
    await expectAccessible(page, 'transfers');

    expect(problems).toEqual([]);
    await context.close();
  });
});
