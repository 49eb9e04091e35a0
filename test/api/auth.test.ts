import { faker } from '@faker-js/faker';
import type { LightMyRequestResponse } from 'fastify';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { totpCode } from '../../src/modules/access/totp.js';
import { createOperator, strongPassword } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(3);

type Session = { cookie: string; csrf: string };

function sessionFrom(response: LightMyRequestResponse): Session {
  const cookie = response.cookies.find((c) => c.name === 'custos_session');
  if (!cookie) throw new Error(`no session cookie (status ${response.statusCode}: ${response.body})`);
  return {
    cookie: `custos_session=${cookie.value}`,
    csrf: response.json().csrfToken ?? response.json().session?.csrfToken,
  };
}

const headersOf = (session: Session) => ({ cookie: session.cookie, 'x-csrf-token': session.csrf });

describe('operators, sessions and MFA', () => {
  const clock = fixedClock('2026-03-01T09:00:00Z');
  let t: TestApp;
  const system = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };

  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  async function login(email: string, password: string, ip = '203.0.113.7') {
    return t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
  }

  it('creates the first admin once with the setup token, refusing a guessable password with feedback', async () => {
    const issued = await t.runtime.services.operators.issueFirstAdminToken(system);
    expect(issued?.url).toContain('#token=');
    const email = faker.internet.email().toLowerCase();
    const weak = await t.app.inject({
      method: 'POST',
      url: '/v1/setup/first-admin',
      payload: { token: issued?.token, email, displayName: 'Ada Admin', password: 'password1234' },
    });
    expect(weak.statusCode).toBe(400);
    expect(weak.json().errors[0]).toMatchObject({ path: 'password' });
    expect(weak.json().passwordFeedback.score).toBeLessThan(3);
    expect(weak.body).not.toContain('password1234');

    const created = await t.app.inject({
      method: 'POST',
      url: '/v1/setup/first-admin',
      payload: { token: issued?.token, email, displayName: 'Ada Admin', password: strongPassword },
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ email, roles: ['admin'], status: 'active', mfaEnabled: false });
    expect(created.body).not.toMatch(/argon2|password/i);

    const again = await t.app.inject({
      method: 'POST',
      url: '/v1/setup/first-admin',
      payload: {
        token: issued?.token,
        email: faker.internet.email(),
        displayName: 'Eve',
        password: strongPassword,
      },
    });
    expect(again.statusCode).toBe(401);
    expect(await t.runtime.services.operators.issueFirstAdminToken(system)).toBeUndefined();
  });

  it('makes an admin enrol TOTP before anything else, then signs in with a code that works only once', async () => {
    const admin = await createOperator(t, { roles: ['admin'] });
    const first = await login(admin.email, admin.password);
    expect(first.statusCode).toBe(200);
    expect(first.json().nextStep).toBe('mfa_enroll');
    const setCookie = String(first.headers['set-cookie']);
    expect(setCookie).toMatch(/HttpOnly/i);
    expect(setCookie).toMatch(/SameSite=Strict/i);
    const pending = sessionFrom(first);

    const blocked = await t.app.inject({ method: 'GET', url: '/v1/operators', headers: headersOf(pending) });
    expect(blocked.statusCode).toBe(403);
    expect(blocked.json()).toMatchObject({ code: 'mfa_required', nextStep: 'mfa_enroll' });

    const enrol = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/enroll',
      headers: headersOf(pending),
    });
    expect(enrol.statusCode).toBe(200);
    const { otpauthUri, qrCodeDataUrl, secretBase32 } = enrol.json();
    expect(otpauthUri).toMatch(/^otpauth:\/\/totp\/Custos:.+\?.*secret=/);
    expect(qrCodeDataUrl).toMatch(/^data:image\/png;base64,/);
    const secret = Buffer.from(Secret.fromBase32(secretBase32).bytes);

    const confirm = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/confirm',
      headers: headersOf(pending),
      payload: { code: totpCode(secret, clock.now()) },
    });
    expect(confirm.statusCode).toBe(200);
    const { recoveryCodes } = confirm.json();
    expect(recoveryCodes).toHaveLength(10);
    expect(new Set(recoveryCodes).size).toBe(10);
    const enrolled = sessionFrom(confirm);

    // The session rotated at the privilege change: the pre-MFA cookie is dead, the new one works.
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(pending) }))
        .statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/operators', headers: headersOf(enrolled) })).statusCode,
    ).toBe(200);

    // Next login: password, then a fresh code; the same code is refused the second time.
    clock.advance(60_000);
    const second = sessionFrom(await login(admin.email, admin.password));
    const code = totpCode(secret, clock.now());
    const verified = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/verify',
      headers: headersOf(second),
      payload: { code },
    });
    expect(verified.statusCode).toBe(200);
    expect(verified.json().nextStep).toBeNull();

    const third = sessionFrom(await login(admin.email, admin.password));
    const replay = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/verify',
      headers: headersOf(third),
      payload: { code },
    });
    expect(replay.statusCode).toBe(401);
    expect(replay.json().reason).toBe('invalid_code');

    // A recovery code works exactly once.
    const withRecovery = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/verify',
      headers: headersOf(third),
      payload: { recoveryCode: recoveryCodes[0] },
    });
    expect(withRecovery.statusCode).toBe(200);
    const fourth = sessionFrom(await login(admin.email, admin.password));
    const reused = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/verify',
      headers: headersOf(fourth),
      payload: { recoveryCode: recoveryCodes[0] },
    });
    expect(reused.statusCode).toBe(401);

    // MFA is mandatory for admins: it cannot be switched off.
    const off = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/disable',
      headers: headersOf(sessionFrom(withRecovery)),
      payload: { password: admin.password, code: totpCode(secret, new Date(clock.now().getTime() + 30_000)) },
    });
    expect(off.statusCode).toBe(403);
  });

  it('answers an unknown account and a wrong password with the same message', async () => {
    const agent = await createOperator(t);
    const unknown = await login(faker.internet.email(), strongPassword);
    const wrong = await login(agent.email, 'not-the-password-at-all');
    expect(unknown.statusCode).toBe(401);
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json().detail).toBe(wrong.json().detail);
    expect(unknown.json().reason).toBe(wrong.json().reason);
  });

  it('backs off one network after repeated failures on an account, never the owner on another network', async () => {
    const agent = await createOperator(t);
    const networkA = '198.51.100.1';
    for (let attempt = 0; attempt < t.runtime.config.loginMaxFailures - 1; attempt += 1) {
      expect((await login(agent.email, `wrong-${attempt}`, networkA)).statusCode).toBe(401);
    }
    const locking = await login(agent.email, 'wrong-last', networkA);
    expect(locking.statusCode).toBe(429);
    expect(Number(locking.headers['retry-after'])).toBeGreaterThan(0);
    // The same /24 is the same network: refused even with the right password.
    expect((await login(agent.email, agent.password, '198.51.100.77')).statusCode).toBe(429);
    // From another network the owner signs in at once.
    expect((await login(agent.email, agent.password, '203.0.113.9')).statusCode).toBe(200);
    expect((await login(agent.email, agent.password, '2001:db8:1:2::5')).statusCode).toBe(200);
    clock.advance(31_000);
    expect((await login(agent.email, agent.password, networkA)).statusCode).toBe(200);
  });

  it('slows an account attacked from many networks, still checking the first attempt from each', async () => {
    const agent = await createOperator(t);
    const perNetwork = t.runtime.config.loginMaxFailures;
    // Two networks spend their allowance: the account is now slowed.
    for (const network of ['192.0.2.', '198.18.0.']) {
      for (let attempt = 0; attempt < perNetwork; attempt += 1) {
        await login(agent.email, `wrong-${attempt}`, `${network}${attempt + 1}`);
      }
    }
    // A third network is backed off after a single failure…
    expect((await login(agent.email, 'wrong-from-c', '198.51.100.200')).statusCode).toBe(429);
    expect((await login(agent.email, agent.password, '198.51.100.201')).statusCode).toBe(429);
    // …a fresh network's first attempt is still checked, so the owner gets in.
    expect((await login(agent.email, agent.password, '203.0.113.200')).statusCode).toBe(200);
    // IPv6 clients are grouped by /64: another address in the same /64 is the same network.
    expect((await login(agent.email, 'wrong-v6', '2001:db8:9:9::1')).statusCode).toBe(429);
    expect((await login(agent.email, agent.password, '2001:db8:9:9::2')).statusCode).toBe(429);
    expect((await login(agent.email, agent.password, '2001:db8:9:a::2')).statusCode).toBe(200);
    clock.advance(16 * 60_000);
  });

  it('backs off per client IP across accounts', async () => {
    const ip = '192.0.2.99';
    let last: LightMyRequestResponse | undefined;
    for (let attempt = 0; attempt < t.runtime.config.loginMaxFailuresPerIp; attempt += 1) {
      last = await login(faker.internet.email(), 'whatever-password', ip);
    }
    expect(last?.statusCode).toBe(429);
    const agent = await createOperator(t);
    expect((await login(agent.email, agent.password, ip)).statusCode).toBe(429);
    expect((await login(agent.email, agent.password, '192.0.2.100')).statusCode).toBe(200);
    clock.advance(16 * 60_000);
  });

  it('ends sessions after the idle timeout and after the absolute timeout', async () => {
    const agent = await createOperator(t);
    const session = sessionFrom(await login(agent.email, agent.password));
    const me = () => t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(session) });
    expect((await me()).statusCode).toBe(200);
    clock.advance(31 * 60_000);
    const idle = await me();
    expect(idle.statusCode).toBe(401);
    expect(idle.json().reason).toBe('session_expired');

    const busy = sessionFrom(await login(agent.email, agent.password));
    for (let hour = 0; hour < 12 * 4; hour += 1) {
      clock.advance(15 * 60_000);
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/auth/session',
        headers: headersOf(busy),
      });
      if (response.statusCode === 401) {
        expect(response.json().reason).toBe('session_expired');
        expect(hour).toBeGreaterThanOrEqual(12 * 4 - 2);
        return;
      }
    }
    throw new Error('the session outlived its absolute timeout');
  });

  it('needs the CSRF token for state-changing requests made with the cookie', async () => {
    const agent = await createOperator(t);
    const session = sessionFrom(await login(agent.email, agent.password));
    const without = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie: session.cookie },
    });
    expect(without.statusCode).toBe(403);
    expect(without.json().code).toBe('csrf_invalid');
    const forged = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: { cookie: session.cookie, 'x-csrf-token': 'x'.repeat(32) },
    });
    expect(forged.statusCode).toBe(403);
    const ok = await t.app.inject({ method: 'POST', url: '/v1/auth/logout', headers: headersOf(session) });
    expect(ok.statusCode).toBe(204);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(session) }))
        .statusCode,
    ).toBe(401);
  });

  it('logs out everywhere, and a password change ends the other sessions', async () => {
    const agent = await createOperator(t);
    const laptop = sessionFrom(await login(agent.email, agent.password));
    const phone = sessionFrom(await login(agent.email, agent.password));
    const changed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/password',
      headers: headersOf(laptop),
      payload: { currentPassword: agent.password, newPassword: 'Quiet-Lantern-Orbit-Meadow-81' },
    });
    expect(changed.statusCode).toBe(200);
    const rotated = sessionFrom(changed);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(phone) })).statusCode,
    ).toBe(401);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(laptop) })).statusCode,
    ).toBe(401);
    const other = sessionFrom(await login(agent.email, 'Quiet-Lantern-Orbit-Meadow-81'));
    const all = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout-all',
      headers: headersOf(rotated),
    });
    expect(all.json().revoked).toBe(2);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: headersOf(other) })).statusCode,
    ).toBe(401);
  });

  it('re-hashes a password at login when the argon2 parameters were raised', async () => {
    const agent = await createOperator(t);
    const stronger = await createTestApp({ clock, env: { CUSTOS_ARGON2_TIME_COST: '3' } });
    try {
      // Same operator, same database content is not shared across apps: create it in the stronger app.
      const there = await createOperator(stronger, { email: agent.email });
      const before = await stronger.runtime.database.db
        .selectFrom('operators')
        .select('password_hash')
        .where('id', '=', there.id)
        .executeTakeFirstOrThrow();
      expect(before.password_hash).toContain('t=2');
      const response = await stronger.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: there.email, password: there.password },
      });
      expect(response.statusCode).toBe(200);
      const after = await stronger.runtime.database.db
        .selectFrom('operators')
        .select('password_hash')
        .where('id', '=', there.id)
        .executeTakeFirstOrThrow();
      expect(after.password_hash).toContain('t=3');
    } finally {
      await stronger.close();
    }
  });
});
