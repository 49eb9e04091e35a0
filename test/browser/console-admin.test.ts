import { faker } from '@faker-js/faker';
import { Secret, TOTP } from 'otpauth';

import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { strongPassword } from '../helpers/factories.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(131);

const cli = { actor: { type: 'system' as const, id: 'cli' }, requestId: null, ip: null };

/** The path and fragment of a link Custos builds from CUSTOS_PUBLIC_URL, to open on the test server. */
function pathOf(url: string): string {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.hash}`;
}

describe('the console from first start: setup, invitations and the admin pages', () => {
  const suite = custosInChromium({
    env: { CUSTOS_WEBHOOK_ALLOW_HTTP: 'true', CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true' },
  });

  it('creates the first admin from the setup link, invites an agent who accepts, and works every admin page', async () => {
    const { custos, browser } = suite;
    const setup = await custos.runtime.services.operators.issueFirstAdminToken(cli);
    if (!setup) throw new Error('a fresh Custos offers a setup token');
    const admin = { name: faker.person.fullName(), email: 'first.admin@example.org' };

    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await page.goto(pathOf(setup.url));
    await page.getByRole('heading', { level: 1, name: 'Create the first administrator' }).waitFor();
    await expectAccessible(page, 'first-admin setup');
    await page.getByLabel('Your name').fill(admin.name);
    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password').fill(strongPassword);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByText('Your account is ready.').waitFor();
    await page.getByRole('link', { name: 'Go to sign-in' }).click();

    await page.getByLabel('E-mail address').fill(admin.email);
    await page.getByLabel('Password').fill(strongPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Cannot scan? Enter the key by hand').click();
    const secret = ((await page.getByTestId('mfa-secret').textContent()) ?? '').replaceAll(' ', '');
    const code = new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30 }).generate();
    await page.getByLabel('Six-digit code').fill(code);
    await page.getByRole('button', { name: 'Turn on' }).click();
    await page.getByRole('button', { name: /continue/ }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    // Operators: invite a privacy agent; the link is shown once.
    await page.getByRole('link', { name: 'Operators & roles' }).click();
    const invite = page.getByRole('region', { name: 'Invite an operator' });
    await invite.getByLabel('Name').fill('Pat Agent');
    await invite.getByLabel('E-mail address').fill('pat.agent@example.org');
    await invite.getByRole('button', { name: 'Invite' }).click();
    const link = await page.getByLabel('Invitation link').inputValue();
    expect(link).toMatch(/\/console\/invitation#token=/);
    await page.getByRole('cell', { name: 'pat.agent@example.org' }).waitFor();
    await expectAccessible(page, 'operators');
    await screenshot(page, 'console-operators', { fullPage: false });

    // API keys: the secret is shown once, then the key can be revoked.
    await page.getByRole('link', { name: 'API keys' }).click();
    const keyForm = page.getByRole('region', { name: 'Create an API key' });
    await keyForm.getByLabel('Name').fill('Shop backend');
    await keyForm.getByRole('checkbox', { name: 'consent.check' }).check();
    await keyForm.getByRole('button', { name: 'Create key' }).click();
    const secretDialog = page.getByRole('dialog', { name: 'Your new API key' });
    expect(await secretDialog.getByLabel('API key').inputValue()).toMatch(/^cst_[0-9a-f]{12}_/);
    await secretDialog.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('cell', { name: 'Shop backend', exact: true }).waitFor();
    await expectAccessible(page, 'API keys');
    await page.getByRole('button', { name: 'Revoke Shop backend' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Revoke key' }).click();
    await page.getByText('Revoked', { exact: true }).waitFor();

    // Purposes: a new one with its text, data uses and categories from the taxonomy; special categories
    // ask for the Art. 9(2) condition. Then a change of its text says it makes a new version.
    await page.getByRole('link', { name: 'Purposes & consent' }).click();
    await page.getByText('Define a new purpose of processing').click();
    await page.getByLabel('Key').fill('order_updates');
    await page.getByLabel('Name', { exact: true }).fill('Order updates by SMS');
    await page.getByLabel('Text shown to data subjects').fill('We text you when your order ships.');
    await page.getByLabel('Add a data use').fill('marketing.communications.sms');
    await page.getByLabel('Add a data use').press('Enter');
    await page.getByText('marketing.communications.sms', { exact: true }).waitFor();
    await page.getByLabel('Add a data category').fill('user.health_and_medical');
    await page.getByLabel('Add a data category').press('Enter');
    const condition = page.getByLabel('Condition for special categories (GDPR Art. 9(2))');
    await condition.waitFor();
    await page.getByRole('button', { name: 'Remove user.health_and_medical' }).click();
    await condition.waitFor({ state: 'detached' });
    await page.getByLabel('Add a data category').fill('user.contact.phone_number');
    await page.getByRole('button', { name: 'Add', exact: true }).nth(1).click();
    await page.getByLabel('Consents given for an earlier version still count').check();
    await expectAccessible(page, 'purpose form');
    await page.getByRole('button', { name: 'Create purpose' }).click();
    await page.getByText('Purpose “Order updates by SMS” created (version 1).').waitFor();
    const purpose = page.getByRole('region', { name: 'Order updates by SMS', exact: true });
    await purpose.getByText('consents for earlier versions keep counting after a change').waitFor();
    await purpose.getByRole('button', { name: 'Edit Order updates by SMS' }).click();
    await purpose
      .getByLabel('Text shown to data subjects')
      .fill('We text you when your order ships and arrives.');
    await purpose.getByText('Saving makes version 2').waitFor();
    await expectAccessible(page, 'purpose change');
    await purpose.getByRole('button', { name: 'Save changes' }).click();
    await purpose.getByText('Saved as version 2. Consents given for earlier versions still count.').waitFor();
    await purpose.getByText('We text you when your order ships and arrives.').waitFor();
    await expectAccessible(page, 'purposes');
    await screenshot(page, 'console-purposes', { fullPage: false });

    // Collections: a new one with a searchable e-mail field; a field added to it later; a change that would
    // lose stored values is refused with the reason, not a dump.
    await page.getByRole('link', { name: 'Collections' }).click();
    await page.getByText('Define a new collection of personal data').click();
    await page.getByLabel('Name', { exact: true }).fill('customers');
    await page.getByLabel('Field name').fill('email');
    await page.getByLabel('Type').selectOption('email');
    await page.getByLabel('Data category').fill('user.contact.email');
    await page.getByRole('checkbox', { name: 'Searchable (blind index)' }).check();
    await page.getByRole('button', { name: 'Create collection' }).click();
    await page.getByRole('heading', { name: 'customers' }).waitFor();
    await expectAccessible(page, 'collections');
    const customers = page.getByRole('region', { name: 'customers', exact: true });
    await customers.getByRole('button', { name: 'Add or change fields of customers' }).click();
    const fields = customers.getByRole('region', { name: 'Change customers', exact: true });
    await fields.getByRole('button', { name: 'Add a field' }).click();
    await fields.getByLabel('Field name').fill('mobile');
    await fields.getByLabel('Type').nth(1).selectOption('phone');
    await fields.getByLabel('Data category').nth(1).fill('user.contact.phone_number');
    await fields.getByLabel('Shown without the reveal permission as').nth(1).selectOption('mask');
    await expectAccessible(page, 'collection fields');
    await fields.getByRole('button', { name: 'Save changes' }).click();
    await customers.getByText('Saved: added mobile.').waitFor();
    await customers.getByRole('rowheader', { name: 'mobile' }).waitFor();

    const stored = await custos.app.inject({
      method: 'POST',
      url: '/v1/subjects',
      headers: await actAs(custos, 'service'),
      payload: {},
    });
    await custos.app.inject({
      method: 'POST',
      url: `/v1/subjects/${stored.json().id}/records`,
      headers: await actAs(custos, 'service'),
      payload: { collection: 'customers', fields: { email: faker.internet.email() } },
    });
    await customers.getByRole('button', { name: 'Add or change fields of customers' }).click();
    await fields.getByLabel('Type').first().selectOption('string');
    await fields.getByRole('button', { name: 'Save changes' }).click();
    await customers.getByText('Not saved: some fields hold data').waitFor();
    expect(await customers.getByRole('alert').textContent()).toContain('email');
    expect(await page.locator('body').textContent()).not.toContain('"fieldsWithData"');
    await fields.getByRole('button', { name: 'Cancel' }).click();

    // Webhooks: an endpoint, its secret once, a test event in the delivery log.
    await page.getByRole('link', { name: 'Webhooks' }).click();
    await page.getByText('Send events to a new URL').click();
    await page.getByLabel('URL').fill('http://127.0.0.1:9/hooks/custos');
    await page.getByRole('button', { name: 'Add endpoint' }).click();
    const hookSecret = page.getByRole('dialog', { name: 'The endpoint’s signing secret' });
    expect(await hookSecret.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
    await hookSecret.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByRole('button', { name: 'Send test to http://127.0.0.1:9/hooks/custos' }).click();
    await page.getByText(/A test event is on its way/).waitFor();
    await expectAccessible(page, 'webhooks');

    // Systems of the data map: one receiving tasks is registered with its endpoint; the signing secret is
    // shown once; changed and deleted.
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Data map' }).click();
    await page
      .getByRole('navigation', { name: 'Data map' })
      .getByRole('link', { name: 'Systems & assets' })
      .click();
    await page.getByText('Add a system, database, SaaS or paper file that holds personal data').click();
    await page.getByLabel('Name', { exact: true }).fill('CRM');
    await page.getByLabel('Owner').fill('Sales operations');
    await page.getByLabel('Add a data category').fill('user.contact.email');
    await page.getByLabel('Receives tasks').check();
    await page.getByLabel('Task endpoint URL').fill('http://127.0.0.1:9/crm/tasks');
    await page.getByRole('button', { name: 'Register system' }).click();
    const systemSecret = page.getByRole('dialog', { name: 'The system’s signing secret' });
    expect(await systemSecret.getByLabel('Signing secret').inputValue()).toMatch(/^whsec_/);
    await systemSecret.getByRole('button', { name: 'I have stored it' }).click();
    await page.getByText('CRM was registered.').waitFor();
    await expectAccessible(page, 'data map systems');
    await page.getByRole('link', { name: 'CRM', exact: true }).click();
    await page.getByText('Sales operations').waitFor();
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const editSystem = page.getByRole('form', { name: 'Edit CRM' });
    await editSystem.getByLabel('Owner').fill('Customer care');
    await editSystem.getByLabel('Add a data category').fill('user.contact.phone_number');
    await editSystem.getByRole('button', { name: 'Add', exact: true }).first().click();
    await expectAccessible(page, 'data map system change');
    await editSystem.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText('CRM was saved.').waitFor();
    await page.getByText('Customer care').waitFor();
    await page.getByText('user.contact.phone_number').waitFor();
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete CRM?' })
      .getByRole('button', { name: 'Delete system' })
      .click();
    await page.getByRole('heading', { name: 'Systems and data assets' }).waitFor();
    expect(await page.getByRole('link', { name: 'CRM', exact: true }).count()).toBe(0);

    // Keys: status and rotation.
    await page.getByRole('link', { name: 'Encryption keys' }).click();
    await page.getByRole('cell', { name: 'Current' }).waitFor();
    await page.getByRole('button', { name: 'Rotate master key…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Rotate' }).click();
    await page.getByText('Master key version 2 is now current').waitFor();
    await expectAccessible(page, 'keys');
    await screenshot(page, 'console-keys', { fullPage: false });
    expect(problems).toEqual([]);
    await context.close();

    // The invited agent chooses a password and signs in; agents need no MFA by default.
    const agent = await openContext(browser, custos.baseUrl);
    await agent.page.goto(pathOf(link));
    await agent.page.getByRole('heading', { level: 1, name: 'Accept your invitation' }).waitFor();
    await expectAccessible(agent.page, 'invitation');
    await agent.page.getByLabel('Password').fill('weak');
    await agent.page.getByRole('button', { name: 'Set password' }).click();
    await agent.page.getByRole('alert').first().waitFor();
    await agent.page.getByLabel('Password').fill(strongPassword);
    await agent.page.getByRole('button', { name: 'Set password' }).click();
    await agent.page.getByRole('link', { name: 'Go to sign-in' }).click();
    await agent.page.getByLabel('E-mail address').fill('pat.agent@example.org');
    await agent.page.getByLabel('Password').fill(strongPassword);
    await agent.page.getByRole('button', { name: 'Sign in' }).click();
    await agent.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    expect(await agent.page.getByRole('link', { name: 'API keys' }).count()).toBe(0);
    await agent.page.goto('/console/api-keys');
    await agent.page.getByRole('heading', { level: 1, name: 'No access' }).waitFor();
    expect(agent.problems).toEqual([]);
    await agent.context.close();
  });

  it('returns to sign-in with a message when the session has ended', async () => {
    const { custos, browser } = suite;
    const { page, context } = await openContext(browser, custos.baseUrl);
    const operator = await custos.runtime.services.operators.list();
    const agent = operator.find((row) => row.email === 'pat.agent@example.org');
    if (!agent) throw new Error('the agent exists');
    await signIn(page, 'console', { email: agent.email, password: strongPassword });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    await custos.runtime.services.operators.revokeSessions(cli, agent.id);
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await context.close();
  });
});
