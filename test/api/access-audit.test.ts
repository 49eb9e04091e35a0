import { faker } from '@faker-js/faker';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { totpCode } from '../../src/modules/access/totp.js';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(8);

describe('what the access module writes to the audit log', () => {
  const clock = fixedClock('2026-06-01T08:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock, env: { CUSTOS_MFA_REQUIRED_ROLES: 'admin' } });
  });
  afterAll(() => t.close());

  const actions = async () =>
    (
      await t.runtime.database.db
        .selectFrom('audit_entries')
        .select(['action', 'outcome'])
        .orderBy('seq')
        .execute()
    ).map((row) => `${row.action}:${row.outcome}`);

  it('records logins, lockouts, MFA, sessions, operator and key changes and denials — without personal data', async () => {
    const personal = {
      email: faker.internet.email().toLowerCase(),
      name: faker.person.fullName(),
      password: `${faker.internet.password({ length: 20 })}-Aa1!`,
      unknownEmail: faker.internet.email().toLowerCase(),
    };
    const login = (email: string, password: string) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email, password },
        remoteAddress: '203.0.113.50',
      });

    // An invitation, accepted with a password the test knows.
    const admin = await actAs(t, 'admin');
    const invited = await t.app.inject({
      method: 'POST',
      url: '/v1/operators',
      headers: admin,
      payload: { email: personal.email, displayName: personal.name, roles: ['dpo'] },
    });
    const operatorId = invited.json().operator.id;
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/invitations/accept',
      payload: { token: invited.json().invitationToken, password: personal.password },
    });

    // Failed logins (one for an account that does not exist), a lockout, then a success.
    await login(personal.unknownEmail, personal.password);
    for (let attempt = 0; attempt < 5; attempt += 1) await login(personal.email, `${personal.password}x`);
    expect((await login(personal.email, personal.password)).statusCode).toBe(429);
    clock.advance(60_000);
    const ok = await login(personal.email, personal.password);
    expect(ok.statusCode).toBe(200);
    const cookie = `custos_session=${ok.cookies.find((c) => c.name === 'custos_session')?.value}`;
    let headers = { cookie, 'x-csrf-token': ok.json().csrfToken };

    // MFA enrolment (voluntary for dpo here), a recovery code, disabling MFA.
    const enrol = await t.app.inject({ method: 'POST', url: '/v1/auth/mfa/enroll', headers });
    const secret = Buffer.from(Secret.fromBase32(enrol.json().secretBase32).bytes);
    const confirmed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/confirm',
      headers,
      payload: { code: totpCode(secret, clock.now()) },
    });
    const recoveryCodes: string[] = confirmed.json().recoveryCodes;
    clock.advance(60_000);
    const second = await login(personal.email, personal.password);
    headers = {
      cookie: `custos_session=${second.cookies.find((c) => c.name === 'custos_session')?.value}`,
      'x-csrf-token': second.json().csrfToken,
    };
    const recovered = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/verify',
      headers,
      payload: { recoveryCode: recoveryCodes[0] },
    });
    headers = {
      cookie: `custos_session=${recovered.cookies.find((c) => c.name === 'custos_session')?.value}`,
      'x-csrf-token': recovered.json().csrfToken,
    };
    clock.advance(60_000);
    const disabled = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/mfa/disable',
      headers,
      payload: { password: personal.password, code: totpCode(secret, clock.now()) },
    });
    expect(disabled.statusCode).toBe(200);

    // A role change, an API key created and revoked, a denial, a logout.
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/operators/${operatorId}`,
      headers: await actAs(t, 'admin'),
      payload: { roles: ['auditor'] },
    });
    const key = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: await actAs(t, 'admin'),
      payload: { name: 'crm', permissions: ['audit.read'] },
    });
    await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${key.json().apiKey.id}`,
      headers: await actAs(t, 'admin'),
    });
    await t.app.inject({ method: 'GET', url: '/v1/operators', headers: await actAs(t, 'privacy_agent') });
    const agent = await createOperator(t);
    const agentLogin = await login(agent.email, agent.password);
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/logout',
      headers: {
        cookie: `custos_session=${agentLogin.cookies.find((c) => c.name === 'custos_session')?.value}`,
        'x-csrf-token': agentLogin.json().csrfToken,
      },
    });

    const seen = await actions();
    expect(seen).toEqual(
      expect.arrayContaining([
        'operator.invited:success',
        'operator.invitation.accepted:success',
        'operator.login.failed:failure',
        'operator.login.locked:denied',
        'operator.login.throttled:denied',
        'operator.login.succeeded:success',
        'operator.mfa.enrolled:success',
        'operator.mfa.verified:success',
        'operator.recovery_code.used:success',
        'operator.mfa.disabled:success',
        'operator.roles.changed:success',
        'api_key.created:success',
        'api_key.revoked:success',
        'access.denied:denied',
        'session.revoked:success',
      ]),
    );

    const denial = await t.runtime.database.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', 'access.denied')
      .executeTakeFirstOrThrow();
    expect(denial.details).toMatchObject({ permission: 'operators.read', route: '/v1/operators' });
    expect(denial.ip_hash).not.toContain('203.0.113');

    const leaks = await findInDatabase(t.runtime.database, [
      personal.password,
      personal.unknownEmail,
      ...recoveryCodes,
    ]);
    expect(leaks).toEqual([]);
    const auditLeaks = (await findInDatabase(t.runtime.database, [personal.email, personal.name])).filter(
      (hit) => hit.startsWith('public.audit'),
    );
    expect(auditLeaks).toEqual([]);
  });
});
