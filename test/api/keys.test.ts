import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DB } from '../../src/db/schema.js';
import { AppError } from '../../src/lib/app-error.js';
import { systemClock } from '../../src/lib/clock.js';
import { environmentKeyProvider, keyMaterialFrom } from '../../src/modules/keys/key-material.js';
import { keysService, rewrapJobName } from '../../src/modules/keys/keys-service.js';
import { keysStore } from '../../src/modules/keys/keys-store.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(17);

const systemContext = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };
const freshKeysDir = () => join(mkdtempSync(join(tmpdir(), 'custos-keys-test-')), 'keys');
const onPostgres = Boolean(process.env.DATABASE_URL);

/** Subjects for data keys to belong to (the vault owns them; here they are bare rows). */
async function insertSubjects(db: Kysely<DB>, count: number): Promise<string[]> {
  const ids = Array.from({ length: count }, () => faker.string.uuid());
  await db
    .insertInto('subjects')
    .values(ids.map((id) => ({ id, status: 'active' as const })))
    .execute();
  return ids;
}

describe('the key ring', () => {
  let t: TestApp;
  let keysDir: string;
  beforeAll(async () => {
    keysDir = freshKeysDir();
    t = await createTestApp({ env: { CUSTOS_KEYS_DIR: keysDir, CUSTOS_REWRAP_BATCH_SIZE: '2' } });
  });
  afterAll(() => t.close());

  const keys = () => t.runtime.services.keys;
  const db = () => t.runtime.database.db;

  /** Creates data keys for `count` new subjects; returns subject id -> plaintext key. */
  async function createSubjects(count: number): Promise<Map<string, Buffer>> {
    const created = new Map<string, Buffer>();
    const subjectIds = await insertSubjects(db(), count);
    await db()
      .transaction()
      .execute(async (tx) => {
        for (const subjectId of subjectIds) {
          created.set(subjectId, Buffer.from(await keys().createDataKey(tx, subjectId)));
        }
      });
    return created;
  }

  async function versionOf(subjectId: string): Promise<number> {
    const row = await db()
      .selectFrom('data_keys')
      .select('kek_version')
      .where('subject_id', '=', subjectId)
      .executeTakeFirstOrThrow();
    return row.kek_version;
  }

  async function expectAllUnwrap(subjects: Map<string, Buffer>) {
    keys().clearCache();
    for (const [subjectId, dataKey] of subjects) {
      expect((await keys().dataKeyFor(db(), subjectId)).equals(dataKey), subjectId).toBe(true);
    }
  }

  async function status(role: 'admin' | 'auditor' | 'security' | 'dpo' = 'auditor') {
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/keys/status',
      headers: await actAs(t, role),
    });
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  async function rotate() {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/keys/rotate',
      headers: await actAs(t, 'security'),
    });
    expect(response.statusCode).toBe(202);
    return response.json();
  }

  async function auditActions(action: string) {
    return db().selectFrom('audit_entries').selectAll().where('action', '=', action).orderBy('seq').execute();
  }

  it('wraps each subject’s data key under the current master key and stores only the wrapped form', async () => {
    const subjects = await createSubjects(3);
    const current = (await status()).currentVersion;
    for (const [subjectId, dataKey] of subjects) {
      expect(dataKey).toHaveLength(32);
      const row = await db()
        .selectFrom('data_keys')
        .selectAll()
        .where('subject_id', '=', subjectId)
        .executeTakeFirstOrThrow();
      expect(row.kek_version).toBe(current);
      expect(row.wrapped_key).toHaveLength(1 + 12 + 16 + 32);
      expect(row.wrapped_key.includes(dataKey)).toBe(false);
    }
    await expectAllUnwrap(subjects);
    expect(new Set([...subjects.values()].map((key) => key.toString('hex'))).size).toBe(3);
  });

  it('stores the data keys of many subjects at once, and never a second key for a subject', async () => {
    const subjectIds = await insertSubjects(db(), 30);
    const created = new Map(subjectIds.map((subjectId) => [subjectId, keys().newDataKey()]));
    await db()
      .transaction()
      .execute((tx) => keys().storeDataKeys(tx, created));
    expect(new Set([...created.values()].map((key) => key.toString('hex'))).size).toBe(30);
    const stored = await keys().dataKeysFor(db(), subjectIds);
    for (const subjectId of subjectIds)
      expect(stored.get(subjectId)?.equals(created.get(subjectId) as Buffer)).toBe(true);

    const [existing] = subjectIds as [string];
    const twice = await db()
      .transaction()
      .execute(async (tx) => {
        const [other] = await insertSubjects(tx, 1);
        await keys().storeDataKeys(
          tx,
          new Map([
            [other as string, keys().newDataKey()],
            [existing, keys().newDataKey()],
          ]),
        );
      })
      .catch((error: unknown) => error);
    expect(twice).toBeInstanceOf(AppError);
    expect((twice as AppError).code).toBe('conflict');
    keys().clearCache();
    expect((await keys().dataKeyFor(db(), existing)).equals(created.get(existing) as Buffer)).toBe(true);
  });

  it('creates a master key file (0600) and a blind-index key file on first start, and records only fingerprints', async () => {
    expect(readdirSync(keysDir)).toEqual(expect.arrayContaining(['kek-v1.key', 'index.key']));
    const body = await status('dpo');
    expect(body.provider.kind).toBe('files');
    expect(body.indexKey.matchesDatabase).toBe(true);
    expect(body.versions[0]).toMatchObject({
      version: 1,
      fingerprint: expect.stringMatching(/^[0-9a-f]{16}$/),
    });
    expect(JSON.stringify(body)).not.toMatch(/[A-Za-z0-9+/]{43}=/);
  });

  it('refuses to open a data key copied to another subject’s row (AAD binding)', async () => {
    const [[victim], [other]] = [
      [...(await createSubjects(1)).keys()],
      [...(await createSubjects(1)).keys()],
    ] as [[string], [string]];
    const stolen = await db()
      .selectFrom('data_keys')
      .select('wrapped_key')
      .where('subject_id', '=', victim)
      .executeTakeFirstOrThrow();
    await db()
      .updateTable('data_keys')
      .set({ wrapped_key: stolen.wrapped_key })
      .where('subject_id', '=', other)
      .execute();
    keys().clearCache();
    await expect(keys().dataKeyFor(db(), other)).rejects.toThrow(/does not unwrap/);
    await expect(keys().dataKeyFor(db(), victim)).resolves.toHaveLength(32);
    await db().deleteFrom('data_keys').where('subject_id', '=', other).execute();
  });

  it('refuses to open a data key whose version number was changed (AAD binds the version too)', async () => {
    const [subjectId] = [...(await createSubjects(1)).keys()] as [string];
    const before = await versionOf(subjectId);
    await rotate();
    await db()
      .updateTable('data_keys')
      .set({ kek_version: before + 1 })
      .where('subject_id', '=', subjectId)
      .execute();
    keys().clearCache();
    await expect(keys().dataKeyFor(db(), subjectId)).rejects.toThrow(/does not unwrap/);
    await db().deleteFrom('data_keys').where('subject_id', '=', subjectId).execute();
  });

  it('answers `gone` for a shredded subject, even right after its key was cached, and leaves it out of batches', async () => {
    const subjects = await createSubjects(3);
    const [shredded, ...kept] = [...subjects.keys()] as [string, ...string[]];
    await keys().dataKeyFor(db(), shredded); // cached now
    const deleted = await db()
      .transaction()
      .execute((tx) => keys().shredDataKey(tx, shredded));
    expect(deleted).toBe(true);
    const refusal = await keys()
      .dataKeyFor(db(), shredded)
      .catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(AppError);
    expect((refusal as AppError).code).toBe('gone');
    const batch = await keys().dataKeysFor(db(), [...subjects.keys()]);
    expect([...batch.keys()].sort()).toEqual([...kept].sort());
    expect(
      await db().selectFrom('data_keys').select('subject_id').where('subject_id', '=', shredded).execute(),
    ).toEqual([]);
    expect(
      await db()
        .transaction()
        .execute((tx) => keys().shredDataKey(tx, shredded)),
    ).toBe(false);
  });

  it('fetches the data keys of many subjects with one query', async () => {
    const subjects = await createSubjects(25);
    const store = keysStore();
    const counting = {
      ...store,
      findDataKey: vi.fn(store.findDataKey),
      findDataKeys: vi.fn(store.findDataKeys),
    };
    const service = keysService({
      db: db(),
      store: counting,
      ...keyMaterialFrom({ keysDir }, { create: false }),
      audit: t.runtime.services.audit,
      clock: systemClock,
      settings: { dekCacheSize: 100, dekCacheTtlMs: 60_000, rewrapBatchSize: 10 },
    });
    const found = await service.dataKeysFor(db(), [...subjects.keys()]);
    expect(found.size).toBe(25);
    for (const [subjectId, dataKey] of subjects) expect(found.get(subjectId)?.equals(dataKey)).toBe(true);
    expect(counting.findDataKeys).toHaveBeenCalledTimes(1);
    expect(counting.findDataKey).not.toHaveBeenCalled();
    // Served from the cache afterwards.
    await service.dataKeysFor(db(), [...subjects.keys()]);
    await service.dataKeyFor(db(), [...subjects.keys()][0] as string);
    expect(counting.findDataKeys).toHaveBeenCalledTimes(1);
    expect(counting.findDataKey).not.toHaveBeenCalled();
  });

  it('rotates without downtime: new data keys use the new version at once, old ones keep working', async () => {
    const old = await createSubjects(3);
    const before = (await status()).currentVersion;
    const blindIndexKey = Buffer.from(keys().blindIndexKey());
    const rotation = await rotate();
    expect(rotation).toMatchObject({
      version: before + 1,
      previousVersion: before,
      jobId: expect.any(String),
    });
    expect(rotation.dataKeysToRewrap).toBeGreaterThanOrEqual(3);
    expect(readdirSync(keysDir)).toContain(`kek-v${before + 1}.key`);

    const fresh = await createSubjects(2);
    for (const subjectId of fresh.keys()) expect(await versionOf(subjectId)).toBe(before + 1);
    for (const subjectId of old.keys()) expect(await versionOf(subjectId)).toBe(before);
    await expectAllUnwrap(old);
    await expectAllUnwrap(fresh);
    expect(keys().blindIndexKey().equals(blindIndexKey)).toBe(true);

    const jobs = await sql<{
      name: string;
      data: { version: number };
    }>`select name, data from pgboss.job where id = ${rotation.jobId}`.execute(db());
    expect(jobs.rows[0]).toMatchObject({ name: rewrapJobName, data: { version: before + 1 } });
    const [entry] = (await auditActions('keys.kek.rotated')).slice(-1);
    expect(entry).toMatchObject({
      actor_type: 'operator',
      outcome: 'success',
      target_type: 'kek_version',
      target_id: String(before + 1),
    });
  });

  it('resumes an interrupted rewrap where it stopped, and keeps every key readable meanwhile', async () => {
    const subjects = await createSubjects(5);
    const { version: target, dataKeysToRewrap } = await rotate();
    const completedBefore = (await auditActions('keys.rewrap.completed')).length;

    // The first run "crashes" after one batch of two.
    const partial = await keys().rewrap(systemContext, { maxBatches: 1 });
    expect(partial).toMatchObject({ version: target, rewrapped: 2, remaining: dataKeysToRewrap - 2 });
    expect((await status()).pendingRewrap).toBe(dataKeysToRewrap - 2);
    await expectAllUnwrap(subjects);
    expect(await auditActions('keys.rewrap.completed')).toHaveLength(completedBefore);

    // The retried job carries on with what is left.
    const job = t.runtime.services.jobDefinitions.find((definition) => definition.name === rewrapJobName);
    await job?.handler({ version: target }, { id: faker.string.uuid() });
    const after = await status();
    expect(after.pendingRewrap).toBe(0);
    for (const subjectId of subjects.keys()) expect(await versionOf(subjectId)).toBe(target);
    await expectAllUnwrap(subjects);
    const completed = await auditActions('keys.rewrap.completed');
    expect(completed).toHaveLength(completedBefore + 1);
    expect(completed.at(-1)).toMatchObject({
      actor_type: 'system',
      actor_id: rewrapJobName,
      target_id: String(target),
    });
    expect(completed.at(-1)?.details).toMatchObject({ rewrapped: dataKeysToRewrap - 2 });
  });

  it('rewraps through the job queue after a rotation, then lets the old version be retired', async () => {
    const subjects = await createSubjects(4);
    const { version, previousVersion } = await rotate();
    const used = await t.app.inject({
      method: 'POST',
      url: `/v1/keys/${previousVersion}/retire`,
      headers: await actAs(t, 'security'),
    });
    expect(used.statusCode).toBe(409);
    expect(used.json().detail).toMatch(/still wrapped under master key version/);

    await t.runtime.jobs.start({ work: true });
    await vi.waitFor(async () => expect((await keys().status()).pendingRewrap).toBe(0), {
      timeout: 20_000,
      interval: 200,
    });
    await t.runtime.jobs.stop(2000);

    const body = await status('security');
    expect(
      body.versions
        .filter((v: { dataKeys: number }) => v.dataKeys > 0)
        .map((v: { version: number }) => v.version),
    ).toEqual([version]);
    await expectAllUnwrap(subjects);

    const retired = await t.app.inject({
      method: 'POST',
      url: `/v1/keys/${previousVersion}/retire`,
      headers: await actAs(t, 'admin'),
    });
    expect(retired.statusCode).toBe(200);
    expect(retired.json()).toMatchObject({
      version: previousVersion,
      current: false,
      dataKeys: 0,
      retiredAt: expect.any(String),
    });
    const [entry] = (await auditActions('keys.kek.retired')).slice(-1);
    expect(entry).toMatchObject({
      actor_type: 'operator',
      outcome: 'success',
      target_id: String(previousVersion),
    });

    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/keys/${previousVersion}/retire`,
      headers: await actAs(t, 'admin'),
    });
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/retired already/);
  });

  it('refuses to retire the current version or one that does not exist', async () => {
    const { currentVersion } = await status();
    const headers = await actAs(t, 'security');
    const current = await t.app.inject({ method: 'POST', url: `/v1/keys/${currentVersion}/retire`, headers });
    expect(current.statusCode).toBe(409);
    expect(current.json().detail).toMatch(/is the current one/);
    const missing = await t.app.inject({ method: 'POST', url: '/v1/keys/9999/retire', headers });
    expect(missing.statusCode).toBe(404);
    const malformed = await t.app.inject({ method: 'POST', url: '/v1/keys/zero/retire', headers });
    expect(malformed.statusCode).toBe(400);
  });

  it('lets auditors read the key ring but only admin and security rotate it', async () => {
    for (const role of ['privacy_agent', 'auditor', 'dpo'] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/keys/rotate',
        headers: await actAs(t, role),
      });
      expect(response.statusCode, role).toBe(403);
    }
    const agent = await t.app.inject({
      method: 'GET',
      url: '/v1/keys/status',
      headers: await actAs(t, 'privacy_agent'),
    });
    expect(agent.statusCode).toBe(403);
  });

  it('refuses to work with key files that are not the ones this database registered, and its status says so', async () => {
    const { currentVersion } = await status();
    const wrongFiles = keyMaterialFrom({ keysDir: freshKeysDir() });
    while (((await wrongFiles.kek.currentVersion()) ?? 0) < currentVersion) await wrongFiles.kek.addVersion();
    const impostor = keysService({
      db: db(),
      store: keysStore(),
      ...wrongFiles,
      audit: t.runtime.services.audit,
      clock: systemClock,
      settings: { dekCacheSize: 0, dekCacheTtlMs: 0, rewrapBatchSize: 10 },
    });
    await expect(
      db()
        .transaction()
        .execute(async (tx) => impostor.createDataKey(tx, ...((await insertSubjects(tx, 1)) as [string]))),
    ).rejects.toThrow(/not the key this database registered/);
    // Its status says why, without refusing to answer.
    const diagnosis = await impostor.status();
    expect(diagnosis.versions.find((version) => version.current)?.available).toBe(false);
    expect(diagnosis.indexKey.matchesDatabase).toBe(false);
  });

  it.runIf(onPostgres)(
    'never retires a version while a transaction is still wrapping a data key under it',
    async () => {
      const { currentVersion: old } = await status();
      let commit!: () => void;
      const gate = new Promise<void>((resolve) => {
        commit = resolve;
      });
      let wrapped!: () => void;
      const wrappedOnce = new Promise<void>((resolve) => {
        wrapped = resolve;
      });
      const [subjectId] = (await insertSubjects(db(), 1)) as [string];
      const slow = db()
        .transaction()
        .execute(async (tx) => {
          await keys().createDataKey(tx, subjectId);
          wrapped();
          await gate;
        });
      let retire: Promise<unknown>;
      try {
        await wrappedOnce;
        await rotate();
        retire = keys()
          .retire(systemContext, old)
          .catch((error: unknown) => error);
        // The retire waits for the transaction that holds the version's row lock.
        await vi.waitFor(
          async () => {
            const waiting = await sql<{
              count: number;
            }>`select count(*)::int as count from pg_locks where not granted`.execute(db());
            expect(waiting.rows[0]?.count).toBeGreaterThan(0);
          },
          { timeout: 10_000, interval: 50 },
        );
      } finally {
        commit();
        await slow;
      }
      const refusal = await retire;
      expect(refusal).toBeInstanceOf(AppError);
      expect((refusal as AppError).message).toMatch(/still wrapped/);
      expect(await versionOf(subjectId)).toBe(old);
    },
  );
});

describe('the key ring with master keys from CUSTOS_MASTER_KEY', () => {
  let t: TestApp;
  let keysDir: string;
  const versionOne = randomBytes(32).toString('base64');
  beforeAll(async () => {
    keysDir = freshKeysDir();
    t = await createTestApp({
      env: {
        CUSTOS_KEYS_DIR: keysDir,
        CUSTOS_MASTER_KEY: `1:${versionOne}`,
        CUSTOS_INDEX_KEY: randomBytes(32).toString('base64'),
      },
    });
  });
  afterAll(() => t.close());

  it('writes no master key or blind-index key file', async () => {
    await t.runtime.database.db
      .transaction()
      .execute(async (tx) =>
        t.runtime.services.keys.createDataKey(tx, ...((await insertSubjects(tx, 1)) as [string])),
      );
    expect(readdirSync(keysDir).filter((name) => /^kek-v|^index\.key$/.test(name))).toEqual([]);
  });

  it('tells the operator to add a version to the variable when asked to rotate, and audits the refusal', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/keys/rotate',
      headers: await actAs(t, 'admin'),
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().detail).toMatch(/Add version 2 to the variable on every instance/);
    expect(response.body).not.toContain(versionOne);
    const refused = await t.runtime.database.db
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', 'keys.kek.rotated')
      .where('outcome', '=', 'failure')
      .execute();
    expect(refused).toHaveLength(1);
  });

  it('rotates to the version the operator added, and the rewrap moves every data key to it', async () => {
    const { db } = t.runtime.database;
    const subjects = new Map<string, Buffer>();
    await db.transaction().execute(async (tx) => {
      for (const subjectId of await insertSubjects(tx, 3)) {
        subjects.set(subjectId, Buffer.from(await t.runtime.services.keys.createDataKey(tx, subjectId)));
      }
    });
    // What a restart with CUSTOS_MASTER_KEY=1:<old>,2:<new> gives.
    const restarted = keysService({
      db,
      store: keysStore(),
      kek: environmentKeyProvider(`1:${versionOne},2:${randomBytes(32).toString('base64')}`),
      indexKeys: keyMaterialFrom({ ...t.runtime.config, keysDir }, { create: false }).indexKeys,
      audit: t.runtime.services.audit,
      clock: systemClock,
      settings: { dekCacheSize: 10, dekCacheTtlMs: 60_000, rewrapBatchSize: 2 },
    });
    const rotation = await restarted.rotate(systemContext, t.runtime.jobs);
    expect(rotation).toMatchObject({ version: 2, previousVersion: 1 });
    const result = await restarted.rewrap(systemContext);
    expect(result).toMatchObject({ version: 2, remaining: 0 });
    for (const [subjectId, dataKey] of subjects) {
      expect((await restarted.dataKeyFor(db, subjectId)).equals(dataKey)).toBe(true);
    }
  });
});
