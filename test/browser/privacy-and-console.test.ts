import { faker } from '@faker-js/faker';
import { Secret, TOTP } from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOperator, type OperatorFixture } from '../helpers/factories.js';
import { confirmationCodeFor, workRegistrations } from '../helpers/privacy-center.js';
import {
  expectAccessible,
  launchChromium,
  openContext,
  type RunningCustos,
  screenshot,
  startCustos,
  viewports,
} from './browser.js';

faker.seed(97);

const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

/** The code an authenticator app shows for `secret` at `timestamp`. */
function totpAt(secret: string, timestamp: number): string {
  return new TOTP({
    secret: Secret.fromBase32(secret.replaceAll(' ', '')),
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
  }).generate({ timestamp });
}

/** Types the confirmation code e-mailed to `email`, read from the outbox through the API by an operator. */
async function confirmWithEmailedCode(custos: RunningCustos, page: Page, email: string) {
  await page.getByLabel('Confirmation code').fill(await confirmationCodeFor(custos, email));
  await page.getByRole('button', { name: 'Confirm and sign in' }).click();
}

describe('a data subject and the privacy team, in the browser', () => {
  let custos: RunningCustos;
  let browser: Browser;
  let operator: OperatorFixture;
  const subject = {
    name: faker.person.fullName(),
    email: faker.internet.email({ provider: 'example.org' }).toLowerCase(),
    password: 'lantern-orchard-velvet-9-compass',
  };

  beforeAll(async () => {
    custos = await startCustos({
      env: { CUSTOS_BRAND_NAME: 'Northwind Outfitters', CUSTOS_BRAND_COLOR: '#0f766e' },
    });
    browser = await launchChromium();
    const purposes = custos.runtime.services.purposes;
    const base = {
      description: '',
      specialCategoryCondition: null,
      dataCategories: ['user.contact.email'],
      reconsentOnChange: true,
    };
    await purposes.create(system, {
      ...base,
      key: 'newsletter',
      name: 'Newsletter',
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      ccpa: { sale: false, sharing: false, sensitive: false },
      text: 'We e-mail you our newsletter with new products and offers, at most twice a month.',
    });
    await purposes.create(system, {
      ...base,
      key: 'partner_offers',
      name: 'Offers from partners',
      legalBasis: 'consent',
      dataUses: ['marketing.advertising.third_party.targeted'],
      ccpa: { sale: false, sharing: true, sensitive: false },
      text: 'We share your e-mail address with selected partners so they can show you their offers.',
    });
    await purposes.create(system, {
      ...base,
      key: 'fraud_prevention',
      name: 'Fraud prevention',
      legalBasis: 'legitimate_interests',
      dataUses: ['essential.fraud_detection'],
      ccpa: { sale: false, sharing: false, sensitive: false },
      text: 'We check orders and sign-ins for signs of fraud to protect you and us.',
    });
    operator = await createOperator(custos, { roles: ['admin'], email: 'dana.privacy@example.org' });
  });

  afterAll(async () => {
    await browser?.close();
    await custos?.close();
  });

  it('lets a subject register with consent, withdraw one, ask for erasure; the team verifies and erases; the data is gone from both views', async () => {
    // ---- The data subject, in their own browser. ----
    const person = await openContext(browser, custos.baseUrl);
    const me = person.page;
    await me.goto('/privacy/');
    await expect
      .poll(() => me.getByRole('heading', { level: 1 }).textContent())
      .toContain('Northwind Outfitters');
    await expectAccessible(me, 'privacy home');
    await screenshot(me, 'privacy-home');

    await me.getByRole('link', { name: 'Create an account' }).first().click();
    await me.getByLabel('Your name').fill(subject.name);
    await me.getByLabel('E-mail address').fill(subject.email);
    await me.getByLabel('Password').fill(subject.password);
    const newsletter = me.getByRole('checkbox', { name: 'Newsletter' });
    const partners = me.getByRole('checkbox', { name: 'Offers from partners' });
    // Nothing is pre-ticked.
    expect(await newsletter.isChecked()).toBe(false);
    expect(await partners.isChecked()).toBe(false);
    await newsletter.check();
    await partners.check();
    await expectAccessible(me, 'privacy registration');
    await screenshot(me, 'privacy-register');
    await me.getByRole('button', { name: 'Create account' }).click();

    // The account opens once the code e-mailed to the address is entered; a mistyped one says so.
    await me.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    await me.getByLabel('Confirmation code').fill('00000000');
    await me.getByRole('button', { name: 'Confirm and sign in' }).click();
    await me.getByRole('alert').filter({ hasText: 'This code does not confirm the address' }).waitFor();
    await expectAccessible(me, 'privacy check your e-mail');
    await screenshot(me, 'privacy-check-email');
    await confirmWithEmailedCode(custos, me, subject.email);

    await me.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
    await me.getByText(subject.email).waitFor();
    await me.getByText(subject.name).waitFor();
    await expectAccessible(me, 'privacy my data');
    await screenshot(me, 'privacy-my-data');

    await me.getByRole('link', { name: 'Consents' }).click();
    await me.getByRole('heading', { level: 1, name: 'Consents' }).waitFor();
    await me.getByRole('button', { name: 'Withdraw consent: Newsletter' }).click();
    await me.getByRole('button', { name: 'Give consent: Newsletter' }).waitFor();
    await me.getByText('Withdrew: Newsletter').waitFor();
    await expectAccessible(me, 'privacy consents');
    await screenshot(me, 'privacy-consents');

    await me.getByRole('link', { name: 'Requests' }).click();
    await me.getByRole('radio', { name: /Erasure/ }).check();
    await me.getByRole('button', { name: 'Send request' }).click();
    await me.getByText('Your request was sent').waitFor();
    await me.getByText(/answer due by/).waitFor();
    await expectAccessible(me, 'privacy requests');
    await screenshot(me, 'privacy-requests');

    const standing = await custos.runtime.services.consentChecks.standing(
      (await custos.runtime.services.records.searchSubjects(system, { email: subject.email }))[0]?.id ?? '',
    );
    expect(Object.fromEntries(standing.map((item) => [item.purpose, item.choice?.status ?? null]))).toEqual({
      newsletter: 'withdrawn',
      partner_offers: 'granted',
      fraud_prevention: null,
    });

    // ---- The privacy team: sign-in with MFA enrolment, then again with a TOTP code. ----
    const team = await openContext(browser, custos.baseUrl);
    const console_ = team.page;
    await console_.goto('/console/');
    await console_.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectAccessible(console_, 'console sign-in');
    await console_.getByLabel('E-mail address').fill(operator.email);
    await console_.getByLabel('Password').fill(operator.password);
    await console_.getByRole('button', { name: 'Sign in' }).click();

    await console_.getByRole('heading', { level: 1, name: 'Set up two-step verification' }).waitFor();
    await console_.getByRole('img', { name: 'QR code with your authenticator key' }).waitFor();
    await expectAccessible(console_, 'console MFA enrolment');
    await console_.getByText('Cannot scan? Enter the key by hand').click();
    const secret = (await console_.getByTestId('mfa-secret').textContent()) ?? '';
    await console_.getByLabel('Six-digit code').fill(totpAt(secret, Date.now()));
    await console_.getByRole('button', { name: 'Turn on' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Save your recovery codes' }).waitFor();
    await console_.getByRole('button', { name: /continue/ }).click();
    await console_.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();

    await console_.getByRole('button', { name: 'Sign out' }).click();
    await console_.getByText('You have signed out.').waitFor();
    await console_.getByLabel('E-mail address').fill(operator.email);
    await console_.getByLabel('Password').fill(operator.password);
    await console_.getByRole('button', { name: 'Sign in' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Two-step verification' }).waitFor();
    // The next time step: the enrolment used this one, and no code is accepted twice.
    await console_.getByLabel('Six-digit code').fill(totpAt(secret, Date.now() + 30_000));
    await console_.getByRole('button', { name: 'Verify' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await console_.getByRole('link', { name: /Open requests/ }).waitFor();
    await console_.getByRole('img', { name: /Consent grants and withdrawals per day/ }).waitFor();
    await expectAccessible(console_, 'console dashboard');
    await screenshot(console_, 'console-dashboard');

    // The subject, as the team sees them: masked, then revealed for a stated purpose (audited).
    await console_.getByRole('link', { name: 'Subjects' }).click();
    await console_.getByLabel('E-mail address').fill(subject.email);
    await console_.getByRole('button', { name: 'Search' }).click();
    await console_.getByText('1 subject found').waitFor();
    await console_.getByRole('table', { name: 'Matching subjects' }).getByRole('link').click();
    await console_.getByRole('button', { name: 'Show records (masked)' }).click();
    await console_.getByText('(masked)').first().waitFor();
    expect(await console_.getByText(subject.email).count()).toBe(0);
    await console_.getByRole('button', { name: 'Reveal values…' }).click();
    const reveal = console_.getByRole('dialog', { name: 'Reveal personal data' });
    await reveal.getByLabel('Purpose').selectOption('dsr_fulfilment');
    await reveal.getByRole('button', { name: 'Reveal' }).click();
    await console_.getByText(subject.email).waitFor();
    await expectAccessible(console_, 'console subject');
    await screenshot(console_, 'console-subject');

    // The erasure request: filed from a signed-in account whose address is confirmed, so the session
    // verified the requester; start, erase, complete.
    await console_.getByRole('link', { name: 'Requests' }).first().click();
    await console_.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    await console_.getByLabel('Right').selectOption('erasure');
    await console_.getByRole('link', { name: 'Erasure' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Erasure request' }).waitFor();
    const identity = console_.getByRole('status').filter({ hasText: 'Identity verified' });
    await identity.getByText(/authenticated subject/i).waitFor();
    expect(await console_.getByText('Not verified yet').count()).toBe(0);
    await expectAccessible(console_, 'console request');
    await console_.getByRole('button', { name: 'Start work' }).click();
    await console_.getByRole('button', { name: 'Erase the subject’s data' }).click();
    const erase = console_.getByRole('dialog', { name: 'Erase the subject’s data?' });
    await erase.getByLabel('Type ERASE to confirm').fill('ERASE');
    await erase.getByRole('button', { name: 'Erase permanently' }).click();
    await console_.getByRole('status').filter({ hasText: 'The data key is deleted' }).waitFor();
    // No downstream system holds a copy, so the erasure completes the request.
    await console_.getByText(/This request is closed \(Completed/).waitFor();
    await expectAccessible(console_, 'console completed request');
    await screenshot(console_, 'console-request');

    // Gone from the team's view: search finds nothing, the subject page says erased.
    await console_.getByRole('link', { name: 'Subjects' }).click();
    await console_.getByLabel('E-mail address').fill(subject.email);
    await console_.getByRole('button', { name: 'Search' }).click();
    await console_.getByText('0 subjects found').waitFor();

    // The audit log holds the story, and its chain verifies.
    await console_.getByRole('link', { name: 'Audit log' }).click();
    await console_.getByRole('button', { name: 'Verify chain' }).click();
    await console_.getByText('The audit log is intact').waitFor();
    await console_.getByText('request.erasure.applied').first().waitFor();
    await expectAccessible(console_, 'console audit log');
    await screenshot(console_, 'console-audit', { fullPage: false });

    // Without an SMTP server, the notice to the subject waits in the outbox for the team to pass on.
    await console_.getByRole('link', { name: 'Mail outbox' }).click();
    await console_.getByRole('heading', { level: 1, name: 'Mail outbox' }).waitFor();
    await console_.getByText(`to ${subject.email}`).first().waitFor();
    await expectAccessible(console_, 'console outbox');

    // Gone from the subject's view: their session ended with the account, and the password no longer works.
    await me.getByRole('link', { name: 'My data' }).click();
    await me.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await me.getByText('Your session has ended. Sign in again to continue.').waitFor();
    await me.getByLabel('E-mail address').fill(subject.email);
    await me.getByLabel('Password').fill(subject.password);
    await me.getByRole('button', { name: 'Sign in' }).click();
    await me.getByText('The e-mail address or password is incorrect.').waitFor();

    expect(person.problems).toEqual([]);
    expect(team.problems).toEqual([]);
    await person.context.close();
    await team.context.close();
  });

  it('works at phone width: the privacy center and the console menu', async () => {
    const phone = await openContext(browser, custos.baseUrl, viewports.phone);
    await phone.page.goto('/privacy/register');
    await phone.page.getByRole('heading', { level: 1, name: 'Create an account' }).waitFor();
    await expectAccessible(phone.page, 'privacy registration on a phone');
    await screenshot(phone.page, 'privacy-register-phone');

    // A privacy agent (no MFA required for the role by default) on a phone: the navigation is a menu.
    const agent = await createOperator(custos, { roles: ['privacy_agent'] });
    await phone.page.goto('/console/login');
    await phone.page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await expectAccessible(phone.page, 'console sign-in on a phone');
    await phone.page.getByLabel('E-mail address').fill(agent.email);
    await phone.page.getByLabel('Password').fill(agent.password);
    await phone.page.getByRole('button', { name: 'Sign in' }).click();
    await phone.page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const navigation = phone.page.getByRole('navigation', { name: 'Main' });
    expect(await navigation.isVisible()).toBe(false);
    const menu = phone.page.getByRole('button', { name: 'Menu' });
    expect(await menu.getAttribute('aria-expanded')).toBe('false');
    await menu.click();
    expect(await menu.getAttribute('aria-expanded')).toBe('true');
    await navigation.waitFor();
    // Navigation follows the role: an agent works requests but does not manage operators or keys.
    expect(await navigation.getByRole('link', { name: 'Requests' }).isVisible()).toBe(true);
    expect(await navigation.getByRole('link', { name: 'Operators & roles' }).count()).toBe(0);
    await expectAccessible(phone.page, 'console menu on a phone');
    await screenshot(phone.page, 'console-menu-phone', { fullPage: false });
    await navigation.getByRole('link', { name: 'Requests' }).click();
    await phone.page.getByRole('heading', { level: 1, name: 'Requests' }).waitFor();
    expect(await navigation.isVisible()).toBe(false);
    await expectAccessible(phone.page, 'console requests on a phone');
    expect(phone.problems).toEqual([]);
    await phone.context.close();
  });

  it('honours Global Privacy Control from the browser', async () => {
    const browserWithGpc = await browser.newContext({
      baseURL: custos.baseUrl,
      extraHTTPHeaders: { 'Sec-GPC': '1' },
    });
    // What a browser with Global Privacy Control turned on reports to the page.
    await browserWithGpc.addInitScript(
      "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true });",
    );
    const page = await browserWithGpc.newPage();
    await page.goto('/privacy/register');
    await page.getByText('Global Privacy Control is on').waitFor();
    await page.getByText('your browser’s Global Privacy Control says no to this').waitFor();
    await page.getByLabel('Your name').fill(faker.person.fullName());
    await page.getByLabel('E-mail address').fill('gpc.user@example.org');
    await page.getByLabel('Password').fill(subject.password);
    await page.getByRole('checkbox', { name: 'Newsletter' }).check();
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    await confirmWithEmailedCode(custos, page, 'gpc.user@example.org');
    await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();
    await page.getByRole('link', { name: 'Consents' }).click();
    await page.getByText('we have opted you out of every purpose that would').waitFor();
    const [found] = await custos.runtime.services.records.searchSubjects(system, {
      email: 'gpc.user@example.org',
    });
    const standing = await custos.runtime.services.consentChecks.standing(found?.id ?? '');
    const partners = standing.find((item) => item.purpose === 'partner_offers');
    expect(partners?.allowed).toBe(false);
    expect(standing.find((item) => item.purpose === 'newsletter')?.allowed).toBe(true);
    await browserWithGpc.close();
  });

  it('shows each failed action’s reason, never raw JSON', async () => {
    const visitor = await openContext(browser, custos.baseUrl);
    const page = visitor.page;
    await page.goto('/privacy/register');
    await page.getByLabel('Your name').fill('Sam Weak');
    await page.getByLabel('E-mail address').fill('sam.weak@example.org');
    await page.getByLabel('Password').fill('password1234');
    await page.getByRole('button', { name: 'Create account' }).click();
    const alert = page.getByRole('alert').first();
    await alert.waitFor();
    expect(await alert.textContent()).toContain('This password is too easy to guess.');
    expect(await page.locator('body').textContent()).not.toMatch(/"(type|code|status)"\s*:/);

    // Signing in before confirming the address: with the right password, what to do about it.
    const pending = { name: 'Sam Pending', email: 'sam.pending@example.org' };
    await page.getByLabel('Password').fill(subject.password);
    await page.getByLabel('Your name').fill(pending.name);
    await page.getByLabel('E-mail address').fill(pending.email);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { level: 1, name: 'Check your e-mail' }).waitFor();
    // The registration's job makes the account, as the worker would.
    await workRegistrations(custos);
    await page.getByRole('link', { name: 'Sign in' }).first().click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    await page.getByLabel('E-mail address').fill(pending.email);
    await page.getByLabel('Password').fill(subject.password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('alert').filter({ hasText: 'Confirm your e-mail address first' }).waitFor();
    await expectAccessible(page, 'privacy sign-in before confirming');
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page.getByText('we have sent a new code to it').waitFor();
    await page.getByRole('link', { name: 'Enter the code' }).click();
    await page.getByRole('heading', { level: 1, name: 'Confirm your e-mail address' }).waitFor();
    expect(await page.getByLabel('E-mail address').inputValue()).toBe(pending.email);
    expect(page.url()).not.toContain('sam.pending');
    await expectAccessible(page, 'privacy confirm e-mail');
    await confirmWithEmailedCode(custos, page, pending.email);
    await page.getByRole('heading', { level: 1, name: 'My data' }).waitFor();

    await page.goto('/console/login');
    await page.getByLabel('E-mail address').fill(operator.email);
    await page.getByLabel('Password').fill('not-the-right-password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('The e-mail address or password is incorrect.').waitFor();
    expect(visitor.problems).toEqual([]);
    await visitor.context.close();
  });
});
