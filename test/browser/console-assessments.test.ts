import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { caller, createCollections } from '../helpers/fulfilment.js';
import { custosInChromium, expectAccessible, openContext, signIn, viewports } from './browser.js';

faker.seed(2036);

const sections = [
  '1. Systematic description of the processing',
  '2. Purposes and legitimate interests',
  '3. Necessity and proportionality',
  '4. Risks to the rights and freedoms of data subjects',
  '5. Measures envisaged to address the risks',
  '6. Safeguards and security measures',
  '7. Views of data subjects or their representatives',
];

describe('assessments in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: 'security' } });

  it('screens an activity with special categories and automated decisions, fills the DPIA, approves it through the chain and exports it', async () => {
    const { custos, browser } = suite;
    const as = caller(custos);
    await createCollections(custos, ['customers']);
    const health = await as('dpo', 'POST', '/v1/collections', {
      name: 'health_notes',
      description: 'Notes on a member’s health',
      fields: [
        {
          name: 'condition',
          type: 'string',
          category: 'user.health_and_medical',
          classification: 'restricted',
        },
      ],
    });
    expect(health.statusCode, health.body).toBe(201);
    const purpose = await as('dpo', 'POST', '/v1/consent/purposes', {
      key: 'eligibility_scoring',
      name: 'Eligibility scoring',
      legalBasis: 'contract',
      dataUses: ['essential.fraud_detection'],
      description: 'Scores applications',
      dataCategories: ['user.contact.email'],
      text: 'We score your application automatically.',
      automatedDecisionMaking: {
        applies: true,
        logic: 'A model weighs the declared conditions.',
        significance: 'Applications scored high are refused.',
        consequences: 'You may be refused cover.',
      },
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
    const activity = await as('dpo', 'POST', '/v1/inventory/activities', {
      name: 'Cover eligibility',
      description: 'Deciding who is offered cover, from declared health conditions.',
      purposeKeys: ['eligibility_scoring'],
      collectionNames: ['health_notes'],
    });
    expect(activity.statusCode, activity.body).toBe(201);

    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const admin = await createOperator(custos, { roles: ['admin'] });

    // The privacy agent sees the screening: DPIA required, derived from the map, and starts the DPIA.
    const authoring = await openContext(browser, custos.baseUrl);
    const page = authoring.page;
    await signIn(page, 'console', agent);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    // The screening shows on the activity's page in the data map.
    await page.goto(`/console/data-map/activities/${activity.json().id}`);
    const onActivity = page.getByRole('region', { name: 'DPIA screening' });
    await onActivity.getByText('DPIA required').waitFor();
    await onActivity.getByText(/Sensitive data or data of a highly personal nature/).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Assessments (DPIA)' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Assessments' }).waitFor();
    const row = page.getByRole('row', { name: /Cover eligibility/ });
    await row.getByText('DPIA required').waitFor();
    await row.getByRole('button', { name: 'Criteria of Cover eligibility' }).click();
    await page.getByText('Yes (from the data map)').first().waitFor();
    await page.getByText(/special or highly personal category user\.health_and_medical/).waitFor();
    await page.getByText(/purpose eligibility_scoring makes automated decisions/).waitFor();
    await expectAccessible(page, 'screening');
    await row.getByRole('button', { name: 'Start DPIA for Cover eligibility' }).click();
    await page.getByRole('heading', { level: 1, name: 'DPIA: Cover eligibility' }).waitFor();
    await page.getByText('0 of 7 sections done', { exact: false }).waitFor();

    // Fill: the sections, the risk register, the consultation; then submit.
    for (const title of sections) {
      await page.getByLabel(`${title}: text`).fill(`${title.slice(3)} — written for the test.`);
      await page.getByLabel(`${title}: done`).check();
    }
    await page.getByRole('button', { name: 'Save sections' }).click();
    await page.getByText('4 of 7 sections done', { exact: false }).waitFor();
    for (const risk of ['R1', 'R2', 'R3']) {
      await page.getByLabel(`${risk} likelihood`, { exact: true }).selectOption('3');
      await page.getByLabel(`${risk} severity`, { exact: true }).selectOption('4');
      await page.getByLabel(`${risk} residual likelihood`).selectOption('1');
      await page.getByLabel(`${risk} residual severity`).selectOption('4');
    }
    await page.getByRole('button', { name: 'Add a mitigation to R1' }).click();
    await page.getByRole('button', { name: 'Save risks' }).click();
    const matrix = page.getByRole('region', { name: 'Risk matrix' });
    await matrix.getByRole('cell', { name: 'R1, R2, R3' }).first().waitFor();
    await page.getByLabel('Who was consulted (groups, never named people)').fill('A panel of members');
    await page.getByLabel('How', { exact: true }).fill('Workshop');
    await page.getByLabel('Results', { exact: true }).fill('Asked for a human review of refusals.');
    await page.getByRole('button', { name: 'Save consultation' }).click();
    await page.getByText('7 of 7 sections done', { exact: false }).waitFor();
    await page.getByRole('button', { name: 'Submit for approval' }).click();
    await page.getByText('Awaiting sign-off').waitFor();
    await expectAccessible(page, 'DPIA in review');
    const dpiaPath = new URL(page.url()).pathname;

    // The chain: DPO review, then legal approval and management sign-off by an administrator.
    async function approveAs(
      operator: { email: string; password: string },
      step: string,
      check?: (p: Page) => Promise<void>,
    ) {
      const session = await openContext(browser, custos.baseUrl, viewports.phone);
      await signIn(session.page, 'console', operator);
      await session.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await session.page.goto(dpiaPath);
      await session.page.getByRole('heading', { level: 1, name: 'DPIA: Cover eligibility' }).waitFor();
      await check?.(session.page);
      await session.page.getByLabel(`Comment on ${step}`).fill(`${step}: agreed.`);
      await session.page.getByRole('button', { name: `Approve ${step}` }).click();
      await session.page.getByText(`${step}: agreed.`).waitFor();
      expect(session.problems).toEqual([]);
      await session.context.close();
    }
    await approveAs(dpo, 'DPO review', async (phone) => {
      // The matrix reads on a phone: a table with its headers.
      await phone.getByRole('table', { name: /Residual risk/ }).waitFor();
      await expectAccessible(phone, 'DPIA on a phone');
    });
    await approveAs(admin, 'Legal approval');
    await approveAs(admin, 'Management sign-off');

    await page.reload();
    await page.getByText('This version is approved and frozen.').waitFor();
    await page
      .getByRole('region', { name: 'Versions' })
      .getByText(/Version 1, approved/)
      .waitFor();

    // Export: the HTML document has every section, the matrix and the sign-offs.
    const link = page.getByRole('link', { name: 'Export HTML' });
    const download = await Promise.all([page.waitForEvent('download'), link.click()]).then(([file]) => file);
    expect(download.suggestedFilename()).toMatch(/^custos-dpia-.*-v1-.*\.html$/);
    const document = await readFile(await download.path(), 'utf8');
    for (const title of sections) expect(document).toContain(title);
    expect(document).toContain('Residual risk');
    expect(document).toContain('Management sign-off: agreed.');
    expect(authoring.problems).toEqual([]);
    await authoring.context.close();
  });
  it('edits the approval chain in the console, refusing (with the API’s reason) whoever lacks a role it names', async () => {
    const { custos, browser } = suite;
    const as = caller(custos);
    const original = (await as('auditor', 'GET', '/v1/assessments/settings')).json();
    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const admin = await createOperator(custos, { roles: ['admin'] });
    async function openEditor(operator: { email: string; password: string }) {
      const session = await openContext(browser, custos.baseUrl);
      await signIn(session.page, 'console', operator);
      await session.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await session.page.goto('/console/assessments');
      await session.page.getByRole('heading', { level: 1, name: 'Assessments' }).waitFor();
      await session.page.getByRole('button', { name: 'Edit the approval chain' }).click();
      return session;
    }

    // The default chain names the admin role, whose permissions a DPO does not all hold.
    const refused = await openEditor(dpo);
    await refused.page.getByLabel('Authors may sign off their own DPIA’s steps').check();
    await refused.page.getByRole('button', { name: 'Save the approval chain' }).click();
    await refused.page
      .getByRole('alert')
      .getByText(/roles whose permissions you do not all hold/)
      .waitFor();
    await expectAccessible(refused.page, 'chain editor');
    await refused.context.close();
    expect((await as('auditor', 'GET', '/v1/assessments/settings')).json()).toEqual(original);

    const editing = await openEditor(admin);
    const page = editing.page;
    await page.getByRole('button', { name: 'Remove step 4' }).click();
    await page.getByRole('button', { name: 'Move step 3 up' }).click();
    await page.getByRole('button', { name: 'Add a step' }).click();
    await page.getByLabel('Step 4: name').fill('Security review');
    await page.getByLabel('Step 4: role that signs it off').selectOption('security');
    await page.getByLabel('Authors may sign off their own DPIA’s steps').check();
    await page.getByLabel('Months from approval to the scheduled review').fill('6');
    await page.getByRole('button', { name: 'Save the approval chain' }).click();
    await page.getByText('The approval chain is saved', { exact: false }).waitFor();
    await page.getByText('Security review (role security)').waitFor();
    try {
      const saved = (await as('auditor', 'GET', '/v1/assessments/settings')).json();
      expect(saved).toEqual({
        steps: [
          { key: 'dpo_review', name: 'DPO review', role: 'dpo', onlyWhenPriorConsultation: false },
          {
            key: 'management_signoff',
            name: 'Management sign-off',
            role: 'admin',
            onlyWhenPriorConsultation: false,
          },
          { key: 'legal_approval', name: 'Legal approval', role: 'admin', onlyWhenPriorConsultation: false },
          {
            key: 'security_review',
            name: 'Security review',
            role: 'security',
            onlyWhenPriorConsultation: false,
          },
        ],
        forbidSelfApproval: false,
        reviewMonths: 6,
      });
      expect(editing.problems).toEqual([]);
    } finally {
      await editing.context.close();
      const restored = await as('admin', 'PUT', '/v1/assessments/settings', original);
      expect(restored.statusCode, restored.body).toBe(200);
    }
  });
  it('links a proposed activity’s screening and DPIA to the activity once it is in the data map', async () => {
    const { custos, browser } = suite;
    const as = caller(custos);
    const proposal = `Voice pilot ${faker.string.alphanumeric(5)}`;
    const screened = await as('dpo', 'POST', '/v1/assessments/screenings', {
      activity: { name: proposal, dataCategories: ['user.biometric'], dataSubjects: ['patient'] },
    });
    expect(screened.statusCode, screened.body).toBe(201);
    const dpia = await as('dpo', 'POST', '/v1/assessments', { screeningId: screened.json().id });
    expect(dpia.statusCode, dpia.body).toBe(201);
    const live = `Voice analysis ${faker.string.alphanumeric(5)}`;
    const created = await as('dpo', 'POST', '/v1/inventory/activities', {
      name: live,
      description: 'Analysing callers’ voices.',
    });
    expect(created.statusCode, created.body).toBe(201);

    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const session = await openContext(browser, custos.baseUrl);
    const page = session.page;
    await signIn(page, 'console', agent);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.goto('/console/assessments');
    await page.getByRole('heading', { level: 1, name: 'Assessments' }).waitFor();
    await page
      .getByRole('row', { name: new RegExp(proposal) })
      .getByRole('button', { name: `Link ${proposal} to an activity` })
      .click();
    await page.getByLabel(`Activity of the data map that ${proposal} became`).selectOption({ label: live });
    await expectAccessible(page, 'linking a proposal');
    await page.getByRole('button', { name: `Link ${proposal}`, exact: true }).click();
    const row = page.getByRole('row', { name: new RegExp(live) });
    await row.getByRole('link', { name: /Draft v1/ }).waitFor();
    await expect(page.getByRole('button', { name: `Link ${proposal} to an activity` }).count()).resolves.toBe(
      0,
    );
    expect((await as('auditor', 'GET', `/v1/assessments/${dpia.json().id}`)).json()).toMatchObject({
      activityId: created.json().id,
    });
    expect(session.problems).toEqual([]);
    await session.context.close();
  });
});
