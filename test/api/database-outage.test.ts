import { faker } from '@faker-js/faker';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import { databaseUrlFor, type TestDatabase } from '../helpers/test-database.js';

faker.seed(1404);

const target = inject('testDatabase');
const onPGlite = target.kind === 'pglite';

type Outcome = { status: number; code?: string; retryAfter?: string };

/**
 * PostgreSQL going away under load: every backend of Custos's database is terminated again and again
 * (what a restart or failover does to its connections) while requests keep coming. The process must stay
 * up, answer only 2xx or 503 meanwhile, lose no acknowledged write, and serve fully once the database is
 * back. Only the test's own database is touched; PGlite is embedded, so this is PostgreSQL only.
 */
describe.skipIf(onPGlite)('a database outage under load (PostgreSQL only)', () => {
  let t: TestApp;
  let other: TestApp;
  let headers: Record<string, string>;
  let admin: pg.Client;
  let databaseName: string;
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', onCrash);
    process.on('unhandledRejection', onCrash);
    // A long cache TTL: only the reconnection's cache drop (never expiry) can show a missed change.
    t = await createTestApp({ env: { CUSTOS_CONSENT_CACHE_TTL: '1h' } });
    const url = (t.runtime.database as TestDatabase).url as string;
    databaseName = new URL(url).pathname.slice(1);
    other = await createTestApp({
      database: await openDatabase({ kind: 'postgres', url, poolSize: 2 }),
      env: { CUSTOS_DATA_DIR: t.runtime.config.dataDir },
    });
    headers = await actAs(t, 'service');
    if (target.kind !== 'postgres') return;
    admin = new pg.Client({ connectionString: target.adminUrl });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await other?.close();
    await t?.close();
    process.off('uncaughtException', onCrash);
    process.off('unhandledRejection', onCrash);
  });

  /** Terminates every backend connected to the test's database (never the server, never another database). */
  async function terminateBackends(except: number[] = []): Promise<number> {
    const { rows } = await admin.query<{ pid: number }>(
      `select pid from pg_stat_activity
        where datname = $1 and pid <> pg_backend_pid() and not (pid = any($2::int[]))`,
      [databaseName, except],
    );
    for (const { pid } of rows) await admin.query('select pg_terminate_backend($1)', [pid]);
    return rows.length;
  }

  async function newPurpose(app: TestApp): Promise<string> {
    const key = `p_${faker.string.alphanumeric({ length: 10, casing: 'lower' })}`;
    const created = await app.app.inject({
      method: 'POST',
      url: '/v1/consent/purposes',
      headers: await actAs(app, 'dpo'),
      payload: {
        key,
        name: 'Newsletter',
        legalBasis: 'consent',
        dataUses: ['marketing.communications.email'],
        text: faker.lorem.sentence(),
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    return key;
  }

  async function newSubject(): Promise<string> {
    const created = await t.app.inject({ method: 'POST', url: '/v1/subjects', headers, payload: {} });
    expect(created.statusCode, created.body).toBe(201);
    return created.json().id as string;
  }

  const grant = (subjectId: string, key: string) =>
    t.app.inject({
      method: 'POST',
      url: '/v1/consent/events',
      headers,
      payload: { subject: { id: subjectId }, purposes: [key], action: 'grant', method: 'explicit_opt_in' },
    });

  const check = (app: TestApp, subjectId: string, key: string, as = headers) =>
    app.app.inject({
      method: 'POST',
      url: '/v1/consent/check',
      headers: as,
      payload: { subject: { id: subjectId }, purposes: [key] },
    });

  function outcomeOf(response: Awaited<ReturnType<typeof check>>): Outcome {
    if (response.statusCode < 300) return { status: response.statusCode };
    return {
      status: response.statusCode,
      code: response.json().code as string,
      retryAfter: response.headers['retry-after'] as string | undefined,
    };
  }

  it('stays up, answers only 2xx or 503 while backends are terminated, and loses no acknowledged write', async () => {
    const key = await newPurpose(t);
    const granted = await Promise.all(Array.from({ length: 60 }, () => newSubject()));
    const readable = await newSubject();
    const outcomes: Outcome[] = [];
    const acknowledged = { subjects: [] as string[], grants: [] as string[] };
    let running = true;

    async function client(lane: number) {
      for (let turn = 0; running; turn += 1) {
        const kind = (lane + turn) % 3;
        if (kind === 0) {
          const response = await t.app.inject({ method: 'POST', url: '/v1/subjects', headers, payload: {} });
          outcomes.push(outcomeOf(response));
          if (response.statusCode === 201) acknowledged.subjects.push(response.json().id as string);
        } else if (kind === 1) {
          const subjectId = granted.pop();
          if (!subjectId) continue;
          const response = await grant(subjectId, key);
          outcomes.push(outcomeOf(response));
          if (response.statusCode === 201) acknowledged.grants.push(subjectId);
        } else {
          outcomes.push(outcomeOf(await check(t, acknowledged.subjects.at(-1) ?? readable, key)));
        }
      }
    }

    const clients = Array.from({ length: 6 }, (_, lane) => client(lane));
    let terminated = 0;
    for (let round = 0; round < 12; round += 1) {
      terminated += await terminateBackends();
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    running = false;
    await Promise.all(clients);

    expect(terminated).toBeGreaterThan(0);
    expect(crashes).toEqual([]);
    const unexpected = outcomes.filter(
      (outcome) =>
        outcome.status >= 300 &&
        !(outcome.status === 503 && outcome.code === 'database_unavailable' && outcome.retryAfter),
    );
    expect(unexpected).toEqual([]);

    // Back to full service within seconds, with every acknowledged write in the database.
    await vi.waitFor(
      async () => expect((await t.app.inject({ method: 'GET', url: '/ready' })).json().status).toBe('ready'),
      { timeout: 15_000, interval: 100 },
    );
    expect(
      (await t.app.inject({ method: 'POST', url: '/v1/subjects', headers, payload: {} })).statusCode,
    ).toBe(201);
    const stored = await t.runtime.database.db
      .selectFrom('subjects')
      .select('id')
      .where(
        'id',
        'in',
        acknowledged.subjects.length > 0 ? acknowledged.subjects : ['00000000-0000-0000-0000-000000000000'],
      )
      .execute();
    expect(stored.length).toBe(acknowledged.subjects.length);
    for (const subjectId of acknowledged.grants) {
      expect((await check(t, subjectId, key)).json().results[0]).toMatchObject({ allowed: true });
    }
  });

  it('answers /ready 503 with the reason while the database refuses connections, and 200 once it is back', async () => {
    await admin.query(`alter database "${databaseName}" allow_connections false`);
    try {
      await terminateBackends();
      const ready = await t.app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.headers['retry-after']).toBeDefined();
      expect(ready.json()).toMatchObject({
        status: 'not_ready',
        checks: { database: 'unreachable' },
        reason: expect.stringContaining('cannot be reached'),
      });
      const write = await t.app.inject({ method: 'POST', url: '/v1/subjects', headers, payload: {} });
      expect(write.statusCode).toBe(503);
      expect(write.headers['content-type']).toContain('application/problem+json');
      expect(write.headers['retry-after']).toBeDefined();
      expect(write.json()).toMatchObject({ status: 503, code: 'database_unavailable' });
    } finally {
      await admin.query(`alter database "${databaseName}" allow_connections true`);
    }
    await vi.waitFor(
      async () => expect((await t.app.inject({ method: 'GET', url: '/ready' })).statusCode).toBe(200),
      { timeout: 15_000, interval: 100 },
    );
    expect(crashes).toEqual([]);
  });

  it('drops its consent cache after missing notifications, and hears changes again once reconnected', async () => {
    const key = await newPurpose(t);
    const subjectId = await newSubject();
    expect((await grant(subjectId, key)).statusCode).toBe(201);
    // Cached now (the TTL is an hour): from here only a notification or a cache drop can change the answer.
    expect((await check(t, subjectId, key)).json().results[0]).toMatchObject({ allowed: true });

    // A change made while this process cannot hear it: its LISTEN connection is cut and cannot come back.
    if (target.kind !== 'postgres') return;
    const inside = new pg.Client({ connectionString: databaseUrlFor(target.adminUrl, databaseName) });
    await inside.connect();
    const { rows } = await inside.query<{ pid: number }>('select pg_backend_pid() as pid');
    await admin.query(`alter database "${databaseName}" allow_connections false`);
    try {
      await terminateBackends([rows[0]?.pid as number]);
      await inside.query(`update subjects set status = 'restricted' where id = $1`, [subjectId]);
    } finally {
      await inside.end();
      await admin.query(`alter database "${databaseName}" allow_connections true`);
    }

    await vi.waitFor(
      async () => {
        const ready = (await t.app.inject({ method: 'GET', url: '/ready' })).json();
        expect(ready).toMatchObject({ status: 'ready', checks: { notifications: 'ok' } });
      },
      { timeout: 15_000, interval: 100 },
    );
    expect((await check(t, subjectId, key)).json().results[0]).toMatchObject({
      allowed: false,
      reason: 'restricted',
    });

    // Re-subscribed: a withdrawal through another process reaches this one's cache again.
    const later = await newSubject();
    expect((await grant(later, key)).statusCode).toBe(201);
    expect((await check(t, later, key)).json().results[0]).toMatchObject({ allowed: true });
    const withdrawn = await other.app.inject({
      method: 'POST',
      url: '/v1/consent/events',
      headers: await actAs(other, 'service'),
      payload: { subject: { id: later }, purposes: [key], action: 'withdraw', method: 'explicit_opt_in' },
    });
    expect(withdrawn.statusCode, withdrawn.body).toBe(201);
    await vi.waitFor(
      async () =>
        expect((await check(t, later, key)).json().results[0]).toMatchObject({
          allowed: false,
          reason: 'withdrawn',
        }),
      { timeout: 5000, interval: 20 },
    );
    expect(crashes).toEqual([]);
  });
});
