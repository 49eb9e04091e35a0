import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import type { AuditContext } from '../../src/modules/audit/audit-types.js';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { caller, createCollections, createPerson } from '../helpers/fulfilment.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(1803);

describe('breaches in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_REVEAL_ALERT_THRESHOLD: '2' } });

  it('opens a breach from an alert, assesses it, generates the authority notice, sends the notices and closes it', async () => {
    const { custos, browser } = suite;
    // Three people, whose records one operator reveals: over the threshold of two, a mass-reveal alert.
    await createCollections(custos, ['customers', 'orders']);
    const service = await actAs(custos, 'service');
    const people = [];
    for (let index = 0; index < 3; index += 1)
      people.push(await createPerson(custos, service, { orders: 0 }));
    const reader = await actAs(custos, 'privacy_agent');
    for (const person of people) {
      const read = await caller(custos)(
        reader,
        'GET',
        `/v1/subjects/${person.subjectId}/records?purpose=support&reveal=true`,
      );
      expect(read.statusCode).toBe(200);
    }
    // The monitoring job counts the reveals from the audit log.
    await custos.runtime.services.monitoring.run();

    const security = await createOperator(custos, { roles: ['security'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: security.email, password: security.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // From the alert to a breach, its affected set the three people revealed.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Alerts' }).click();
    const alert = page.getByRole('region', { name: 'Possible exfiltration' });
    await alert.getByRole('button', { name: 'Open breach' }).click();
    await page.getByRole('heading', { level: 1, name: 'Breach from alert: vault.mass_reveal' }).waitFor();
    const facts = page.getByRole('region', { name: 'The breach', exact: true });
    await facts.getByText('customers.email').waitFor();
    expect(await facts.textContent()).toContain('Affected subjects3');
    await page
      .getByText(/\d+ d \d+ h left/)
      .first()
      .waitFor();
    await expectAccessible(page, 'breach from an alert');

    // The facts the notices are written from.
    await facts.getByRole('button', { name: 'Edit facts' }).click();
    const editing = page.getByRole('dialog', { name: 'The breach’s facts' });
    await editing.getByLabel('What happened').fill('A support tool’s API key was used from outside.');
    await editing.getByLabel('Likely consequences').fill('Targeted phishing.');
    await editing.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('region', { name: 'Timeline' })
      .getByText(/facts\.description/)
      .waitFor();

    // Assess: the proposal with its reasons, then confirmed.
    const assessment = page.getByRole('region', { name: 'Risk assessment' });
    await assessment.getByLabel('Sensitivity of the data').selectOption('financial');
    await assessment.getByLabel('Ease of identification').selectOption('maximum');
    await assessment.getByLabel('Malicious').selectOption('yes');
    await assessment.getByRole('button', { name: 'Propose' }).click();
    await assessment.getByRole('heading', { name: 'Proposal: Critical' }).waitFor();
    await assessment.getByText(/notify the supervisory authority/).waitFor();
    await assessment.getByRole('button', { name: 'Confirm proposal' }).click();
    await assessment.getByText('Decided: Critical (proposal confirmed)').waitFor();

    // The authority notice, as a printable HTML download.
    const notices = page.getByRole('region', { name: 'Notice to the supervisory authority' });
    await notices.getByRole('button', { name: 'Generate the initial notice' }).click();
    const html = notices.getByRole('link', { name: 'HTML' });
    await html.waitFor();
    const download = await Promise.all([page.waitForEvent('download'), html.click()]).then(([file]) => file);
    expect(download.suggestedFilename()).toMatch(/^breach-notice-.*-v1\.html$/);
    const notice = await readFile(await download.path(), 'utf8');
    expect(notice).toContain('A support tool’s API key was used from outside.');
    expect(notice).toContain('Targeted phishing.');

    // Individual notices: preview, send, and the job puts one message per person in the outbox.
    const individual = page.getByRole('region', { name: 'Notices to individuals' });
    await individual.getByLabel('What people can do').fill('Be wary of e-mails that use your name.');
    await individual.getByRole('button', { name: 'Preview notice' }).click();
    await individual
      .getByRole('region', { name: 'Notice preview' })
      .getByText(/Be wary of e-mails/)
      .waitFor();
    await screenshot(page, 'console-breach', { fullPage: false });
    await individual.getByRole('button', { name: 'Send notices' }).click();
    await individual.getByRole('button', { name: 'Resume sending' }).waitFor();
    const breachId = new URL(page.url()).pathname.split('/').at(-1) as string;
    const system: AuditContext = { actor: { type: 'system', id: 'tests' }, requestId: null, ip: null };
    while ((await custos.runtime.services.breachNotices.sendBatch(system, breachId)) > 0);
    await individual.getByText('3 affected subjects: 3 sent to the outbox, 0 without an address.').waitFor();
    const outbox = await caller(custos)('dpo', 'GET', '/v1/outbox?kind=breach.individual_notice');
    expect(
      outbox
        .json()
        .items.map((item: { content: { to: string } }) => item.content.to)
        .sort(),
    ).toEqual(people.map((person) => person.email).sort());

    // Contained, then closed with the lessons learned.
    const breach = page.getByRole('region', { name: 'The breach', exact: true });
    for (const status of ['confirmed', 'contained']) {
      await breach.getByRole('button', { name: `Mark ${status}` }).click();
      await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { level: 1 }).waitFor();
      await breach.getByText(status === 'confirmed' ? 'Confirmed' : 'Contained', { exact: true }).waitFor();
    }
    await page.getByLabel('Lessons learned').fill('Alert on reveals sooner; scope the support key.');
    await page.getByRole('button', { name: 'Save lessons learned' }).click();
    await page
      .getByRole('region', { name: 'Timeline' })
      .getByText(/updated \(lessonsLearned\)/)
      .waitFor();
    await breach.getByRole('button', { name: 'Mark closed' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await breach.getByText('Closed', { exact: true }).waitFor();
    await page.getByText('Clock stopped').first().waitFor();
    await expectAccessible(page, 'closed breach');

    expect(problems).toEqual([]);
    await context.close();
  });
});
