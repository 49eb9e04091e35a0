import { faker } from '@faker-js/faker';

import { describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator, strongPassword } from '../helpers/factories.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(5150);

describe('rectification: the subject says what to correct, the team applies it', () => {
  const suite = custosInChromium();

  it('picks a field of My data, gives the correct value, and an operator applies exactly that', async () => {
    const { custos, browser } = suite;
    const person = { name: faker.person.fullName(), email: faker.internet.email().toLowerCase() };
    const corrected = `${faker.person.firstName()} ${faker.person.lastName()}-Correct`;
    await registerConfirmed(custos, { ...person, password: strongPassword, consents: [] });

    const subject = await openContext(browser, custos.baseUrl);
    const me = subject.page;
    await signIn(me, 'privacy', { email: person.email, password: strongPassword });
    await me.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
    await me.getByRole('link', { name: 'Requests' }).click();
    await me.getByRole('radio', { name: /^Rectification/ }).check();
    const correction = me.getByRole('group', { name: 'Correction 1' });
    await correction
      .getByLabel('Which information is wrong?')
      .selectOption({ label: 'Privacy center account › Your name' });
    await correction.getByText(`We hold: ${person.name}`).waitFor();

    // A value that does not fit is explained at the field; nothing is sent.
    await correction.getByLabel('The correct value').fill('');
    await me.getByRole('button', { name: 'Send request' }).click();
    await me.getByText('Enter the correct value for “Privacy center account › Your name”.').waitFor();

    await correction.getByLabel('The correct value').fill(corrected);
    await expectAccessible(me, 'privacy center rectification');
    await screenshot(me, 'privacy-rectification');
    await me.getByRole('button', { name: 'Send request' }).click();
    await me.getByText('You asked us to correct: Privacy center account › Your name.').waitFor();
    await me.getByRole('listitem').filter({ hasText: 'Rectification' }).first().waitFor();
    expect(subject.problems).toEqual([]);

    // The team verifies the requester and starts work; the operator sees what was asked for, filled in.
    const requests = await custos.app.inject({
      method: 'GET',
      url: '/v1/requests?type=rectification',
      headers: await actAs(custos, 'dpo'),
    });
    const requestId = requests.json().items[0].id as string;
    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const operator = await openContext(browser, custos.baseUrl);
    const page = operator.page;
    await page.goto(`/console/requests/${requestId}`);
    await page.getByLabel('E-mail address').fill(agent.email);
    await page.getByLabel('Password').fill(agent.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: /Rectification/ }).waitFor();
    const headers = await actAs(custos, 'privacy_agent');
    // Filed from a signed-in account whose address is confirmed: the session verified the requester.
    const moved = await custos.app.inject({
      method: 'POST',
      url: `/v1/requests/${requestId}/transitions`,
      headers,
      payload: { to: 'in_progress' },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    await page.reload();
    await page.getByRole('button', { name: 'Show the values to correct' }).click();
    const asked = page.getByRole('status').filter({ hasText: 'The subject asked for these corrections' });
    await asked.getByText(`privacy_center_account › name: ${corrected}`).waitFor();
    expect(await page.getByLabel('name', { exact: true }).inputValue()).toBe(corrected);
    await expectAccessible(page, 'console rectification with the subject’s corrections');
    await page.getByRole('button', { name: 'Apply corrections' }).click();
    await page.getByText('1 value corrected.').waitFor();
    expect(operator.problems).toEqual([]);
    await operator.context.close();

    // The subject sees the corrected value.
    await me.getByRole('link', { name: 'My data' }).click();
    await me.getByText(corrected).waitFor();
    await subject.context.close();
  });
});
