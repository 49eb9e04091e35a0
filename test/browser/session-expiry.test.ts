import { faker } from '@faker-js/faker';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/lib/clock.js';
import { createOperator, strongPassword } from '../helpers/factories.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import { custosInChromium, expectAccessible, openContext, screenshot, signIn } from './browser.js';

faker.seed(977);

const minute = 60_000;
const expiredMessage = 'Your session expired, please sign in again.';

/**
 * Sessions that run out while a page is open: a warning two minutes before (an alert dialog offering to
 * stay signed in), and at the end a return to sign-in with the reason, then back to the page. Time is moved
 * on both sides at once: the server's clock runs ahead by `skip`, and the browser's clock jumps as far.
 */
describe('session expiry in the console and the privacy center', () => {
  let ahead = 0;
  const clock: Clock = { now: () => new Date(Date.now() + ahead) };

  async function skip(page: Page, ms: number) {
    ahead += ms;
    await page.clock.fastForward(ms);
  }

  const suite = custosInChromium({
    clock,
    env: { CUSTOS_SESSION_IDLE_TIMEOUT: '30m', CUSTOS_PRIVACY_SESSION_IDLE_TIMEOUT: '30m' },
  });

  it('warns an idle operator, keeps the session on “Stay signed in”, and after expiry signs in back to the page', async () => {
    const { custos, browser } = suite;
    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await context.clock.install();
    await signIn(page, 'console', { email: agent.email, password: agent.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    const where = new URL(page.url()).pathname;

    // Idle for 28 minutes of 30: the warning, focused on staying signed in.
    await skip(page, 28 * minute + 10_000);
    const warning = page.getByRole('alertdialog', { name: 'Your session is about to expire' });
    await warning.waitFor();
    // Focus lands on "Stay signed in": Enter keeps the session.
    await expect(
      warning.getByRole('button', { name: 'Stay signed in' }).evaluate((button) => {
        const scope = globalThis as unknown as { document: { activeElement: unknown } };
        return button === scope.document.activeElement;
      }),
    ).resolves.toBe(true);
    expect(await warning.textContent()).toMatch(/your session ends in (2 minutes|1 minute|\d+ seconds)/);
    await expectAccessible(page, 'console expiry warning');
    await screenshot(page, 'console-session-expiry', { fullPage: false });
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    await warning.waitFor({ state: 'detached' });

    // Still signed in twenty minutes later: staying signed in moved the deadline.
    await skip(page, 20 * minute);
    await page.getByRole('link', { name: 'Subjects' }).click();
    await page.getByRole('heading', { level: 1, name: 'Subjects' }).waitFor();
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();

    // Left alone past the deadline: sign-in, with the reason, and back to the page afterwards.
    await skip(page, 31 * minute);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText(expiredMessage).waitFor();
    await expectAccessible(page, 'console sign-in after expiry');
    await page.getByLabel('E-mail address').fill(agent.email);
    await page.getByLabel('Password').fill(agent.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    expect(new URL(page.url()).pathname).toBe(where);
    expect(await page.locator('body').textContent()).not.toMatch(/"(code|reason|status)"/);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('sends an operator whose session ran out to sign-in on the next call, without waiting for the timer', async () => {
    const { custos, browser } = suite;
    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    const { page, context } = await openContext(browser, custos.baseUrl);
    await signIn(page, 'console', { email: agent.email, password: agent.password });
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    // Only the server's time moves (a laptop that slept): the next call answers 401.
    ahead += 45 * minute;
    await page.getByRole('link', { name: 'Requests', exact: true }).click();
    await page.getByText(expiredMessage).waitFor();
    await page.getByLabel('E-mail address').fill(agent.email);
    await page.getByLabel('Password').fill(agent.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    await context.close();
  });

  it('warns a data subject in the privacy center the same way, and returns them to their page', async () => {
    const { custos, browser } = suite;
    const email = faker.internet.email().toLowerCase();
    await registerConfirmed(custos, {
      name: faker.person.fullName(),
      email,
      password: strongPassword,
      consents: [],
    });
    const { page, context, problems } = await openContext(browser, custos.baseUrl);
    await context.clock.install();
    await signIn(page, 'privacy', { email, password: strongPassword });
    await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
    await page.getByRole('link', { name: 'Consents' }).click();
    await page.getByRole('heading', { level: 1, name: 'Consents' }).waitFor();

    await skip(page, 28 * minute + 10_000);
    const warning = page.getByRole('alertdialog', { name: 'Your session is about to expire' });
    await warning.waitFor();
    await expectAccessible(page, 'privacy center expiry warning');
    await warning.getByRole('button', { name: 'Stay signed in' }).click();
    await warning.waitFor({ state: 'detached' });

    await skip(page, 20 * minute);
    await expect(page.getByRole('heading', { level: 1, name: 'Consents' }).isVisible()).resolves.toBe(true);

    await skip(page, 31 * minute);
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByText(expiredMessage).waitFor();
    await expectAccessible(page, 'privacy center sign-in after expiry');
    await page.getByLabel('E-mail address').fill(email);
    await page.getByLabel('Password').fill(strongPassword);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Consents' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/privacy/account/consents');
    expect(problems).toEqual([]);
    await context.close();
  });
});
