import { generateKeyPairSync, sign } from 'node:crypto';
import { faker } from '@faker-js/faker';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import {
  launchChromium,
  openContext,
  type RunningCustos,
  seriousA11yViolations,
  startCustos,
} from './browser.js';

faker.seed(1798_2);

const businessId = 'NORTHWIND';
const agentId = 'CONSUMER_AGENT';

/** An authorized agent's key pair, and its messages signed as DRP §3.07.1 asks (combined mode, base64). */
function newAgentKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const { x } = publicKey.export({ format: 'jwk' });
  const signed = (document: object) => {
    const bytes = Buffer.from(JSON.stringify(document), 'utf8');
    return Buffer.concat([sign(null, bytes, privateKey), bytes]).toString('base64');
  };
  return { verifyKey: Buffer.from(x as string, 'base64url').toString('base64'), signed };
}

describe('a consumer confirming a DRP opt-in at the verification page, in the browser', () => {
  let custos: RunningCustos;
  let browser: Browser;
  let dpo: AuthHeaders;
  const keys = newAgentKeys();
  const email = faker.internet.email({ provider: 'example.org' }).toLowerCase();
  let subjectId: string;

  const inject = (method: 'GET' | 'POST', url: string, headers: AuthHeaders, payload?: unknown) =>
    custos.app.inject({ method, url, headers, ...(payload ? { payload: payload as object } : {}) });

  function envelope() {
    const now = Date.now();
    return {
      'agent-id': agentId,
      'business-id': businessId,
      'issued-at': new Date(now - 1000).toISOString(),
      'expires-at': new Date(now + 600_000).toISOString(),
      'drp.version': '1.0',
    };
  }

  beforeAll(async () => {
    custos = await startCustos({
      env: { CUSTOS_BRAND_NAME: 'Northwind Outfitters', CUSTOS_DRP_BUSINESS_ID: businessId },
    });
    browser = await launchChromium();
    dpo = await actAs(custos, 'dpo');
    const agent = await inject('POST', '/v1/drp/agents', dpo, {
      id: agentId,
      name: 'Consumer Rights Agent',
      verifyKey: keys.verifyKey,
    });
    expect(agent.statusCode, agent.body).toBe(201);
    const purpose = await inject('POST', '/v1/consent/purposes', dpo, {
      key: 'partner_sale',
      name: 'Selling data to partners',
      legalBasis: 'consent',
      dataUses: ['marketing.advertising.third_party'],
      ccpa: { sale: true },
      text: 'We sell your e-mail address to selected partners.',
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
    const collection = await inject('POST', '/v1/collections', dpo, {
      name: 'customers',
      fields: [
        {
          name: 'email',
          type: 'email',
          category: 'user.contact.email',
          classification: 'confidential',
          indexed: true,
        },
      ],
    });
    expect(collection.statusCode, collection.body).toBe(201);
    const service = await actAs(custos, 'service');
    const subject = await inject('POST', '/v1/subjects', service, { externalId: faker.string.uuid() });
    subjectId = subject.json().id;
    await inject('POST', `/v1/subjects/${subjectId}/records`, service, {
      collection: 'customers',
      fields: { email },
    });
  });

  afterAll(async () => {
    await browser?.close();
    await custos?.close();
  });

  it('sends a code, needs the opt-in confirmed, records it, and returns to the agent', async () => {
    const headers = { 'content-type': 'text/plain' };
    const paired = await custos.app.inject({
      method: 'POST',
      url: `/v1/agent/${agentId}`,
      headers,
      payload: keys.signed(envelope()),
    });
    expect(paired.statusCode, paired.body).toBe(200);
    const exercised = await custos.app.inject({
      method: 'POST',
      url: '/v1/data-rights-request',
      headers: { ...headers, authorization: `Bearer ${paired.json().token}` },
      payload: keys.signed({ ...envelope(), exercise: 'sale:opt-in', email, email_verified: true }),
    });
    expect(exercised.statusCode, exercised.body).toBe(200);
    const status = exercised.json();
    expect(status.reason).toBe('need_user_verification');

    const { page, problems, context } = await openContext(browser, custos.baseUrl);
    const back = `${custos.baseUrl}/privacy/?returned=1`;
    const query = new URLSearchParams({ request_id: status.request_id, redirect_to: back });
    await page.goto(`${new URL(status.user_verification_url).pathname}?${query}`);
    await page.getByRole('heading', { level: 1, name: 'Confirm your request' }).waitFor();
    await page.getByText('Consumer Rights Agent asked us on your behalf to opt in').waitFor();
    expect(await seriousA11yViolations(page)).toEqual([]);

    await page.getByRole('button', { name: 'E-mail me a code' }).click();
    await page.getByText('Code sent.').waitFor();
    const outbox = await inject('GET', '/v1/outbox?limit=50', await actAs(custos, 'privacy_agent'));
    const message = outbox
      .json()
      .items.find(
        (item: { kind: string; reference: { id: string } | null }) =>
          item.kind === 'request.verification_code' && item.reference?.id === status.request_id,
      );
    const code = /code: (\d{6})/.exec(message.content.text)?.[1] as string;

    await page.getByLabel('Code from the e-mail').fill(code);
    const submit = page.getByRole('button', { name: 'Confirm and opt in' });
    expect(await submit.isDisabled()).toBe(true);
    await page.getByRole('checkbox', { name: /Yes, I want to opt in/ }).check();
    await submit.click();
    await page.waitForURL(back);

    const check = await inject('POST', '/v1/consent/check', await actAs(custos, 'service'), {
      subject: { id: subjectId },
      purposes: ['partner_sale'],
    });
    expect(check.json().results[0]).toMatchObject({ allowed: true, reason: 'granted' });
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows a link whose request id names another request as not found', async () => {
    const { page, context } = await openContext(browser, custos.baseUrl);
    await page.goto(`/privacy/verify/${faker.string.uuid()}?request_id=${faker.string.uuid()}`);
    await page.getByRole('alert').filter({ hasText: 'There is no verification at this link.' }).waitFor();
    await page.goto(`/privacy/verify/${faker.string.uuid()}`);
    await page.getByRole('alert').filter({ hasText: 'This link is incomplete' }).waitFor();
    await context.close();
  });
});
