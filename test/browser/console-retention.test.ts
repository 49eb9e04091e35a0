import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(1616);

describe('retention in the console', () => {
  // The DPO signs in without enrolling TOTP here; the MFA journey has its own browser test.
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: 'admin' } });

  it('lets the DPO create a rule and see in the preview what it would do', async () => {
    const { custos, browser } = suite;
    const service = await actAs(custos, 'service');
    const dpoHeaders = await actAs(custos, 'dpo');
    const inject = (headers: Record<string, string>, method: 'POST', url: string, payload: object = {}) =>
      custos.app.inject({ method, url, headers, payload });
    const collection = await inject(dpoHeaders, 'POST', '/v1/collections', {
      name: 'contracts',
      multiple: true,
      fields: [{ name: 'plan', type: 'string', category: 'user.account', classification: 'internal' }],
    });
    expect(collection.statusCode, collection.body).toBe(201);
    for (let i = 0; i < 2; i += 1) {
      const subject = await inject(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
      const subjectId = subject.json().id as string;
      await inject(service, 'POST', `/v1/subjects/${subjectId}/records`, {
        collection: 'contracts',
        fields: { plan: 'pro' },
      });
      if (i === 0) await inject(service, 'POST', `/v1/subjects/${subjectId}/relationship-ended`);
    }

    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: dpo.email, password: dpo.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Retention' }).click();
    await page.getByRole('heading', { level: 1, name: 'Retention' }).waitFor();
    await page.getByText('No retention rule yet.').waitFor();

    await page.getByText('Add a retention rule').click();
    const form = page.getByRole('form', { name: 'New rule' });
    await form.getByLabel('Name').fill('Contracts after the relationship');
    await form.getByLabel('Collection').selectOption('contracts');
    await form.getByLabel('Counts from').selectOption('relationship_ended');
    await form.getByLabel('Period').fill('');
    await form.getByLabel('Then').selectOption('delete');
    await expectAccessible(page, 'new retention rule');
    await form.getByRole('button', { name: 'Create rule' }).click();
    await page.getByText('Contracts after the relationship was created.').waitFor();

    const preview = page.getByRole('region', { name: 'What each rule would do' });
    const row = preview.getByRole('row', { name: /Contracts after the relationship/ });
    await row.waitFor();
    expect(await row.textContent()).toContain('1 / 1');
    await expectAccessible(page, 'retention with a rule');
    await screenshot(page, 'console-retention');

    expect(problems).toEqual([]);
    await context.close();
  });
});
