import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { openDatabase } from '../../src/db/database.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';
import type { TestDatabase } from '../helpers/test-database.js';

faker.seed(41);

const onPGlite = inject('testDatabase').kind === 'pglite';

/**
 * Two Custos processes on one PostgreSQL database, each with its consent cache: a change made through
 * one is honoured by the other within a second, through LISTEN/NOTIFY. PGlite is embedded in a single
 * process, so only PostgreSQL can show this.
 */
describe.skipIf(onPGlite)('the consent cache across processes (PostgreSQL only)', () => {
  let first: TestApp;
  let second: TestApp;
  let headers: { first: Record<string, string>; second: Record<string, string> };

  beforeAll(async () => {
    first = await createTestApp();
    const url = (first.runtime.database as TestDatabase).url as string;
    second = await createTestApp({
      database: await openDatabase({ kind: 'postgres', url, poolSize: 4 }),
      // The same key files, as every instance of one deployment has.
      env: { CUSTOS_DATA_DIR: first.runtime.config.dataDir },
    });
    headers = { first: await actAs(first, 'dpo'), second: await actAs(second, 'service') };
  });
  afterAll(async () => {
    await second?.close();
    await first?.close();
  });

  async function setUp() {
    const key = `p_${faker.string.alphanumeric({ length: 10, casing: 'lower' })}`;
    const purpose = {
      key,
      name: 'Newsletter',
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      text: faker.lorem.sentence(),
    };
    expect(
      (
        await first.app.inject({
          method: 'POST',
          url: '/v1/consent/purposes',
          headers: headers.first,
          payload: purpose,
        })
      ).statusCode,
    ).toBe(201);
    const subject = await first.app.inject({
      method: 'POST',
      url: '/v1/subjects',
      headers: headers.first,
      payload: {},
    });
    return { key, purpose, subjectId: subject.json().id as string };
  }

  const recordOnFirst = (subjectId: string, key: string, action: string) =>
    first.app.inject({
      method: 'POST',
      url: '/v1/consent/events',
      headers: headers.first,
      payload: { subject: { id: subjectId }, purposes: [key], action, method: 'explicit_opt_in' },
    });

  async function checkOnSecond(subjectId: string, key: string) {
    const response = await second.app.inject({
      method: 'POST',
      url: '/v1/consent/check',
      headers: headers.second,
      payload: { subject: { id: subjectId }, purposes: [key] },
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().results[0] as { allowed: boolean; reason: string };
  }

  it('honours a withdrawal made through one process in the other within one second', async () => {
    const { key, subjectId } = await setUp();
    await recordOnFirst(subjectId, key, 'grant');
    expect(await checkOnSecond(subjectId, key)).toMatchObject({ allowed: true });
    // Cached on the second process now; only the notification can make it see the change.
    expect(await checkOnSecond(subjectId, key)).toMatchObject({ allowed: true });

    expect((await recordOnFirst(subjectId, key, 'withdraw')).statusCode).toBe(201);
    await vi.waitFor(
      async () =>
        expect(await checkOnSecond(subjectId, key)).toMatchObject({ allowed: false, reason: 'withdrawn' }),
      { timeout: 1000, interval: 10 },
    );
  });

  it('honours an erasure and a new purpose version from the other process within one second', async () => {
    const { key, subjectId } = await setUp();
    const other = await setUp();
    await recordOnFirst(subjectId, key, 'grant');
    await recordOnFirst(other.subjectId, other.key, 'grant');
    expect(await checkOnSecond(subjectId, key)).toMatchObject({ allowed: true });
    expect(await checkOnSecond(other.subjectId, other.key)).toMatchObject({ allowed: true });

    const shred = await first.app.inject({
      method: 'POST',
      url: `/v1/subjects/${subjectId}/shred`,
      headers: headers.first,
    });
    expect(shred.statusCode).toBe(200);
    const { key: _key, ...definition } = other.purpose;
    const changed = await first.app.inject({
      method: 'PUT',
      url: `/v1/consent/purposes/${other.key}`,
      headers: headers.first,
      payload: { ...definition, text: `${definition.text} Now also by post.` },
    });
    expect(changed.json()).toMatchObject({ newVersion: true, requiresReconsent: true });

    await vi.waitFor(
      async () => {
        expect(await checkOnSecond(subjectId, key)).toMatchObject({ allowed: false, reason: 'erased' });
        expect(await checkOnSecond(other.subjectId, other.key)).toMatchObject({
          allowed: false,
          reason: 'version_outdated',
        });
      },
      { timeout: 1000, interval: 10 },
    );
  });
});
