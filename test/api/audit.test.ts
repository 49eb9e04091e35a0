import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, inject, it, onTestFinished } from 'vitest';
import type { Tx } from '../../src/db/database.js';
import { fixedClock } from '../../src/lib/clock.js';
import {
  type AuditCheckpoint,
  type AuditEntryRecord,
  sealEntry,
} from '../../src/modules/audit/audit-entry.js';
import { verifyExport } from '../../src/modules/audit/audit-export.js';
import { auditCheckpointJobName } from '../../src/modules/audit/audit-jobs.js';
import { keyIdOf, lazyAuditKeys, publicKeysFrom } from '../../src/modules/audit/audit-keys.js';
import { auditService } from '../../src/modules/audit/audit-service.js';
import { auditStore } from '../../src/modules/audit/audit-store.js';
import type { AuditContext, AuditEntryInput } from '../../src/modules/audit/audit-types.js';
import type { AuditVerifyReport } from '../../src/modules/audit/audit-verify.js';
import { checkpointLine, readWitness } from '../../src/modules/audit/audit-witness.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(21);

const checkpointEvery = 10;
const onPostgres = inject('testDatabase').kind === 'postgres';
const clock = fixedClock('2025-03-01T09:00:00.000Z');

function contextOf(overrides: Partial<AuditContext> = {}): AuditContext {
  return {
    actor: { type: 'operator', id: faker.string.uuid() },
    requestId: faker.string.uuid(),
    ip: faker.internet.ipv4(),
    ...overrides,
  };
}

function entryOf(overrides: Partial<AuditEntryInput> = {}): AuditEntryInput {
  return {
    action: faker.helpers.arrayElement([
      'vault.record.read',
      'consent.purpose.withdrawn',
      'operator.login.failed',
    ]),
    outcome: faker.helpers.arrayElement(['success', 'failure', 'denied'] as const),
    target: { type: 'subject', id: faker.string.uuid() },
    details: { fields: ['email'], count: faker.number.int(20) },
    ...overrides,
  };
}

