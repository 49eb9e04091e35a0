import { faker } from '@faker-js/faker';
import { Secret } from 'otpauth';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { totpCode } from '../../src/modules/access/totp.js';
import { actAs } from '../helpers/auth.js';
import { createOperator, type OperatorFixture, strongPassword } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(5);

describe('operator administration', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const login = (email: string, password: string) =>
    t.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { email, password } });

  /** Signs in with the password, as the console does. */
  async function sessionOf(email: string, password: string): Promise<Record<string, string>> {
    const signedIn = await login(email, password);
    expect(signedIn.json().nextStep).toBeNull();
    const cookie = signedIn.cookies.find((c) => c.name === 'custos_session')?.value;
    return { cookie: `custos_session=${cookie}`, 'x-csrf-token': signedIn.json().csrfToken };
  }

  /** A session of an existing operator that has passed MFA. */
  async function verifiedSessionOf(operator: OperatorFixture): Promise<Record<string, string>> {
    const session = await t.runtime.services.auth.startSession(
      t.runtime.database.db,
      { id: operator.id, roles: operator.roles, mfa_enabled: true },
      { satisfied: true, verifiedAt: new Date() },
    );
    return { cookie: `custos_session=${session.token}`, 'x-csrf-token': session.csrfToken };
  }

  it('invites an operator who sets a password through the link, once', async () => {
    const admin = await actAs(t, 'admin');
    const email = faker.internet.email().toLowerCase();
    const invited = await t.app.inject({
      method: 'POST',
      url: '/v1/operators',
      headers: admin,
      payload: { email, displayName: faker.person.fullName(), roles: ['privacy_agent'] },
    });
    expect(invited.statusCode).toBe(201);
    const { operator, invitationToken, invitationUrl } = invited.json();
    expect(operator.status).toBe('invited');
    expect(invitationUrl).toContain(`#token=${invitationToken}`);
    expect((await login(email, strongPassword)).statusCode).toBe(401);

    const accept = () =>
      t.app.inject({
        method: 'POST',
        url: '/v1/auth/invitations/accept',
        payload: { token: invitationToken, password: strongPassword },
      });
    const accepted = await accept();
    expect(accepted.statusCode).toBe(200);
    expect(accepted.json().status).toBe('active');
    expect((await accept()).statusCode).toBe(401);
    expect((await login(email, strongPassword)).statusCode).toBe(200);

    const duplicate = await t.app.inject({
      method: 'POST',
      url: '/v1/operators',
      headers: await actAs(t, 'admin'),
      payload: { email: email.toUpperCase(), displayName: 'Someone', roles: ['auditor'] },
    });
    expect(duplicate.statusCode).toBe(409);
  });

  it('refuses guessable passwords when an invitation is accepted: seasons, common words, the invitee’s name', async () => {
    const displayName = faker.person.fullName();
    const [first = 'Someone'] = displayName.split(' ');
    const invited = await t.app.inject({
      method: 'POST',
      url: '/v1/operators',
      headers: await actAs(t, 'admin'),
      payload: { email: faker.internet.email().toLowerCase(), displayName, roles: ['auditor'] },
    });
    for (const password of ['Welcome2024!!', 'Summer2024!!', `${first}2024!!`]) {
      const accepted = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/invitations/accept',
        payload: { token: invited.json().invitationToken, password },
      });
      expect(accepted.statusCode, password).toBe(400);
      expect(accepted.json().errors[0].path).toBe('password');
    }
  });

  it('ends an operator’s sessions when their roles change or they are disabled', async () => {
    const agent = await createOperator(t, { roles: ['privacy_agent'] });
    const first = await login(agent.email, agent.password);
    const cookie = first.cookies.find((c) => c.name === 'custos_session')?.value;
    const session = { cookie: `custos_session=${cookie}`, 'x-csrf-token': first.json().csrfToken };
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session })).statusCode,
    ).toBe(200);

    const promoted = await t.app.inject({
      method: 'PATCH',
      url: `/v1/operators/${agent.id}`,
      headers: await actAs(t, 'admin'),
      payload: { roles: ['privacy_agent', 'auditor'] },
    });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json().roles).toEqual(['privacy_agent', 'auditor']);
    expect(
      (await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: session })).statusCode,
    ).toBe(401);

    const disabled = await t.app.inject({
      method: 'PATCH',
      url: `/v1/operators/${agent.id}`,
      headers: await actAs(t, 'admin'),
      payload: { status: 'disabled' },
    });
    expect(disabled.json().status).toBe('disabled');
    expect((await login(agent.email, agent.password)).statusCode).toBe(401);
  });

  it('refuses to disable the last active administrator', async () => {
    const other = await createTestApp();
    try {
      const admin = await createOperator(other, { roles: ['admin'] });
      const disable = await other.app.inject({
        method: 'PATCH',
        url: `/v1/operators/${admin.id}`,
        headers: await actAs(other, 'security'),
        payload: { roles: ['admin'], status: 'disabled' },
      });
      expect(disable.statusCode).toBe(409);
    } finally {
      await other.close();
    }
  });

  it('answers 404 for an operator that does not exist and never exposes password hashes', async () => {
    const headers = await actAs(t, 'auditor');
    const missing = await t.app.inject({
      method: 'GET',
      url: `/v1/operators/${faker.string.uuid()}`,
      headers,
    });
    expect(missing.statusCode).toBe(404);
    const list = await t.app.inject({ method: 'GET', url: '/v1/operators', headers });
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toMatch(/argon2|password_hash|mfa_secret/);
  });

  describe('granting roles', () => {
    const patch = (headers: Record<string, string>, id: string, payload: Record<string, unknown>) =>
      t.app.inject({ method: 'PATCH', url: `/v1/operators/${id}`, headers, payload });
    const invite = (headers: Record<string, string>, roles: string[]) =>
      t.app.inject({
        method: 'POST',
        url: '/v1/operators',
        headers,
        payload: { email: faker.internet.email().toLowerCase(), displayName: faker.person.fullName(), roles },
      });
    const denialsOf = (operatorId: string) =>
      t.runtime.database.db
        .selectFrom('audit_entries')
        .select(['details', 'target_id', 'outcome'])
        .where('action', '=', 'access.denied')
        .where('actor_id', '=', operatorId)
        .execute();

    it('refuses a security operator who makes itself admin, and audits the refusal', async () => {
      const security = await createOperator(t, { roles: ['security'] });
      const headers = await sessionOf(security.email, security.password);
      const escalated = await patch(headers, security.id, { roles: ['admin'] });
      expect(escalated.statusCode).toBe(403);
      expect(escalated.headers['content-type']).toContain('application/problem+json');
      expect(escalated.json().code).toBe('own_roles_immutable');
      const row = await t.runtime.database.db
        .selectFrom('operators')
        .select('roles')
        .where('id', '=', security.id)
        .executeTakeFirstOrThrow();
      expect(row.roles).toEqual(['security']);
      expect(await denialsOf(security.id)).toEqual([
        {
          outcome: 'denied',
          target_id: security.id,
          details: { attempted: 'operator.roles.change', reason: 'own_roles_immutable', roles: [] },
        },
      ]);
    });

    it('refuses a security operator who invites an admin, and creates no account', async () => {
      const security = await actAs(t, 'security');
      const before = (await t.runtime.services.operators.list()).length;
      const invited = await invite(security, ['admin']);
      expect(invited.statusCode).toBe(403);
      expect(invited.json()).toMatchObject({ code: 'grant_exceeds_own_permissions', roles: ['admin'] });
      expect(invited.body).not.toContain('invitationToken');
      expect((await t.runtime.services.operators.list()).length).toBe(before);
    });

    it('refuses an admin who has not passed MFA in this session to grant admin', async () => {
      const headers = await actAs(t, 'admin', { mfaVerified: false });
      const invited = await invite(headers, ['admin']);
      expect(invited.statusCode).toBe(403);
      expect(invited.json().code).toBe('admin_grant_needs_mfa');
      const agent = await createOperator(t, { roles: ['privacy_agent'] });
      const promoted = await patch(headers, agent.id, { roles: ['admin'] });
      expect(promoted.statusCode).toBe(403);
      expect(promoted.json().code).toBe('admin_grant_needs_mfa');
      expect((await invite(headers, ['dpo'])).statusCode).toBe(201);
      expect((await invite(await actAs(t, 'admin'), ['admin'])).statusCode).toBe(201);
    });

    it('refuses a change of one’s own roles, even an admin dropping a role', async () => {
      const admin = await createOperator(t, { roles: ['admin', 'auditor'] });
      const headers = await verifiedSessionOf(admin);
      const dropped = await patch(headers, admin.id, { roles: ['admin'] });
      expect(dropped.statusCode).toBe(403);
      expect(dropped.json().code).toBe('own_roles_immutable');
      expect(
        (await patch(headers, admin.id, { roles: ['auditor', 'admin'], displayName: 'Same roles' }))
          .statusCode,
      ).toBe(200);
    });

    it('refuses security demoting, re-enabling or resetting the MFA of an admin; disabling one stays allowed', async () => {
      const security = await actAs(t, 'security');
      const admin = await createOperator(t, { roles: ['admin'] });
      const demoted = await patch(security, admin.id, { roles: ['security'] });
      expect(demoted.statusCode).toBe(403);
      expect(demoted.json().code).toBe('operator_exceeds_own_permissions');
      const reset = await t.app.inject({
        method: 'POST',
        url: `/v1/operators/${admin.id}/reset-mfa`,
        headers: security,
      });
      expect(reset.statusCode).toBe(403);
      expect(reset.json().code).toBe('operator_exceeds_own_permissions');
      expect((await patch(security, admin.id, { status: 'disabled' })).statusCode).toBe(200);
      const enabled = await patch(security, admin.id, { status: 'active' });
      expect(enabled.statusCode).toBe(403);
      expect(enabled.json().code).toBe('grant_exceeds_own_permissions');
      expect((await patch(await actAs(t, 'admin'), admin.id, { status: 'active' })).statusCode).toBe(200);
    });

    it('records in the session that MFA was passed: a password-only admin session cannot grant admin until it enrols', async () => {
      const clock = fixedClock('2026-05-01T12:00:00Z');
      const other = await createTestApp({ clock, env: { CUSTOS_MFA_REQUIRED_ROLES: 'dpo' } });
      try {
        const admin = await createOperator(other, { roles: ['admin'] });
        const signedIn = await other.app.inject({
          method: 'POST',
          url: '/v1/auth/login',
          payload: { email: admin.email, password: admin.password },
        });
        expect(signedIn.json().nextStep).toBeNull();
        let headers = {
          cookie: `custos_session=${signedIn.cookies.find((c) => c.name === 'custos_session')?.value}`,
          'x-csrf-token': signedIn.json().csrfToken,
        };
        const inviteAdmin = () =>
          other.app.inject({
            method: 'POST',
            url: '/v1/operators',
            headers,
            payload: {
              email: faker.internet.email().toLowerCase(),
              displayName: 'New admin',
              roles: ['admin'],
            },
          });
        expect((await inviteAdmin()).json().code).toBe('admin_grant_needs_mfa');

        const enrol = await other.app.inject({ method: 'POST', url: '/v1/auth/mfa/enroll', headers });
        const secret = Buffer.from(Secret.fromBase32(enrol.json().secretBase32).bytes);
        const confirmed = await other.app.inject({
          method: 'POST',
          url: '/v1/auth/mfa/confirm',
          headers,
          payload: { code: totpCode(secret, clock.now()) },
        });
        expect(confirmed.statusCode).toBe(200);
        headers = {
          cookie: `custos_session=${confirmed.cookies.find((c) => c.name === 'custos_session')?.value}`,
          'x-csrf-token': confirmed.json().session.csrfToken,
        };
        expect((await inviteAdmin()).statusCode).toBe(201);
      } finally {
        await other.close();
      }
    });
  });
});
