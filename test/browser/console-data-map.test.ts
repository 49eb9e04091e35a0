import { faker } from '@faker-js/faker';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import {
  custosInChromium,
  expectAccessible,
  openContext,
  type RunningCustos,
  screenshot,
  signIn,
  viewports,
} from './browser.js';

faker.seed(1515);

type Finding = { kind: string; message: string; subject: { type: string; name: string } };

/** The findings as the API states them, to find the same words on the page. */
async function findings(custos: RunningCustos): Promise<Finding[]> {
  const response = await custos.app.inject({
    method: 'GET',
    url: '/v1/inventory/findings',
    headers: await actAs(custos, 'auditor'),
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json().items as Finding[];
}

async function findingAbout(custos: RunningCustos, kind: string, name: string): Promise<Finding | undefined> {
  return (await findings(custos)).find((item) => item.kind === kind && item.subject.name === name);
}

/** Opens a tab and waits until it is the current one, so the previous tab's view is gone. */
async function openTab(page: Page, name: string): Promise<void> {
  const tab = page.getByRole('navigation', { name: 'Data map' }).getByRole('link', { name, exact: true });
  await tab.click();
  await page
    .getByRole('navigation', { name: 'Data map' })
    .locator('a[aria-current="page"]', { hasText: name })
    .waitFor();
}

describe('the data map in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: 'admin' } });

  it('records an activity that shows in the RoPA and the picture, and a finding that appears and clears', async () => {
    const { custos, browser } = suite;
    const dpoHeaders = await actAs(custos, 'dpo');
    const collection = await custos.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: dpoHeaders,
      payload: {
        name: 'customers',
        fields: [
          { name: 'email', type: 'email', category: 'user.contact.email', classification: 'confidential' },
          { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
        ],
      },
    });
    expect(collection.statusCode, collection.body).toBe(201);
    const purpose = await custos.app.inject({
      method: 'POST',
      url: '/v1/consent/purposes',
      headers: dpoHeaders,
      payload: {
        key: 'newsletter',
        name: 'Newsletter',
        legalBasis: 'consent',
        dataUses: ['marketing.communications.email'],
        text: faker.lorem.sentence(),
      },
    });
    expect(purpose.statusCode, purpose.body).toBe(201);

    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', dpo);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data map' }).click();
    await page.getByRole('heading', { level: 1, name: 'Data map' }).waitFor();

    // Nothing declares the collection's categories yet: a finding says so.
    const undeclared = await findingAbout(custos, 'undeclared_data_category', 'customers');
    if (!undeclared) throw new Error('a collection no activity declares is a finding');
    await openTab(page, 'Findings');
    await page.getByText(undeclared.message).waitFor();
    await expectAccessible(page, 'data map findings');

    // The collection is in the register, derived and read-only.
    await openTab(page, 'Systems & assets');
    await page.getByRole('link', { name: 'customers', exact: true }).click();
    await page.getByText('Derived, read-only').waitFor();
    await page.getByRole('cell', { name: 'full_name' }).waitFor();
    expect(await page.getByRole('button', { name: 'Edit', exact: true }).count()).toBe(0);

    // A processor abroad without a DPA.
    await openTab(page, 'Processors');
    await page.getByText('A processor, sub-processor or other party receiving personal data').click();
    await page.getByLabel('Name', { exact: true }).fill('MailCo');
    await page.getByLabel('Contact').fill('privacy@mailco.example');
    await page.getByLabel('Country').fill('United States (US)');
    await page.getByRole('button', { name: 'Add processor' }).click();
    await page.getByText('MailCo was added.').waitFor();
    await page.getByText('No DPA').waitFor();
    // A CRM it runs, registered through the API (the console's system form is covered by the admin tour).
    const processors = await custos.app.inject({
      method: 'GET',
      url: '/v1/inventory/processors',
      headers: dpoHeaders,
    });
    const mailCo = (processors.json().items as { id: string; name: string }[]).find(
      (item) => item.name === 'MailCo',
    );
    const crm = await custos.app.inject({
      method: 'POST',
      url: '/v1/inventory/systems',
      headers: dpoHeaders,
      payload: {
        name: 'CRM',
        owner: 'Customer care',
        kind: 'saas',
        locations: ['IE'],
        dataCategories: ['user.contact.email', 'user.name'],
        processorId: mailCo?.id,
      },
    });
    expect(crm.statusCode, crm.body).toBe(201);

    // The activity: linked to the purpose, the collection and the processor.
    await openTab(page, 'Processing activities');
    await page.getByText('A new activity for the RoPA').click();
    await page.getByLabel('Name', { exact: true }).fill('Newsletter sending');
    await page.getByLabel('Description').fill('Monthly news to customers who asked for it.');
    await page.getByLabel(/^Newsletter \(/).check();
    await page.getByLabel('customers', { exact: true }).check();
    await page.getByLabel('MailCo', { exact: true }).check();
    await page.getByRole('button', { name: 'Add a safeguard' }).click();
    await page.getByLabel('Transfer 1: country').fill('United States (US)');
    await page.getByLabel('Transfer 1: safeguard').fill('Standard contractual clauses (2021/914)');
    await page.getByLabel('Retention in words').fill('Until consent is withdrawn');
    await expectAccessible(page, 'activity form');
    await page.getByRole('button', { name: 'Record activity' }).click();

    // Its editor shows what the map derives, and from where.
    await page.getByRole('heading', { name: 'Edit Newsletter sending' }).waitFor();
    const derived = page.getByRole('region', { name: 'Derived from the map' });
    await derived.getByRole('cell', { name: 'user.contact.email' }).waitFor();
    await derived.getByText('collection customers').first().waitFor();
    await derived.getByText('MailCo').first().waitFor();
    await expectAccessible(page, 'activity editor');

    // The RoPA lists it, and its CSV download carries it.
    await openTab(page, 'RoPA & notice');
    await page.getByRole('link', { name: 'Newsletter sending' }).waitFor();
    const csvLink = await page.getByRole('link', { name: 'RoPA as CSV' }).getAttribute('href');
    const csv = await page.request.get(csvLink ?? '');
    expect(csv.status()).toBe(200);
    expect(await csv.text()).toContain('Newsletter sending');
    await page.getByText('Read the notice draft here').click();
    const notice = page.getByRole('region', { name: 'Privacy-notice draft (Markdown)' });
    await notice.getByText(/draft/i).first().waitFor();
    expect(await notice.textContent()).toContain('Newsletter');
    await expectAccessible(page, 'RoPA and the notice draft');

    // The picture: MailCo is drawn, and the table beside it names the activity on the flow to MailCo.
    await openTab(page, 'Picture');
    await page.locator('.react-flow__node', { hasText: 'MailCo' }).waitFor();
    const flows = page.getByRole('table', { name: 'Flows of the data map' });
    const toMailCo = flows
      .getByRole('row')
      .filter({ has: page.getByRole('cell', { name: 'Custos', exact: true }) })
      .filter({ hasText: 'MailCo (processor)' });
    expect(await toMailCo.textContent()).toContain('Newsletter sending');
    expect(await toMailCo.textContent()).toContain('user.contact.email');
    await expectAccessible(page, 'data-map picture');
    await screenshot(page, 'console-data-map', { fullPage: false });

    // The collection's finding is gone; the processor's missing DPA is one, until it is recorded.
    expect(await findingAbout(custos, 'undeclared_data_category', 'customers')).toBeUndefined();
    const missingDpa = await findingAbout(custos, 'processor_dpa_missing', 'MailCo');
    if (!missingDpa) throw new Error('a processor receiving data without a DPA is a finding');
    await openTab(page, 'Findings');
    await page.getByText(missingDpa.message).waitFor();
    expect(await page.getByText(undeclared.message).count()).toBe(0);

    await openTab(page, 'Processors');
    await page.getByRole('button', { name: 'Edit MailCo' }).click();
    const editMailCo = page.getByRole('form', { name: 'Edit MailCo' });
    await editMailCo.getByLabel('A DPA is signed').check();
    await editMailCo.getByLabel('Signed on').fill('2026-01-15');
    await editMailCo.getByLabel('Version').fill('3.1');
    await editMailCo.getByLabel('Review by').fill('2099-01-15');
    await editMailCo.getByLabel('Document reference').fill('Contracts/MailCo/DPA-3.1');
    await expectAccessible(page, 'processor with its DPA');
    await editMailCo.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('MailCo was saved.').waitFor();
    await page.getByText('DPA valid').waitFor();
    await openTab(page, 'Findings');
    await page.getByRole('heading', { name: 'Findings' }).waitFor();
    await page.getByText(/checked/).waitFor();
    expect(await page.getByText(missingDpa.message).count()).toBe(0);
    expect(await findingAbout(custos, 'processor_dpa_missing', 'MailCo')).toBeUndefined();
    expect(problems).toEqual([]);
    await context.close();
  });

  it('lets an auditor read the map on a phone, with nothing to change', async () => {
    const { custos, browser } = suite;
    const created = await custos.app.inject({
      method: 'POST',
      url: '/v1/inventory/processors',
      headers: await actAs(custos, 'dpo'),
      payload: {
        name: 'PayCo',
        contact: 'privacy@payco.example',
        country: 'NL',
        dpa: { signedAt: '2026-02-01', version: '1', reviewAt: '2099-02-01', reference: 'Contracts/PayCo' },
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const auditor = await createOperator(custos, { roles: ['auditor'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl, viewports.phone);
    await signIn(page, 'console', auditor);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.goto('/console/data-map');
    await page.locator('.react-flow__node', { hasText: 'PayCo' }).waitFor();
    await page
      .getByRole('table', { name: 'Flows of the data map' })
      .getByText('PayCo (processor)')
      .first()
      .waitFor();
    await expectAccessible(page, 'data-map picture on a phone');
    await openTab(page, 'Systems & assets');
    await page.getByRole('heading', { name: 'Systems and data assets' }).waitFor();
    expect(await page.getByRole('heading', { name: 'Register a system' }).count()).toBe(0);
    await openTab(page, 'Processors');
    await page.getByRole('listitem').filter({ hasText: 'PayCo' }).getByText('DPA valid').waitFor();
    expect(await page.getByRole('button', { name: 'Edit PayCo' }).count()).toBe(0);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('keeps the organization profile and measures, and imports a Fides manifest after a dry run', async () => {
    const { custos, browser } = suite;
    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', dpo);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.goto('/console/data-map/organization');

    await page.getByRole('button', { name: 'Edit profile' }).click();
    await page.getByLabel('Controller', { exact: true }).fill('Acme Shop GmbH');
    await page.getByLabel('Country of establishment').fill('Germany (DE)');
    await page.getByLabel('Supervisory authority').fill('BfDI');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await page.getByText('The organization profile was saved.').waitFor();
    await page.getByText('Germany (DE)').waitFor();
    await page.getByText('Add a measure').click();
    await page.getByLabel('Measure', { exact: true }).fill('Pseudonymised analytics');
    await page.getByRole('button', { name: 'Add measure' }).click();
    await page.getByText('Pseudonymised analytics was added.').waitFor();
    await expectAccessible(page, 'organization and measures');

    // A manifest with an unknown field is refused with its path; a good one is checked, then imported.
    await openTab(page, 'Fides');
    const manifest = 'system:\n  - fides_key: ticketing\n    name: Ticketing\n    system_type: Service\n';
    await page.getByLabel('Manifest', { exact: true }).fill(`${manifest}    colour: blue\n`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText('The manifest was refused; nothing was imported').waitFor();
    await page
      .getByText(/colour/)
      .first()
      .waitFor();
    await page.getByLabel('Manifest', { exact: true }).fill(`${manifest}    privacy_declarations: []\n`);
    await page.getByRole('button', { name: 'Check (dry run)' }).click();
    await page.getByText('Checked: nothing written yet').waitFor();
    const differences = page.getByRole('table', { name: 'Differences from the map' });
    await differences.getByRole('row').filter({ hasText: 'Ticketing' }).getByText('create').waitFor();
    await expectAccessible(page, 'Fides dry run');
    await page.getByRole('button', { name: 'Import', exact: true }).click();
    await page.getByText('Imported', { exact: true }).waitFor();
    await openTab(page, 'Systems & assets');
    await page.getByRole('link', { name: 'Ticketing', exact: true }).waitFor();
    expect(problems).toEqual([]);
    await context.close();
  });
});
