import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, signIn } from './browser.js';

faker.seed(2105);

describe('the training and external-audit registers in the console', () => {
  const suite = custosInChromium({ env: { CUSTOS_MFA_REQUIRED_ROLES: 'admin' } });

  it('creates and edits a course, records a completion, registers an audit, adds a finding and closes it', async () => {
    const { custos, browser } = suite;
    const { training, externalAudits } = custos.runtime.services;
    const dpo = await createOperator(custos, { roles: ['dpo'] });
    const course = `Data protection basics ${faker.string.alphanumeric(4)}`;
    const auditor = faker.company.name();
    const finding = `Retention schedule not applied ${faker.string.alphanumeric(4)}`;
    const { page, problems } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: dpo.email, password: dpo.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Accountability' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Accountability' }).waitFor();

    // A course for DPOs, valid a year, then shortened to 180 days.
    const create = page.getByRole('form', { name: 'Create a course' });
    await create.getByLabel('Course title').fill(course);
    await create.getByLabel('dpo').check();
    await create.getByLabel('Valid for (days)').fill('365');
    await create.getByRole('button', { name: 'Create course' }).click();
    await page.getByText('(dpo · valid 365 days)').waitFor();
    await page.getByRole('button', { name: `Edit ${course}` }).click();
    const edit = page.getByRole('form', { name: `Edit course ${course}` });
    await expect.poll(() => edit.getByLabel('Course title').inputValue()).toBe(course);
    await edit.getByLabel('Valid for (days)').fill('180');
    await edit.getByRole('button', { name: 'Save course' }).click();
    await page.getByText('(dpo · valid 180 days)').waitFor();

    // The DPO's own completion.
    const record = page.getByRole('form', { name: 'Record a completion' });
    await record.getByLabel('Course').selectOption({ label: course });
    await record.getByLabel('Operator').selectOption({ label: `${dpo.displayName} (${dpo.email})` });
    await record.getByLabel('Completed on').fill('2026-11-02');
    await record.getByRole('button', { name: 'Record completion' }).click();
    const [created] = (await training.courses()).filter((row) => row.title === course);
    await expect.poll(async () => (await training.completions(created?.id)).length).toBe(1);
    const [completion] = await training.completions(created?.id);
    expect(completion?.operator_id).toBe(dpo.id);
    expect(completion?.expires_at?.toISOString()).toBe('2027-05-01T00:00:00.000Z');

    // An external audit with one finding, then the finding resolved.
    const audit = page.getByRole('form', { name: 'Register an audit' });
    await audit.getByLabel('Auditor').fill(auditor);
    await audit.getByLabel('Scope').fill('Data-subject requests and retention');
    await audit.getByLabel('Started on').fill('2026-10-01');
    await audit.getByLabel('Ended on').fill('2026-10-15');
    await audit.getByLabel('Report reference').fill('AUD-2026-14');
    await audit.getByRole('button', { name: 'Register audit' }).click();
    await page.getByRole('region', { name: `Audit by ${auditor}` }).waitFor();
    const add = page.getByRole('form', { name: 'Add a finding' });
    await add.getByLabel('Finding', { exact: true }).fill(finding);
    await add.getByLabel('Severity').selectOption('high');
    await add.getByLabel('Finding owner').fill(faker.person.fullName());
    await add.getByLabel('Due on').fill('2026-12-31');
    await add.getByRole('button', { name: 'Add finding' }).click();
    const status = page.getByLabel(`Status of ${finding}`);
    await status.waitFor();
    await page.getByText('1 open of 1 findings').waitFor();
    await status.selectOption('resolved');
    await page.getByText('0 open of 1 findings').waitFor();
    const [stored] = (await externalAudits.list()).filter((row) => row.auditor === auditor);
    expect(stored?.report_reference).toBe('AUD-2026-14');
    expect(stored?.findings.map((row) => [row.title, row.severity, row.status])).toEqual([
      [finding, 'high', 'resolved'],
    ]);
    await expectAccessible(page, 'accountability registers');
    expect(problems).toEqual([]);
  });
});