describe('the audit log', () => {
  let t: TestApp;
  const audit = () => t.runtime.services.audit;
  const db = () => t.runtime.database.db;

  beforeAll(async () => {
    t = await createTestApp({ clock, env: { CUSTOS_AUDIT_CHECKPOINT_EVERY: String(checkpointEvery) } });
  });
  afterAll(() => t.close());

  async function appendSome(count: number): Promise<number[]> {
    const seqs: number[] = [];
    for (let index = 0; index < count; index += 1) {
      clock.advance(1000);
      seqs.push((await audit().record(contextOf(), entryOf())).seq);
    }
    // Checkpoints are signed once the appends that made them due commit: wait for them.
    await audit().checkpointsSigned();
    return seqs;
  }

  async function entryRows() {
    return db().selectFrom('audit_entries').selectAll().orderBy('seq').execute();
  }

  async function checkpointRows() {
    return db().selectFrom('audit_checkpoints').selectAll().orderBy('seq').execute();
  }

  /**
   * Tampers with the log as the database owner would (triggers off), verifies, and puts the log back as it
   * was, so every test starts from an intact log.
   */
  async function verifyTampered(tamper: (tx: Tx) => Promise<void>): Promise<AuditVerifyReport>;
  async function verifyTampered<T>(tamper: (tx: Tx) => Promise<void>, check: () => Promise<T>): Promise<T>;
  async function verifyTampered(tamper: (tx: Tx) => Promise<void>, check?: () => Promise<unknown>) {
    await audit().checkpointsSigned();
    const entries = await entryRows();
    const checkpoints = await checkpointRows();
    const heads = await db().selectFrom('audit_head').selectAll().execute();
    const asOwner = async (work: (tx: Tx) => Promise<void>) => {
      await db()
        .transaction()
        .execute(async (tx) => {
          await sql`alter table audit_entries disable trigger user`.execute(tx);
          await sql`alter table audit_checkpoints disable trigger user`.execute(tx);
          await work(tx);
          await sql`alter table audit_entries enable trigger user`.execute(tx);
          await sql`alter table audit_checkpoints enable trigger user`.execute(tx);
        });
    };
    await asOwner(tamper);
    try {
      return await (check ? check() : audit().verify());
    } finally {
      await asOwner(async (tx) => {
        await tx.deleteFrom('audit_entries').execute();
        await tx.deleteFrom('audit_checkpoints').execute();
        for (let start = 0; start < entries.length; start += 200) {
          const page = entries.slice(start, start + 200);
          await tx
            .insertInto('audit_entries')
            .values(page.map((row) => ({ ...row, details: JSON.stringify(row.details) })))
            .execute();
        }
        if (checkpoints.length > 0) {
          await tx
            .insertInto('audit_checkpoints')
            .values(
              checkpoints.map((row) => ({
                ...row,
                heads: row.heads === null ? null : JSON.stringify(row.heads),
              })),
            )
            .execute();
        }
        for (const head of heads) {
          await tx.updateTable('audit_head').set(head).where('chain', '=', head.chain).execute();
        }
      });
    }
  }

  describe('appending', () => {
    it('appends inside the caller’s transaction, so the entry commits or rolls back with the change', async () => {
      const marker = faker.string.uuid();
      await expect(
        db()
          .transaction()
          .execute(async (tx) => {
            await audit().append(tx, contextOf(), entryOf({ target: { type: 'subject', id: marker } }));
            throw new Error('the change failed');
          }),
      ).rejects.toThrow('the change failed');
      const count = () =>
        db()
          .selectFrom('audit_entries')
          .select(db().fn.countAll<number>().as('n'))
          .where('target_id', '=', marker);
      expect(Number((await count().executeTakeFirstOrThrow()).n)).toBe(0);

      const { seq } = await db()
        .transaction()
        .execute((tx) =>
          audit().append(tx, contextOf(), entryOf({ target: { type: 'subject', id: marker } })),
        );
      expect(Number((await count().executeTakeFirstOrThrow()).n)).toBe(1);
      expect((await audit().entry(seq)).target).toEqual({ type: 'subject', id: marker });
    });

    it('appends many entries and a change together in the caller’s transaction, on the chain it holds', async () => {
      const marker = faker.string.uuid();
      const seqs = await db()
        .transaction()
        .execute(async (tx) => {
          const first = await audit().appendWith(
            tx,
            contextOf(),
            entryOf({ target: { type: 'subject', id: marker } }),
            [
              tx
                .insertInto('login_throttle')
                .values({ key: `test.${marker}`, failures: 1, window_started_at: new Date() }),
            ],
          );
          const many = (await audit().appendMany(
            tx,
            Array.from({ length: 5 }, () => ({ context: contextOf(), entry: entryOf() })),
          )) as number[];
          return [first.seq, ...many];
        });
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      expect(new Set(entries.map((entry) => entry.chain)).size).toBe(1);
      expect(entries.map((entry) => entry.chainSeq)).toEqual(
        entries.map((_, index) => (entries[0]?.chainSeq ?? 0) + index),
      );
      const written = await db()
        .selectFrom('login_throttle')
        .select('key')
        .where('key', '=', `test.${marker}`)
        .execute();
      expect(written).toHaveLength(1);
      expect(await audit().verify()).toMatchObject({ ok: true });
    });

    it('records an entry in a transaction of its own, with every field it was given', async () => {
      const context = contextOf();
      const { seq } = await audit().record(context, {
        action: 'operator.login.failed',
        outcome: 'denied',
        target: { type: 'operator', id: context.actor.id as string },
        purpose: 'account_security',
        details: { reason: 'wrong_password' },
      });
      expect(await audit().entry(seq)).toMatchObject({
        seq,
        at: clock.now().toISOString(),
        actor: context.actor,
        action: 'operator.login.failed',
        outcome: 'denied',
        target: { type: 'operator', id: context.actor.id },
        purpose: 'account_security',
        requestId: context.requestId,
        details: { reason: 'wrong_password' },
      });
    });

    it('numbers entries in order and links each to the one before it in its chain', async () => {
      const seqs = await appendSome(5);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs);
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      // One writer at a time always finds the first chain free.
      for (let index = 1; index < entries.length; index += 1) {
        expect(entries[index]?.chain).toBe(entries[index - 1]?.chain);
        expect(entries[index]?.chainSeq).toBe((entries[index - 1]?.chainSeq as number) + 1);
        expect(entries[index]?.prevHash).toBe(entries[index - 1]?.hash);
      }
    });

    it('stores a keyed hash of the client network, never the address', async () => {
      const first = await audit().record(contextOf({ ip: '198.51.100.23' }), entryOf());
      const sameNetwork = await audit().record(contextOf({ ip: '198.51.100.201' }), entryOf());
      const otherNetwork = await audit().record(contextOf({ ip: '2001:db8:aa:1::5' }), entryOf());
      const [a, b, c] = await Promise.all(
        [first, sameNetwork, otherNetwork].map(({ seq }) => audit().entry(seq)),
      );
      expect(a?.ipHash).toMatch(/^[0-9a-f]{32}$/);
      expect(b?.ipHash).toBe(a?.ipHash);
      expect(c?.ipHash).not.toBe(a?.ipHash);
      const stored = JSON.stringify(await entryRows());
      expect(stored).not.toContain('198.51.100');
      expect(stored).not.toContain('2001:db8');
    });

    it('keeps personal data and secrets that callers put in an entry out of the table', async () => {
      const personal = {
        email: faker.internet.email(),
        phone: faker.phone.number({ style: 'international' }),
        name: faker.person.fullName(),
        password: faker.internet.password({ length: 20 }),
        token: faker.string.alphanumeric(40),
        ip: faker.internet.ipv4(),
        address: faker.location.streetAddress(),
      };
      const { seq } = await audit().record(contextOf({ requestId: personal.ip }), {
        action: 'vault.record.updated',
        outcome: 'success',
        target: { type: 'subject', id: personal.email },
        purpose: `call ${personal.phone}`,
        details: {
          ...personal,
          fullName: personal.name,
          apiKey: personal.token,
          note: `reach me at ${personal.email}`,
          nested: { contact: [personal.phone], clientIp: personal.ip },
          fields: ['email', 'phone'],
        },
      });
      const dump = JSON.stringify(await sql`select * from audit_entries`.execute(db()));
      for (const value of Object.values(personal)) expect(dump).not.toContain(value);
      const entry = await audit().entry(seq);
      expect(entry.details.fields).toEqual(['email', 'phone']);
      expect(entry.target).toEqual({ type: 'subject', id: '[redacted]' });
    });

    it('refuses to change or remove entries and checkpoints: the tables are append-only', async () => {
      await appendSome(checkpointEvery);
      const statements = [
        sql`update audit_entries set outcome = 'success'`,
        sql`delete from audit_entries`,
        sql`truncate audit_entries`,
        sql`update audit_checkpoints set key_id = 'x'`,
        sql`delete from audit_checkpoints`,
        sql`truncate audit_checkpoints`,
        sql`delete from audit_head`,
      ];
      for (const statement of statements) {
        await expect(statement.execute(db())).rejects.toThrow(/append-only/);
      }
      expect(await audit().verify()).toMatchObject({ ok: true });
    });

    it.runIf(onPostgres)(
      'never forks or breaks a chain with 8 concurrent writers, spread over chains',
      async () => {
        // Half append inside transactions of their own making, half record: both paths contend at once.
        const writers = Array.from({ length: 8 }, async (_, writer) => {
          const seqs: number[] = [];
          for (let index = 0; index < 25; index += 1) {
            const { seq } =
              writer % 2 === 0
                ? await db()
                    .transaction()
                    .execute((tx) => audit().append(tx, contextOf(), entryOf()))
                : await audit().record(contextOf(), entryOf());
            seqs.push(seq);
          }
          return seqs;
        });
        const seqs = (await Promise.all(writers)).flat().sort((a, b) => a - b);
        expect(new Set(seqs).size).toBe(200);
        const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
        expect(new Set(entries.map((entry) => entry.chain)).size).toBeGreaterThan(1);
        expect(await audit().verify()).toMatchObject({ ok: true, lastSeq: seqs.at(-1) });
      },
    );

    it.runIf(onPostgres)(
      'queues on a chain when more transactions append at once than there are chains',
      async () => {
        const chains = Number(
          (
            await db()
              .selectFrom('audit_head')
              .select(db().fn.countAll<number>().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
        // Every transaction holds its chain until `chains` of them have appended, so the rest find all held.
        let appended = 0;
        let release = () => {};
        const allHeld = new Promise<void>((resolve) => {
          release = resolve;
        });
        const transactions = Array.from({ length: chains + 4 }, () =>
          db()
            .transaction()
            .execute(async (tx) => {
              const { seq } = await audit().append(tx, contextOf(), entryOf());
              appended += 1;
              if (appended === chains) release();
              await allHeld;
              return seq;
            }),
        );
        const seqs = await Promise.all(transactions);
        const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
        expect(new Set(entries.map((entry) => entry.chain)).size).toBe(chains);
        expect(await audit().verify()).toMatchObject({ ok: true });
      },
    );

    it('keeps the appends of one transaction in one chain', async () => {
      const seqs = await db()
        .transaction()
        .execute(async (tx) => [
          (await audit().append(tx, contextOf(), entryOf())).seq,
          (await audit().append(tx, contextOf(), entryOf())).seq,
        ]);
      const [first, second] = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      expect(second?.chain).toBe(first?.chain);
      expect(second?.chainSeq).toBe((first?.chainSeq as number) + 1);
    });

    it('writes a burst of records together, each under its own number, with their checkpoints', async () => {
      const burst = await Promise.all(
        Array.from({ length: 3 * checkpointEvery }, (_, index) =>
          audit().record(contextOf(), entryOf({ details: { index } })),
        ),
      );
      // Up to eight appends or batches are in flight at once, on chains of their own: numbers are unique
      // and dense, each batch's in call order, but different batches' numbers may interleave.
      const seqs = burst.map(({ seq }) => seq);
      const first = Math.min(...seqs);
      expect([...seqs].sort((a, b) => a - b)).toEqual(seqs.map((_, index) => first + index));
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      expect(entries.map((entry) => entry.details.index)).toEqual(seqs.map((_, index) => index));
      await audit().checkpointsSigned();
      const signed = await audit().checkpoints(first - 1, 10);
      // Every entry at a multiple of N in its chain is covered by a checkpoint signed after it.
      const due = entries.filter((entry) => entry.chainSeq % checkpointEvery === 0);
      expect(due.length).toBeGreaterThan(0);
      for (const entry of due) {
        const covering = signed.find((point) =>
          point.heads?.some((head) => head.chain === entry.chain && head.chainSeq >= entry.chainSeq),
        );
        expect(covering, `entry ${entry.seq}`).toBeDefined();
      }
      expect(await audit().verify()).toMatchObject({ ok: true });
    });
  });

  describe('checkpoints', () => {
    it('signs a checkpoint over every chain’s head and the one before once a chain reaches a multiple of N', async () => {
      const seqs = await appendSome(checkpointEvery);
      await audit().checkpointsSigned();
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      const multiple = entries.find((entry) => entry.chainSeq % checkpointEvery === 0) as AuditEntryRecord;
      const [checkpoint] = await audit().checkpoints(multiple.seq - 1, 1);
      expect(checkpoint).toMatchObject({ seq: multiple.seq, keyId: audit().publicKey().keyId });
      // One head per chain that has entries, none past the newest entry the checkpoint covers.
      const chains = (checkpoint?.heads ?? []).map((head) => head.chain);
      expect(new Set(chains).size).toBe(chains.length);
      for (const head of checkpoint?.heads ?? []) expect(head.seq).toBeLessThanOrEqual(multiple.seq);
      expect(checkpoint?.heads).toContainEqual({
        chain: multiple.chain,
        chainSeq: multiple.chainSeq,
        seq: multiple.seq,
        hash: multiple.hash,
      });
      const [previous] = (await audit().checkpoints(0, 1000)).filter(
        (point) => point.checkpointSeq === (checkpoint?.checkpointSeq as number) - 1,
      );
      expect(checkpoint?.prevHash).toBe(previous?.hash ?? '0'.repeat(64));
    });

    it('lets the scheduled job sign one when the interval has passed, and not before', async () => {
      await appendSome(checkpointEvery);
      let [seq] = await appendSome(1);
      // An entry at a multiple of checkpointEvery in its chain is signed as it is appended: take the next.
      if ((await audit().entry(seq as number)).chainSeq % checkpointEvery === 0) [seq] = await appendSome(1);
      const job = t.runtime.services.jobDefinitions.find(
        (definition) => definition.name === auditCheckpointJobName,
      );
      expect(job?.schedule).toBe('* * * * *');

      const signedSince = async () =>
        (await audit().checkpoints((seq as number) - 1, 5)).map((point) => point.seq);
      clock.advance(60_000);
      await audit().checkpointIfDue();
      expect(await signedSince()).toEqual([]);
      clock.advance(t.runtime.config.auditCheckpointInterval);
      await job?.handler({}, { id: 'test' });
      expect(await signedSince()).toEqual([seq]);
      expect(await audit().checkpointIfDue()).toEqual([]);
    });

    it('keeps verifying checkpoints of a retired signing key when its public key is trusted', async () => {
      // A log of its own: checkpoints signed with a second key would fail the other tests' verifications.
      const other = await createTestApp({
        clock,
        env: { CUSTOS_AUDIT_CHECKPOINT_EVERY: String(checkpointEvery) },
      });
      onTestFinished(() => other.close());
      const db = () => other.runtime.database.db;
      const audit = () => other.runtime.services.audit;
      for (let index = 0; index < checkpointEvery; index += 1) await audit().record(contextOf(), entryOf());
      const old = audit().publicKey();
      const dir = mkdtempSync(join(tmpdir(), 'custos-audit-rotation-'));
      const newKeyFile = join(dir, 'audit-signing-key.pem');
      const oldPublicKeyFile = join(dir, 'retired.pem');
      writeFileSync(oldPublicKeyFile, old.publicKeyPem);
      const settings = { checkpointEvery, checkpointIntervalMs: 60_000 };
      const rotated = auditService({
        db: db(),
        store: auditStore(),
        clock,
        settings,
        keys: lazyAuditKeys({ signingKeyFile: newKeyFile, verifyKeyFiles: [oldPublicKeyFile] }),
      });
      for (let index = 0; index < checkpointEvery; index += 1) await rotated.record(contextOf(), entryOf());
      expect(rotated.publicKey().keyId).not.toBe(old.keyId);
      expect(await rotated.verify()).toMatchObject({ ok: true });

      const forgetful = auditService({
        db: db(),
        store: auditStore(),
        clock,
        settings,
        keys: lazyAuditKeys({ signingKeyFile: newKeyFile, verifyKeyFiles: [] }),
      });
      const report = await forgetful.verify();
      expect(report).toMatchObject({ ok: false, problem: 'checkpoint_signature_invalid' });
      expect(report.ok || report.message).toContain(old.keyId);
    });
  });

  describe('verification finds and locates tampering', () => {
    it('a changed field', async () => {
      const [, target] = await appendSome(3);
      const report = await verifyTampered(async (tx) => {
        await tx
          .updateTable('audit_entries')
          .set({ outcome: 'success', action: 'nothing.happened' })
          .where('seq', '=', target as number)
          .execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'hash_mismatch', seq: target });
    });

    it('a deleted entry, at the next entry of its chain', async () => {
      const [, target, next] = await appendSome(3);
      const report = await verifyTampered(async (tx) => {
        await tx
          .deleteFrom('audit_entries')
          .where('seq', '=', target as number)
          .execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'sequence_gap', seq: next });
    });

    it('an inserted entry, with the entries after it renumbered', async () => {
      // Three entries in one transaction: one chain, numbered one after the other, so the entry after the
      // inserted one is the next in its chain (separate appends may each take another chain).
      clock.advance(1000);
      const seqs = await db()
        .transaction()
        .execute((tx) =>
          audit().appendMany(
            tx,
            [1, 2, 3].map(() => ({ context: contextOf(), entry: entryOf() })),
          ),
        );
      await audit().checkpointsSigned();
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      // Not right before a checkpoint, which would name the inserted entry as a checkpoint mismatch instead;
      // one of the first two, so that an entry of its chain follows it.
      const previous = entries
        .slice(0, 2)
        .find((entry) => (entry.chainSeq + 1) % checkpointEvery !== 0) as AuditEntryRecord;
      const before = previous.seq;
      const report = await verifyTampered(async (tx) => {
        // Two steps, because the keys are checked row by row.
        await sql`update audit_entries set seq = seq + 1000000, chain_seq = chain_seq + 1000000
                   where seq > ${before}`.execute(tx);
        await sql`update audit_entries set seq = seq - 999999, chain_seq = chain_seq - 999999
                   where seq > 1000000`.execute(tx);
        const forged = sealEntry(
          previous.hash,
          { ...previous, seq: (before as number) + 1, action: 'operator.login.succeeded' },
          { chain: previous.chain, chainSeq: previous.chainSeq + 1 },
        );
        await tx.insertInto('audit_entries').values(rowOf(forged)).execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'entry_inserted', seq: (before as number) + 1 });
    });

    it('two entries that swapped contents', async () => {
      const [first, , third] = await appendSome(3);
      const a = rowOf(await audit().entry(first as number));
      const b = rowOf(await audit().entry(third as number));
      const report = await verifyTampered(async (tx) => {
        await tx.deleteFrom('audit_entries').where('seq', 'in', [a.seq, b.seq]).execute();
        await tx
          .insertInto('audit_entries')
          .values([
            { ...b, seq: a.seq, chain_seq: a.chain_seq },
            { ...a, seq: b.seq, chain_seq: b.chain_seq },
          ])
          .execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'chain_broken', seq: first });
    });

    it('a chain rewritten from a changed entry on, hashes and all, up to a signed checkpoint', async () => {
      const seqs = await appendSome(checkpointEvery + 2);
      const entries = await Promise.all(seqs.map((seq) => audit().entry(seq)));
      const changed = seqs[0] as number;
      const checkpoint = entries.find((entry) => entry.chainSeq % checkpointEvery === 0)?.seq;
      let previous = (entries[0] as AuditEntryRecord).prevHash;
      const resealed: AuditEntryRecord[] = [];
      for (const entry of entries) {
        const content =
          entry.seq === changed ? { ...entry, outcome: 'success' as const, details: {} } : entry;
        resealed.push(sealEntry(previous, content, entry));
        previous = (resealed.at(-1) as AuditEntryRecord).hash;
      }
      const report = await verifyTampered(async (tx) => {
        await tx.deleteFrom('audit_entries').where('seq', 'in', seqs).execute();
        await tx.insertInto('audit_entries').values(resealed.map(rowOf)).execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'checkpoint_mismatch', seq: checkpoint });
    });

    it('the tail cut off past a signed checkpoint', async () => {
      const entries = await Promise.all(
        (await appendSome(checkpointEvery + 2)).map((seq) => audit().entry(seq)),
      );
      const checkpointed = entries.findIndex((entry) => entry.chainSeq % checkpointEvery === 0);
      const firstCut = entries[Math.max(0, checkpointed - 2)] as AuditEntryRecord;
      const report = await verifyTampered(async (tx) => {
        const kept = await tx
          .selectFrom('audit_entries')
          .select(['seq', 'chain_seq', 'hash'])
          .where('chain', '=', firstCut.chain)
          .where('chain_seq', '=', firstCut.chainSeq - 1)
          .executeTakeFirstOrThrow();
        await tx
          .deleteFrom('audit_entries')
          .where('chain', '=', firstCut.chain)
          .where('chain_seq', '>=', firstCut.chainSeq)
          .execute();
        // Rewound like the log never went further: only the checkpoint still knows.
        await tx
          .updateTable('audit_head')
          .set({ seq: kept.seq, chain_seq: kept.chain_seq, hash: kept.hash })
          .where('chain', '=', firstCut.chain)
          .execute();
      });
      expect(report).toMatchObject({
        ok: false,
        problem: 'truncated_after_checkpoint',
        seq: entries[checkpointed]?.seq,
      });
    });

    it('the tail cut off after the last checkpoint, when the head was left alone', async () => {
      let [last] = await appendSome(1);
      if ((await audit().entry(last as number)).chainSeq % checkpointEvery === 0)
        [last] = await appendSome(1);
      const report = await verifyTampered(async (tx) => {
        await tx
          .deleteFrom('audit_entries')
          .where('seq', '=', last as number)
          .execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'tail_missing', seq: last });
    });

    it('a forged checkpoint', async () => {
      // An entry without a real checkpoint of its own, which the forged one would collide with.
      const entries = await Promise.all((await appendSome(2)).map((seq) => audit().entry(seq)));
      const entry = entries.find(
        (candidate) => candidate.chainSeq % checkpointEvery !== 0,
      ) as AuditEntryRecord;
      const target = entry.seq;
      const { publicKey } = generateKeyPairSync('ed25519');
      const report = await verifyTampered(async (tx) => {
        await tx
          .insertInto('audit_checkpoints')
          .values({
            seq: entry.seq,
            hash: Buffer.from(entry.hash, 'hex'),
            at: clock.now(),
            key_id: keyIdOf(publicKey),
            signature: Buffer.from(faker.string.hexadecimal({ length: 128, prefix: '' }), 'hex'),
          })
          .execute();
      });
      expect(report).toMatchObject({ ok: false, problem: 'checkpoint_signature_invalid', seq: target });
    });
  });

  describe('verification finds rewrites that also remove or replay checkpoints', () => {
    /** Chained checkpoints, oldest first. */
    async function chainedCheckpoints(): Promise<AuditCheckpoint[]> {
      return (await audit().checkpoints(0, 1000)).filter((point) => point.checkpointSeq !== undefined);
    }

    /**
     * Whether a checkpoint signs `entry`'s position in its chain. Decided by the chain head it signs, not
     * by global numbers: appends in flight together may number their entries out of chain order.
     */
    function covers(point: AuditCheckpoint, entry: AuditEntryRecord): boolean {
      return (point.heads ?? []).some(
        (head) => head.chain === entry.chain && head.chainSeq >= entry.chainSeq,
      );
    }

    /** Deletes the given checkpoints (by the entry number each signs up to). */
    function deleteCheckpoints(tx: Tx, points: AuditCheckpoint[]) {
      return tx
        .deleteFrom('audit_checkpoints')
        .where(
          'checkpoint_seq',
          'in',
          points.map((point) => point.checkpointSeq as number),
        )
        .execute();
    }

    /**
     * Rewrites `chain` from entry `from` on as someone with the database but not the key would: `edit`
     * changes (or, returning null, drops) that entry, positions and hashes after it are recomputed and the
     * head is moved to match, so the chain itself looks whole again. Read first; the write goes in `tx`.
     */
    async function rewriteChain(
      chain: number,
      from: number,
      edit: (entry: AuditEntryRecord) => AuditEntryRecord | null,
    ): Promise<(tx: Tx) => Promise<void>> {
      const rows = await db()
        .selectFrom('audit_entries')
        .select('seq')
        .where('chain', '=', chain)
        .where('seq', '>=', from)
        .orderBy('seq')
        .execute();
      const entries = await Promise.all(rows.map((row) => audit().entry(Number(row.seq))));
      const first = entries[0] as AuditEntryRecord;
      let previous = first.prevHash;
      let position = first.chainSeq - 1;
      const resealed: AuditEntryRecord[] = [];
      for (const entry of entries) {
        const edited = entry.seq === from ? edit(entry) : entry;
        if (!edited) continue;
        position += 1;
        const sealed = sealEntry(previous, edited, { chain, chainSeq: position });
        resealed.push(sealed);
        previous = sealed.hash;
      }
      const last = resealed.at(-1) as AuditEntryRecord;
      return async (tx) => {
        await tx.deleteFrom('audit_entries').where('chain', '=', chain).where('seq', '>=', from).execute();
        await tx.insertInto('audit_entries').values(resealed.map(rowOf)).execute();
        await tx
          .updateTable('audit_head')
          .set({ seq: last.seq, chain_seq: last.chainSeq, hash: Buffer.from(last.hash, 'hex') })
          .where('chain', '=', chain)
          .execute();
      };
    }

    /** Entries enough for several checkpoints, one after the other (so all in one chain). */
    async function appendChecked(count: number) {
      const entries = await Promise.all((await appendSome(count)).map((seq) => audit().entry(seq)));
      expect(new Set(entries.map((entry) => entry.chain)).size).toBe(1);
      return entries;
    }

    /**
     * The first entry after the last checkpoint that covers `entry`'s chain before `entry` (read before the
     * tampering, which is rolled back: an entry the tampering `removed` is skipped).
     */
    async function firstUnsignedAfter(entry: AuditEntryRecord, kept: AuditCheckpoint[], removed?: number) {
      const head = kept
        .flatMap((point) => point.heads ?? [])
        .filter((head) => head.chain === entry.chain && head.chainSeq < entry.chainSeq)
        .sort((a, b) => b.chainSeq - a.chainSeq)[0];
      const row = await db()
        .selectFrom('audit_entries')
        .select('seq')
        .where('chain', '=', entry.chain)
        .where('chain_seq', '>', head?.chainSeq ?? 0)
        .$if(removed !== undefined, (query) => query.where('seq', '!=', removed as number))
        .orderBy('chain_seq')
        .limit(1)
        .executeTakeFirstOrThrow();
      return Number(row.seq);
    }

    it('an entry in the middle changed, the later hashes recomputed and the later checkpoints deleted', async () => {
      const entries = await appendChecked(5 * checkpointEvery);
      const changed = entries[checkpointEvery + 2] as AuditEntryRecord;
      const points = await chainedCheckpoints();
      const kept = points.filter((point) => !covers(point, changed));
      const rewrite = await rewriteChain(changed.chain, changed.seq, (entry) => ({
        ...entry,
        outcome: 'success',
        details: {},
      }));
      const report = await verifyTampered(async (tx) => {
        await rewrite(tx);
        await deleteCheckpoints(
          tx,
          points.filter((point) => covers(point, changed)),
        );
      });
      expect(report).toMatchObject({
        ok: false,
        problem: 'unsigned_span',
        seq: await firstUnsignedAfter(changed, kept),
      });
    });

    it('an entry in the middle deleted, the later positions and hashes recomputed and the later checkpoints deleted', async () => {
      const entries = await appendChecked(5 * checkpointEvery);
      const removed = entries[checkpointEvery + 2] as AuditEntryRecord;
      const points = await chainedCheckpoints();
      const kept = points.filter((point) => !covers(point, removed));
      const rewrite = await rewriteChain(removed.chain, removed.seq, () => null);
      const report = await verifyTampered(async (tx) => {
        await rewrite(tx);
        await deleteCheckpoints(
          tx,
          points.filter((point) => covers(point, removed)),
        );
      });
      expect(report).toMatchObject({
        ok: false,
        problem: 'unsigned_span',
        seq: await firstUnsignedAfter(removed, kept, removed.seq),
      });
    });

    it('the same rewrite with only the next checkpoint deleted, at the gap in checkpoint numbers', async () => {
      const entries = await appendChecked(3 * checkpointEvery);
      const changed = entries[2] as AuditEntryRecord;
      const later = (await chainedCheckpoints()).filter((point) => covers(point, changed));
      const [first, second] = later as [AuditCheckpoint, AuditCheckpoint];
      const rewrite = await rewriteChain(changed.chain, changed.seq, (entry) => ({
        ...entry,
        action: 'nothing.happened',
      }));
      const report = await verifyTampered(async (tx) => {
        await rewrite(tx);
        await deleteCheckpoints(tx, [first]);
      });
      expect(report).toMatchObject({
        ok: false,
        problem: 'checkpoint_missing',
        checkpoint: first.checkpointSeq,
        seq: second.seq,
      });
    });

    it('a checkpoint deleted from the middle of the chain of checkpoints', async () => {
      await appendChecked(3 * checkpointEvery);
      const chained = await chainedCheckpoints();
      const [removed, next] = chained.slice(-3, -1) as [AuditCheckpoint, AuditCheckpoint];
      const report = await verifyTampered(async (tx) => {
        await tx.deleteFrom('audit_checkpoints').where('seq', '=', removed.seq).execute();
      });
      expect(report).toMatchObject({
        ok: false,
        problem: 'checkpoint_missing',
        checkpoint: removed.checkpointSeq,
        seq: next.seq,
      });
    });

    it('the latest checkpoint deleted, once the entries it covered should have been signed', async () => {
      const entries = await appendChecked(2 * checkpointEvery);
      const chained = await chainedCheckpoints();
      const latest = chained.at(-1) as AuditCheckpoint;
      const kept = chained.slice(0, -1);
      const last = entries.at(-1) as AuditEntryRecord;
      const report = await verifyTampered(
        async (tx) => {
          await tx.deleteFrom('audit_checkpoints').where('seq', '=', latest.seq).execute();
        },
        async () => {
          clock.advance(t.runtime.config.auditCheckpointInterval + 3 * 60_000);
          return audit().verify();
        },
      );
      // The log is whole again: sign what the time that passed made due, for the tests after this one.
      await audit().checkpointIfDue();
      expect(report).toMatchObject({
        ok: false,
        problem: 'unsigned_span',
        seq: await firstUnsignedAfter(last, kept),
      });
    });

    it('an older checkpoint re-inserted after the newer ones (its number replayed)', async () => {
      await appendChecked(3 * checkpointEvery);
      const chained = await chainedCheckpoints();
      const replayed = chained.at(-2) as AuditCheckpoint;
      const copy = await db()
        .selectFrom('audit_checkpoints')
        .selectAll()
        .where('seq', '=', replayed.seq)
        .executeTakeFirstOrThrow();
      try {
        const report = await verifyTampered(async (tx) => {
          // The table's keys stand in the way; its owner drops them.
          await sql`alter table audit_checkpoints drop constraint audit_checkpoints_pkey`.execute(tx);
          await sql`alter table audit_checkpoints drop constraint audit_checkpoints_checkpoint_seq`.execute(
            tx,
          );
          await tx
            .insertInto('audit_checkpoints')
            .values({ ...copy, heads: JSON.stringify(copy.heads) })
            .execute();
        });
        expect(report).toMatchObject({
          ok: false,
          problem: 'checkpoint_replayed',
          checkpoint: replayed.checkpointSeq,
          seq: replayed.seq,
        });
      } finally {
        await sql`alter table audit_checkpoints add primary key (seq)`.execute(db());
        await sql`alter table audit_checkpoints add constraint audit_checkpoints_checkpoint_seq unique (checkpoint_seq)`.execute(
          db(),
        );
      }
    });

    it('entries left unsigned for longer than the checkpoint interval allows', async () => {
      // An entry that made no checkpoint due (one at a multiple of N is signed at once).
      let unsigned: AuditEntryRecord;
      do {
        const [seq] = await appendSome(1);
        unsigned = await audit().entry(seq as number);
      } while (unsigned.chainSeq % checkpointEvery === 0);
      const earlier = (await chainedCheckpoints()).filter((point) => !covers(point, unsigned));
      clock.advance(t.runtime.config.auditCheckpointInterval + 3 * 60_000);
      const report = await audit().verify();
      await audit().checkpointIfDue();
      expect(report).toMatchObject({
        ok: false,
        problem: 'unsigned_span',
        seq: await firstUnsignedAfter(unsigned, earlier),
      });
      expect(await audit().verify()).toMatchObject({ ok: true });
    });

    describe('against checkpoints a witness keeps outside the database', () => {
      /** A witness directory as the checkpoint job fills it, read back as `audit verify --witness` does. */
      async function witness(): Promise<AuditCheckpoint[]> {
        const dir = mkdtempSync(join(tmpdir(), 'custos-witness-'));
        onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
        await audit().writeWitnessCopies(dir);
        // Nothing is copied twice, and the copies are the database's.
        expect(await audit().writeWitnessCopies(dir)).toBe(0);
        return readWitness(dir);
      }

      it('verifies when the database holds every witnessed checkpoint unchanged', async () => {
        await appendChecked(2 * checkpointEvery);
        const witnessed = await witness();
        expect(witnessed.length).toBeGreaterThan(1);
        expect(witnessed.map((point) => point.checkpointSeq)).toEqual(witnessed.map((_, index) => index + 1));
        const verified = await audit().verify({ witnessed });
        expect(verified, JSON.stringify(verified)).toMatchObject({ ok: true });
        const file = join(mkdtempSync(join(tmpdir(), 'custos-witness-file-')), 'checkpoints.ndjson');
        writeFileSync(file, witnessed.map(checkpointLine).join(''));
        expect(readWitness(file)).toEqual(witnessed);
      });

      it('an entry rewritten after it was witnessed, with the later checkpoints deleted', async () => {
        const entries = await appendChecked(3 * checkpointEvery);
        const witnessed = await witness();
        const changed = entries[checkpointEvery + 2] as AuditEntryRecord;
        const lost = witnessed.find((point) => covers(point, changed)) as AuditCheckpoint;
        const head = lost.heads?.find((candidate) => candidate.chain === changed.chain);
        const rewrite = await rewriteChain(changed.chain, changed.seq, (entry) => ({
          ...entry,
          action: 'nothing.happened',
        }));
        const report = await verifyTampered(
          async (tx) => {
            await rewrite(tx);
            await deleteCheckpoints(
              tx,
              witnessed.filter((point) => covers(point, changed)),
            );
          },
          () => audit().verify({ witnessed }),
        );
        expect(report, JSON.stringify(report)).toMatchObject({
          ok: false,
          problem: 'witness_mismatch',
          checkpoint: lost.checkpointSeq,
        });
        // It points to an entry that checkpoint names.
        expect(lost.heads?.map((candidate) => candidate.seq)).toContain(report.ok ? 0 : report.seq);
        expect(head?.seq).toBeDefined();
      });

      it('a witnessed checkpoint missing from the database, which alone cannot tell', async () => {
        await appendChecked(2 * checkpointEvery);
        const witnessed = await witness();
        const latest = witnessed.at(-1) as AuditCheckpoint;
        const [alone, withWitness] = await verifyTampered(
          async (tx) => {
            await tx.deleteFrom('audit_checkpoints').where('seq', '=', latest.seq).execute();
          },
          async () => [await audit().verify(), await audit().verify({ witnessed })],
        );
        expect(alone).toMatchObject({ ok: true });
        expect(withWitness).toMatchObject({
          ok: false,
          problem: 'witness_checkpoint_missing',
          checkpoint: latest.checkpointSeq,
          seq: latest.seq,
        });
      });
    });

    it('a row appended around Custos with a correct hash: 200 with the finding, the alert, and its own entry', async () => {
      const headers = await actAs(t, 'auditor');
      await appendSome(2);
      const head = await db()
        .selectFrom('audit_head')
        .selectAll()
        .where('chain', '=', 0)
        .executeTakeFirstOrThrow();
      const previous = await audit().entry(Number(head.seq));
      const last = Number(
        (
          await db()
            .selectFrom('audit_entries')
            .select(db().fn.max('seq').as('max'))
            .executeTakeFirstOrThrow()
        ).max,
      );
      // The next number the sequence hands out and the next position of the chain: every later append
      // there collides with it.
      const forged = sealEntry(
        previous.hash,
        { ...previous, seq: last + 1, action: 'operator.login.succeeded', outcome: 'success' },
        { chain: 0, chainSeq: Number(head.chain_seq) + 1 },
      );
      const { responses, recorded, alert } = await verifyTampered(
        async (tx) => {
          await tx.insertInto('audit_entries').values(rowOf(forged)).execute();
        },
        async () => ({
          responses: [
            await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers }),
            await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers }),
          ],
          recorded: await audit().query({ action: 'audit.log.verified' }, undefined, 2),
          alert: await db()
            .selectFrom('alerts')
            .selectAll()
            .where('kind', '=', 'audit.verification_failed')
            .where('target_id', '=', String(forged.seq))
            .executeTakeFirst(),
        }),
      );
      for (const response of responses) {
        expect(response.statusCode).toBe(200);
        expect(response.json()).toMatchObject({ ok: false, problem: 'entry_beyond_head', seq: forged.seq });
      }
      expect(alert).toMatchObject({ severity: 'critical', status: 'open' });
      expect(recorded.items).toHaveLength(2);
      for (const item of recorded.items) {
        expect(item).toMatchObject({
          outcome: 'failure',
          details: { problem: 'entry_beyond_head', seq: forged.seq },
        });
        expect(item.chain).not.toBe(0);
      }
    });
  });

  describe('queries and exports', () => {
    it('filters by actor, action prefix, target, outcome and time, newest first, page by page', async () => {
      const actor = { type: 'api_key' as const, id: faker.string.uuid() };
      const subject = faker.string.uuid();
      const startedAt = new Date(clock.now().getTime() + 1);
      const written: number[] = [];
      for (let index = 0; index < 7; index += 1) {
        clock.advance(1000);
        const entry = entryOf({
          action: index % 2 === 0 ? 'consent.purpose.granted' : 'vault.record.read',
          outcome: 'success',
          target: { type: 'subject', id: subject },
        });
        written.push((await audit().record(contextOf({ actor }), entry)).seq);
      }
      const filters = { actorType: 'api_key', actorId: actor.id, action: 'consent.*', targetId: subject };
      const first = await audit().query(filters, undefined, 3);
      const second = await audit().query(filters, first.nextCursor ?? undefined, 3);
      const expected = written.filter((_, index) => index % 2 === 0).reverse();
      expect(first.items.map((item) => item.seq)).toEqual(expected.slice(0, 3));
      expect(second.items.map((item) => item.seq)).toEqual(expected.slice(3));
      expect(second.nextCursor).toBeNull();

      const exact = await audit().query({ actorId: actor.id, action: 'vault.record.read' }, undefined, 50);
      expect(exact.items).toHaveLength(3);
      const failures = await audit().query({ actorId: actor.id, outcome: 'failure' }, undefined, 50);
      expect(failures.items).toEqual([]);
      const windowed = await audit().query(
        { actorId: actor.id, from: startedAt, to: new Date(startedAt.getTime() + 3000) },
        undefined,
        50,
      );
      expect(windowed.items.map((item) => item.seq)).toEqual(written.slice(0, 3).reverse());
    });

    it('exports NDJSON with the checkpoints that verifies offline with the public key alone', async () => {
      await appendSome(checkpointEvery + 3);
      let text = '';
      for await (const chunk of audit().exportStream({}, 'ndjson')) text += chunk;
      const lines = text
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines[0]).toMatchObject({ kind: 'header', complete: true });
      expect(lines.some((line) => line.kind === 'checkpoint')).toBe(true);
      const keys = publicKeysFrom([audit().publicKeyPem()]);
      const report = await verifyExport(Readable.from([text]), keys);
      expect(report).toMatchObject({
        ok: true,
        entries: lines.filter((line) => line.kind === 'entry').length,
      });

      const changed = text.replace(/"outcome":"(success|failure)"/, '"outcome":"denied"');
      expect(await verifyExport(Readable.from([changed]), keys)).toMatchObject({
        ok: false,
        problem: 'hash_mismatch',
      });
    });

    it('refuses to verify a filtered export, which has gaps by design', async () => {
      let text = '';
      for await (const chunk of audit().exportStream({ outcome: 'denied' }, 'ndjson')) text += chunk;
      await expect(
        verifyExport(Readable.from([text]), publicKeysFrom([audit().publicKeyPem()])),
      ).rejects.toThrow(/filtered/);
    });

    it('exports CSV with one row per entry and neutralizes spreadsheet formulas', async () => {
      await audit().record(contextOf(), entryOf({ action: 'vault.record.read', purpose: '=cmd|calc' }));
      let text = '';
      for await (const chunk of audit().exportStream({ action: 'vault.*' }, 'csv')) text += chunk;
      const rows = text.trim().split('\r\n');
      expect(rows[0]).toBe(
        'seq,chain,chain_seq,at,actor_type,actor_id,action,target_type,target_id,purpose,outcome,request_id,ip_hash,details,prev_hash,hash',
      );
      expect(rows).toHaveLength((await audit().count({ action: 'vault.*' })) + 1);
      expect(text).toContain(",'=cmd|calc,");
      expect(text).not.toContain(',=cmd');
    });
  });

  describe('over HTTP', () => {
    it('lets an auditor page through the log with filters', async () => {
      const headers = await actAs(t, 'auditor');
      const actorId = faker.string.uuid();
      for (let index = 0; index < 3; index += 1) {
        await audit().record(
          contextOf({ actor: { type: 'operator', id: actorId } }),
          entryOf({ action: 'operator.mfa.enrolled' }),
        );
      }
      const first = await t.app.inject({
        method: 'GET',
        url: '/v1/audit/entries',
        query: { actorId, action: 'operator.*', limit: '2' },
        headers,
      });
      expect(first.statusCode).toBe(200);
      const page = first.json();
      expect(page.items).toHaveLength(2);
      expect(page.items[0].seq).toBeGreaterThan(page.items[1].seq);
      const second = await t.app.inject({
        method: 'GET',
        url: '/v1/audit/entries',
        query: { actorId, cursor: page.nextCursor },
        headers,
      });
      expect(second.json()).toMatchObject({ items: [{ actor: { id: actorId } }], nextCursor: null });
      const one = await t.app.inject({
        method: 'GET',
        url: `/v1/audit/entries/${page.items[0].seq}`,
        headers,
      });
      expect(one.json()).toEqual(page.items[0]);
    });

    it('refuses unbounded or malformed query parameters', async () => {
      const headers = await actAs(t, 'auditor');
      const queries: Record<string, string>[] = [
        { limit: '500' },
        { action: 'DROP TABLE' },
        { actorId: 'x'.repeat(201) },
        { from: 'yesterday' },
        { cursor: 'not-a-cursor' },
      ];
      for (const query of queries) {
        const response = await t.app.inject({ method: 'GET', url: '/v1/audit/entries', query, headers });
        expect(response.statusCode, JSON.stringify(query)).toBe(400);
        expect(response.json().code).toBe('invalid_query_parameter');
      }
    });

    it('streams an NDJSON export that verifies offline with the published public key, and records the export', async () => {
      const headers = await actAs(t, 'auditor');
      await appendSome(3);
      const key = await t.app.inject({ method: 'GET', url: '/v1/audit/public-key', headers });
      expect(key.json()).toMatchObject({ algorithm: 'Ed25519', keyId: audit().publicKey().keyId });
      const response = await t.app.inject({ method: 'GET', url: '/v1/audit/export?format=ndjson', headers });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toMatch(/^application\/x-ndjson/);
      expect(response.headers['content-disposition']).toMatch(
        /attachment; filename="custos-audit-.*\.ndjson"/,
      );
      const report = await verifyExport(
        Readable.from([response.body]),
        publicKeysFrom([key.json().publicKeyPem]),
      );
      expect(report).toMatchObject({ ok: true });
      const recorded = await audit().query({ action: 'audit.log.exported' }, undefined, 1);
      expect(recorded.items[0]).toMatchObject({
        outcome: 'success',
        details: { format: 'ndjson', filtered: false },
      });

      const csv = await t.app.inject({
        method: 'GET',
        url: '/v1/audit/export?format=csv&outcome=denied',
        headers,
      });
      expect(csv.headers['content-type']).toMatch(/^text\/csv/);
      expect(csv.body.split('\r\n')[0]).toMatch(/^seq,chain,chain_seq,at,actor_type/);
    });

    it('verifies the log, and names the first bad entry after tampering', async () => {
      const headers = await actAs(t, 'auditor');
      const ok = await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers });
      expect(ok.json()).toMatchObject({ ok: true });
      const [target] = await appendSome(2);
      const { response, recorded } = await verifyTampered(
        async (tx) => {
          await tx
            .updateTable('audit_entries')
            .set({ purpose: 'nothing_to_see' })
            .where('seq', '=', target as number)
            .execute();
        },
        async () => ({
          response: await t.app.inject({ method: 'GET', url: '/v1/audit/verify', headers }),
          recorded: await audit().query({ action: 'audit.log.verified' }, undefined, 1),
        }),
      );
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({ ok: false, problem: 'hash_mismatch', seq: target });
      expect(recorded.items[0]).toMatchObject({
        outcome: 'failure',
        details: { problem: 'hash_mismatch', seq: target },
      });
    });

    it('answers 403 to callers whose role lacks the audit permission a route needs', async () => {
      const cases = [
        { role: 'privacy_agent', urls: ['/v1/audit/entries', '/v1/audit/export', '/v1/audit/verify'] },
        { role: 'security', urls: ['/v1/audit/export', '/v1/audit/public-key'] },
      ] as const;
      for (const { role, urls } of cases) {
        const headers = await actAs(t, role);
        for (const url of urls) {
          const response = await t.app.inject({ method: 'GET', url, headers });
          expect(response.statusCode, `${role} ${url}`).toBe(403);
        }
      }
      const anonymous = await t.app.inject({ method: 'GET', url: '/v1/audit/entries' });
      expect(anonymous.statusCode).toBe(401);
    });
  });
});

function rowOf(entry: AuditEntryRecord) {
  return {
    seq: entry.seq,
    chain: entry.chain,
    chain_seq: entry.chainSeq,
    at: new Date(entry.at),
    actor_type: entry.actor.type,
    actor_id: entry.actor.id,
    action: entry.action,
    target_type: entry.target?.type ?? null,
    target_id: entry.target?.id ?? null,
    purpose: entry.purpose,
    outcome: entry.outcome,
    request_id: entry.requestId,
    ip_hash: entry.ipHash,
    details: JSON.stringify(entry.details),
    prev_hash: Buffer.from(entry.prevHash, 'hex'),
    hash: Buffer.from(entry.hash, 'hex'),
  };
}
