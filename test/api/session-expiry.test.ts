import { faker } from '@faker-js/faker';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { createOperator, strongPassword } from '../helpers/factories.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2311);

const idleHeader = 'x-session-idle-expires-in';
const endHeader = 'x-session-expires-in';
const minute = 60_000;

function cookieOf(response: LightMyRequestResponse, name: string): string {
  const cookie = response.cookies.find((entry) => entry.name === name);
  if (!cookie) throw new Error(`no ${name} cookie (status ${response.statusCode}: ${response.body})`);
  return `${name}=${cookie.value}`;
}

describe('sessions say when they expire, so the web apps can warn first', () => {
  const clock = fixedClock('2026-06-01T08:00:00Z');
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      clock,
      env: { CUSTOS_SESSION_IDLE_TIMEOUT: '30m', CUSTOS_PRIVACY_SESSION_IDLE_TIMEOUT: '20m' },
    });
  });
  afterAll(() => t.close());

  const at = (offsetMs: number) => new Date(clock.now().getTime() + offsetMs).toISOString();

  it('answers an operator’s idle deadline at sign-in, in the session and on every signed-in call, and moves it with activity', async () => {
    const agent = await createOperator(t, { roles: ['privacy_agent'] });
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: agent.email, password: agent.password },
    });
    expect(login.statusCode, login.body).toBe(200);
    expect(login.json()).toMatchObject({ idleExpiresAt: at(30 * minute), expiresAt: at(12 * 60 * minute) });
    // Counted down in seconds on the server's clock, so a browser whose clock is off still warns in time.
    expect(login.headers[idleHeader]).toBe(String(30 * 60));
    expect(login.headers[endHeader]).toBe(String(12 * 60 * 60));
    const cookie = cookieOf(login, 'custos_session');

    const session = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(session.json().session).toMatchObject({ idleExpiresAt: at(30 * minute) });
    expect(session.headers[idleHeader]).toBe(String(30 * 60));

    // Activity within a minute of the last does not move the deadline (sessions are touched once a minute).
    clock.advance(30_000);
    const soon = await t.app.inject({ method: 'GET', url: '/v1/requests', headers: { cookie } });
    expect(soon.statusCode).toBe(200);
    expect(soon.headers[idleHeader]).toBe(String(30 * 60 - 30));
    expect(soon.headers[endHeader]).toBe(String(12 * 60 * 60 - 30));

    // Any signed-in call after that moves it: "stay signed in" is any call.
    clock.advance(28 * minute);
    const later = await t.app.inject({ method: 'GET', url: '/v1/console/settings', headers: { cookie } });
    expect(later.headers[idleHeader]).toBe(String(30 * 60));
    const again = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(again.json().session.idleExpiresAt).toBe(at(30 * minute));

    // Left idle past the deadline, the session is gone, and the answer says why.
    clock.advance(30 * minute);
    const expired = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ reason: 'session_expired' });
    expect(expired.headers[idleHeader]).toBeUndefined();
  });

  it('never promises more than the absolute timeout', async () => {
    const agent = await createOperator(t, { roles: ['privacy_agent'] });
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: agent.email, password: agent.password },
    });
    const cookie = cookieOf(login, 'custos_session');
    const end = login.json().expiresAt as string;
    for (let elapsed = 0; elapsed < 12 * 60; elapsed += 25) {
      clock.advance(25 * minute);
      const response = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: { cookie } });
      if (response.statusCode !== 200) break;
      expect(Date.parse(response.json().session.idleExpiresAt)).toBeLessThanOrEqual(Date.parse(end));
      expect(Number(response.headers[idleHeader])).toBeLessThanOrEqual(Number(response.headers[endHeader]));
    }
    expect(clock.now().getTime()).toBeGreaterThanOrEqual(Date.parse(end));
  });

  it('tells a data subject the same in the privacy center, under its own idle timeout', async () => {
    const email = faker.internet.email().toLowerCase();
    const subject = await registerConfirmed(t, {
      name: faker.person.fullName(),
      email,
      password: strongPassword,
      consents: [],
    });
    const session = await t.app.inject({
      method: 'GET',
      url: '/v1/privacy/session',
      headers: subject.headers,
    });
    expect(session.statusCode, session.body).toBe(200);
    const idle = session.json().idleExpiresAt as string;
    expect(Date.parse(idle)).toBeLessThanOrEqual(clock.now().getTime() + 20 * minute);
    expect(Date.parse(idle)).toBeGreaterThan(clock.now().getTime() + 19 * minute);
    expect(Number(session.headers[idleHeader]) * 1000).toBe(Date.parse(idle) - clock.now().getTime());

    clock.advance(15 * minute);
    const data = await t.app.inject({ method: 'GET', url: '/v1/privacy/me/data', headers: subject.headers });
    expect(data.statusCode).toBe(200);
    expect(data.headers[idleHeader]).toBe(String(20 * 60));

    clock.advance(21 * minute);
    const expired = await t.app.inject({
      method: 'GET',
      url: '/v1/privacy/session',
      headers: subject.headers,
    });
    expect(expired.statusCode).toBe(401);
    expect(expired.json()).toMatchObject({ reason: 'session_expired' });
  });

  it('sends no deadline to API keys or anonymous callers', async () => {
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/privacy/config' });
    expect(anonymous.headers[idleHeader]).toBeUndefined();
    expect(anonymous.headers[endHeader]).toBeUndefined();
    const { key } = await t.runtime.services.apiKeys.create(
      { actor: { type: 'system', id: 'tests' }, requestId: null, ip: null },
      { kind: 'root' },
      { name: 'reader', permissions: ['consent.purposes.read'] },
    );
    const withKey = await t.app.inject({
      method: 'GET',
      url: '/v1/consent/purposes',
      headers: { authorization: `Bearer ${key}` },
    });
    expect(withKey.statusCode).toBe(200);
    expect(withKey.headers[idleHeader]).toBeUndefined();
  });
});

describe('the taxonomy', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('lists data categories (special categories marked), data uses and subject types to any signed-in caller', async () => {
    const agent = await createOperator(t, { roles: ['auditor'] });
    const login = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email: agent.email, password: agent.password },
    });
    const cookie = cookieOf(login, 'custos_session');
    const categories = await t.app.inject({
      method: 'GET',
      url: '/v1/taxonomy/data_category',
      headers: { cookie },
    });
    expect(categories.statusCode, categories.body).toBe(200);
    const items = categories.json().items as { key: string; name: string; specialCategory: boolean }[];
    expect(items.find((term) => term.key === 'user.contact.email')).toMatchObject({ specialCategory: false });
    expect(items.find((term) => term.key === 'user.health_and_medical')).toMatchObject({
      specialCategory: true,
    });
    const uses = await t.app.inject({ method: 'GET', url: '/v1/taxonomy/data_use', headers: { cookie } });
    const useKeys = (uses.json().items as { key: string; specialCategory: boolean }[]).map(
      (term) => term.key,
    );
    expect(useKeys).toContain('marketing.communications.email');
    expect((uses.json().items as { specialCategory: boolean }[]).every((term) => !term.specialCategory)).toBe(
      true,
    );

    const unknown = await t.app.inject({ method: 'GET', url: '/v1/taxonomy/colours', headers: { cookie } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.headers['content-type']).toContain('application/problem+json');
    const anonymous = await t.app.inject({ method: 'GET', url: '/v1/taxonomy/data_use' });
    expect(anonymous.statusCode).toBe(401);
  });
});
