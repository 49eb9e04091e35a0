import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { fixedClock } from '../../src/lib/clock.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';

faker.seed(6);

describe('API keys', () => {
  const clock = fixedClock('2026-05-01T12:00:00Z');
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ clock });
  });
  afterAll(() => t.close());

  async function createKey(payload: Record<string, unknown>) {
    return t.app.inject({ method: 'POST', url: '/v1/api-keys', headers: await actAs(t, 'admin'), payload });
  }

  it('shows the key once, stores only a digest, and authenticates it as a bearer token within its scope', async () => {
    const created = await createKey({ name: 'billing-service', permissions: ['audit.read'] });
    expect(created.statusCode).toBe(201);
    const { key, apiKey } = created.json();
    expect(key).toMatch(/^cst_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(key).toContain(apiKey.prefix);

    const stored = await t.runtime.database.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', apiKey.id)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain(key.slice(`cst_${apiKey.prefix}_`.length));

    const listed = await t.app.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: await actAs(t, 'auditor'),
    });
    expect(listed.body).not.toContain(key);
    expect(listed.json().items.find((item: { id: string }) => item.id === apiKey.id).lastUsedAt).toBeNull();

    const bearer = { authorization: `Bearer ${key}` };
    const outOfScope = await t.app.inject({ method: 'GET', url: '/v1/operators', headers: bearer });
    expect(outOfScope.statusCode).toBe(403);
    expect(outOfScope.json().permission).toBe('operators.read');
    const sessionOnly = await t.app.inject({ method: 'GET', url: '/v1/auth/session', headers: bearer });
    expect(sessionOnly.statusCode).toBe(403);
    const inScope = await t.app.inject({ method: 'GET', url: '/v1/permissions', headers: bearer });
    expect(inScope.statusCode).toBe(200);

    const after = await t.app.inject({
      method: 'GET',
      url: '/v1/api-keys',
      headers: await actAs(t, 'auditor'),
    });
    expect(after.json().items.find((item: { id: string }) => item.id === apiKey.id).lastUsedAt).toBe(
      clock.now().toISOString(),
    );
  });

  it('refuses scopes beyond the service role or the creator’s own permissions', async () => {
    const tooWide = await createKey({ name: 'x', permissions: ['operators.manage'] });
    expect(tooWide.statusCode).toBe(400);
    expect(tooWide.json().errors[0].message).toContain('operators.manage');
    const unknown = await createKey({ name: 'x', permissions: ['everything'] });
    expect(unknown.statusCode).toBe(400);
    const beyondCreator = await t.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers: await actAs(t, 'security'),
      payload: { name: 'x', permissions: ['audit.read', 'vault.read'] },
    });
    expect(beyondCreator.statusCode).toBe(403);
    expect(beyondCreator.json().code).toBe('grant_exceeds_own_permissions');
  });

  it('stops accepting a key once it expires or is revoked', async () => {
    const expiring = (
      await createKey({
        name: 'short-lived',
        permissions: ['audit.read'],
        expiresAt: new Date(clock.now().getTime() + 3_600_000).toISOString(),
      })
    ).json();
    const revoked = (await createKey({ name: 'to-revoke', permissions: ['audit.read'] })).json();
    const probe = (key: string) =>
      t.app.inject({ method: 'GET', url: '/v1/permissions', headers: { authorization: `Bearer ${key}` } });
    expect((await probe(expiring.key)).statusCode).toBe(200);
    // Used once, so the process holds it in its cache of looked-up keys: revoking must still take at once.
    expect((await probe(revoked.key)).statusCode).toBe(200);

    const revoke = await t.app.inject({
      method: 'DELETE',
      url: `/v1/api-keys/${revoked.apiKey.id}`,
      headers: await actAs(t, 'security'),
    });
    expect(revoke.statusCode).toBe(204);
    const invalid = await probe(revoked.key);
    expect(invalid.statusCode).toBe(401);
    expect(invalid.json().reason).toBe('invalid_api_key');

    clock.advance(3_600_001);
    expect((await probe(expiring.key)).statusCode).toBe(401);
    expect((await probe(`${expiring.key.slice(0, -1)}x`)).statusCode).toBe(401);
    expect((await probe('not-a-key')).statusCode).toBe(401);
  });
});

/**
 * Processes cache the keys they looked up; a revocation is announced to all of them (LISTEN/NOTIFY), so
 * another process refuses the key within a second. PGlite is embedded in one process: PostgreSQL only.
 */
describe.skipIf(inject('testDatabase').kind === 'pglite')('API key revocation across processes', () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    first = await createTestApp();
    const url = (first.runtime.database as TestDatabase).url as string;
    second = await createTestApp({
      database: await openDatabase({ kind: 'postgres', url, poolSize: 2 }),
      env: { CUSTOS_DATA_DIR: first.runtime.config.dataDir },
    });
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  it('refuses a revoked key in the other process within a second', async () => {
    const headers = await actAs(first, 'security');
    const created = await first.app.inject({
      method: 'POST',
      url: '/v1/api-keys',
      headers,
      payload: { name: 'shared', permissions: ['audit.read'] },
    });
    const { key, apiKey } = created.json();
    const probe = () =>
      second.app.inject({
        method: 'GET',
        url: '/v1/permissions',
        headers: { authorization: `Bearer ${key}` },
      });
    expect((await probe()).statusCode).toBe(200);
    const revoke = await first.app.inject({ method: 'DELETE', url: `/v1/api-keys/${apiKey.id}`, headers });
    expect(revoke.statusCode).toBe(204);
    await vi.waitFor(async () => expect((await probe()).statusCode).toBe(401), {
      timeout: 1000,
      interval: 20,
    });
  });
});
