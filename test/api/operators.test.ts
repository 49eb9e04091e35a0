import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createOperator, strongPassword } from '../helpers/factories.js';
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
      headers: await actAs(t, 'security'),
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

  it('refuses to demote or disable the last active administrator', async () => {
    const other = await createTestApp();
    try {
      const admin = await createOperator(other, { roles: ['admin'] });
      const headers = await actAs(other, 'security');
      const demote = await other.app.inject({
        method: 'PATCH',
        url: `/v1/operators/${admin.id}`,
        headers,
        payload: { roles: ['auditor'] },
      });
      expect(demote.statusCode).toBe(409);
      const disable = await other.app.inject({
        method: 'PATCH',
        url: `/v1/operators/${admin.id}`,
        headers,
        payload: { status: 'disabled' },
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
});
