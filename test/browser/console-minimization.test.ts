import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, signIn } from './browser.js';

faker.seed(1618);

describe('the minimization audit in the console', () => {
  const suite = custosInChromium();

  it('lists findings by kind, each with its suggested action, and changes the read window', async () => {
    const { custos, browser } = suite;
    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const created = await custos.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: await actAs(custos, 'dpo'),
      payload: {
        name: 'newsletter_leads',
        fields: [
          { name: 'email', type: 'email', category: 'user.contact.email', classification: 'confidential' },
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);

    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: agent.email, password: agent.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Minimization audit' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Minimization audit' }).waitFor();

    const noPolicy = page.getByRole('region', { name: 'Collections without a retention policy' });
    await noPolicy.getByRole('cell', { name: 'newsletter_leads', exact: true }).waitFor();
    await noPolicy.getByText('Add a retention policy for this collection').waitFor();
    const noPurpose = page.getByRole('region', { name: 'Fields no purpose covers' });
    await noPurpose.getByRole('cell', { name: 'newsletter_leads.email', exact: true }).waitFor();
    await page
      .getByRole('region', { name: 'Fields nobody read' })
      .getByText('Every field holding data was read')
      .waitFor();
    // The inventory is asked too; the collection holds no records yet, so no category is held undeclared.
    await page
      .getByRole('region', { name: 'Data categories no processing activity declares' })
      .getByText('Every data category held is declared by a processing activity.')
      .waitFor();
    await expectAccessible(page, 'minimization audit');

    await page.getByLabel('Reads counted over').selectOption('365');
    await page.getByText(/reads since/).waitFor();
    await noPolicy.getByRole('cell', { name: 'newsletter_leads', exact: true }).waitFor();

    expect(problems).toEqual([]);
    await context.close();
  });
});
