import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { segmentFileName, verifyArchive } from '../../src/modules/audit/audit-archive.js';
import { verifyExport } from '../../src/modules/audit/audit-export.js';
import { publicKeysFrom } from '../../src/modules/audit/audit-keys.js';
import type { AuditContext } from '../../src/modules/audit/audit-types.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1616);

const context = (): AuditContext => ({
  actor: { type: 'operator', id: faker.string.uuid() },
  requestId: faker.string.uuid(),
  ip: null,
});
const system: AuditContext = { actor: { type: 'system', id: 'test.prune' }, requestId: null, ip: null };

/**
 * One chain (entries written one after another take the same free chain), with classes interleaved:
 * positions 1-3 access, 4 security, 5-6 access, 7 security, 8 access, 9 compliance, 10-13 access.
 */
const actions = [
  'vault.record.read',
  'vault.subject.searched',
  'vault.token.detokenized',
  'operator.login.succeeded',
  'vault.record.read',
  'request.export.downloaded',
  'api_key.created',
  'vault.record.read',
  'request.received',
  'vault.record.read',
  'vault.record.read',
  'consent.filter.run',
  'vault.record.read',
];

type Log = {
  t: TestApp;
  clock: ReturnType<typeof fixedClock>;
  dir: string;
  /** Signs what is unsigned, as the minute job does, then moves the clock to `at`. */
  moveTo(at: string): Promise<void>;
};

async function writtenLog(): Promise<Log> {
  const clock = fixedClock('2020-01-01T10:00:00.000Z');
  const dir = mkdtempSync(join(tmpdir(), 'custos-audit-archive-'));
  const t = await createTestApp({
    clock,
    env: { CUSTOS_AUDIT_CHECKPOINT_EVERY: '5', CUSTOS_AUDIT_ARCHIVE_DIR: dir },
  });
  const audit = t.runtime.services.audit;
  for (const action of actions) {
    await audit.record(context(), {
      action,
      outcome: 'success',
      target: { type: 'subject', id: faker.string.uuid() },
    });
    clock.advance(1000);
  }
  const moveTo = async (at: string) => {
    await audit.checkpointsSigned();
    clock.advance(t.runtime.config.auditCheckpointInterval);
    await audit.checkpointIfDue();
    clock.set(at);
  };
  return { t, clock, dir, moveTo };
}

async function positions(t: TestApp): Promise<{ chain: number; chainSeq: number; action: string }[]> {
  const rows = await t.runtime.database.db
    .selectFrom('audit_entries')
    .select(['chain', 'chain_seq', 'action'])
    .orderBy('seq')
    .execute();
  return rows.map((row) => ({ chain: row.chain, chainSeq: Number(row.chain_seq), action: row.action }));
}

describe('audit-log retention: archive, prune, verify', () => {
  let log: Log;
  /** Only the public key, as an auditor holds it. */
  const keyFile = () => publicKeysFrom([log.t.runtime.services.audit.publicKeyPem()]);

  beforeAll(async () => {
    log = await writtenLog();
  });
  afterAll(async () => {
    await log.t.close();
    rmSync(log.dir, { recursive: true, force: true });
  });

  it('says in a dry run what is due: a prefix of the chain, up to the first entry still kept', async () => {
    await log.moveTo('2021-06-01T00:00:00.000Z');
    const result = await log.t.runtime.services.auditPrune.prune({ dryRun: true, context: system });
    expect(result).toMatchObject({
      status: 'dry_run',
      plan: { cutSeq: 1, entries: 3, byClass: { access: 3 }, more: false },
    });
    expect((await positions(log.t)).length).toBe(actions.length);
  });

  it('archives the expired prefix to a signed segment, deletes it, and both halves verify', async () => {
    const pruner = log.t.runtime.services.auditPrune;
    const result = await pruner.prune({ context: system });
    expect(result).toMatchObject({ status: 'pruned', plan: { entries: 3 }, cut: { cutSeq: 1 } });
    const left = await positions(log.t);
    expect(left[0]).toMatchObject({ chainSeq: 4, action: 'operator.login.succeeded' });
    expect(left.some((entry) => entry.action === 'audit.log.pruned')).toBe(true);

    const report = await log.t.runtime.services.audit.verify();
    expect(report).toMatchObject({ ok: true, fromCut: { cutSeq: 1 } });
    const archive = await verifyArchive([log.dir], keyFile());
    expect(archive).toMatchObject({ ok: true, segments: 1, entries: 3, lastCut: 1 });
    expect(archive.ok && archive.lastCutHash).toBe(report.ok && report.fromCut?.hash);
  });

  it('cuts again once the security entries expired, stopping before the compliance record', async () => {
    await log.moveTo('2027-06-01T00:00:00.000Z');
    const result = await log.t.runtime.services.auditPrune.prune({ context: system });
    expect(result).toMatchObject({
      status: 'pruned',
      plan: { cutSeq: 2, entries: 5, byClass: { access: 3, security: 2 } },
    });
    const left = await positions(log.t);
    expect(left[0]).toMatchObject({ chainSeq: 9, action: 'request.received' });
    expect(await log.t.runtime.services.audit.verify()).toMatchObject({ ok: true, fromCut: { cutSeq: 2 } });
    expect(await verifyArchive([log.dir], keyFile())).toMatchObject({ ok: true, segments: 2, entries: 8 });
    expect(
      await verifyArchive([join(log.dir, segmentFileName(2))], keyFile()),
      'a later segment verifies on its own, from its signed start cut',
    ).toMatchObject({ ok: true, segments: 1, entries: 5 });
  });

  it('exports what remains with its signed start cut, so the export still verifies offline', async () => {
    let text = '';
    for await (const chunk of log.t.runtime.services.audit.exportStream({}, 'ndjson')) text += chunk;
    expect(await verifyExport(Readable.from([text]), keyFile())).toMatchObject({
      ok: true,
      fromCut: { cutSeq: 2 },
    });
    const [header, ...rest] = text.trim().split('\n');
    const { start: _start, ...withoutStart } = JSON.parse(header as string);
    const unanchored = [JSON.stringify(withoutStart), ...rest].join('\n');
    const report = await verifyExport(Readable.from([unanchored]), keyFile());
    expect(report.ok).toBe(false);
    // The checkpoints signed before the cut name entries the export no longer has.
    expect(['sequence_gap', 'checkpoint_mismatch']).toContain(report.ok ? '' : report.problem);
  });

  it('verifies the archive with `custos audit verify --archive`, given only the public key', async () => {
    const keyPath = join(log.dir, 'audit-public-key.pem');
    writeFileSync(keyPath, log.t.runtime.services.audit.publicKeyPem());
    const env = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('CUSTOS_') && name !== 'DATABASE_URL'),
    );
    const run = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/cli/index.ts',
        'audit',
        'verify',
        '--archive',
        log.dir,
        '--public-key',
        keyPath,
      ],
      { cwd: fileURLToPath(new URL('../..', import.meta.url)), env, encoding: 'utf8' },
    );
    expect(run.stdout, run.stderr).toMatch(/audit archive OK: 2 segments \(cuts 1 to 2\), 8 entries/);
    expect(run.status).toBe(0);
    rmSync(keyPath);
  });

  it('finds a changed, removed or added line in an archive segment, and segments that do not follow each other', async () => {
    const copy = mkdtempSync(join(tmpdir(), 'custos-audit-archive-copy-'));
    try {
      const original = readFileSync(join(log.dir, segmentFileName(1)), 'utf8')
        .trim()
        .split('\n');
      copyFileSync(join(log.dir, segmentFileName(2)), join(copy, segmentFileName(2)));
      const check = async (lines: string[]) => {
        writeFileSync(join(copy, segmentFileName(1)), `${lines.join('\n')}\n`);
        return verifyArchive([copy], keyFile());
      };
      const changed = [...original];
      changed[3] = (changed[3] as string).replace('"outcome":"success"', '"outcome":"denied"');
      expect(await check(changed)).toMatchObject({ ok: false, problem: 'hash_mismatch' });
      const removed = original.filter((_, index) => index !== 3);
      expect(await check(removed)).toMatchObject({ ok: false, file: segmentFileName(1) });
      const recount = [...original];
      recount[recount.length - 1] = (recount.at(-1) as string).replace('"entries":3', '"entries":2');
      expect(await check(recount)).toMatchObject({ ok: false, problem: 'cut_signature_invalid' });

      rmSync(join(copy, segmentFileName(1)));
      const third = mkdtempSync(join(tmpdir(), 'custos-audit-archive-gap-'));
      copyFileSync(join(log.dir, segmentFileName(1)), join(third, segmentFileName(1)));
      copyFileSync(join(log.dir, segmentFileName(1)), join(third, segmentFileName(3)));
      const gap = await verifyArchive([third], keyFile());
      rmSync(third, { recursive: true, force: true });
      expect(gap).toMatchObject({ ok: false });
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('refuses any DELETE the pruning did not sign a cut for, and every UPDATE', async () => {
    const db = log.t.runtime.database.db;
    await expect(sql`delete from audit_entries where chain_seq = 9`.execute(db)).rejects.toThrow(
      /append-only/,
    );
    await expect(
      db.transaction().execute(async (tx) => {
        await sql`select set_config('custos.audit_cut', '2', true)`.execute(tx);
        await sql`delete from audit_entries where chain_seq >= 9`.execute(tx);
      }),
    ).rejects.toThrow(/append-only/);
    await expect(sql`update audit_entries set outcome = 'denied'`.execute(db)).rejects.toThrow(/append-only/);
    await expect(sql`delete from audit_cuts`.execute(db)).rejects.toThrow(/append-only/);
  });
});

describe('audit-log retention: tampering at the cut', () => {
  async function prunedOnce(): Promise<Log> {
    const log = await writtenLog();
    await log.moveTo('2021-06-01T00:00:00.000Z');
    expect(await log.t.runtime.services.auditPrune.prune({ context: system })).toMatchObject({
      status: 'pruned',
    });
    return log;
  }
  async function asOwner(log: Log, work: string) {
    await log.t.runtime.database.db.transaction().execute(async (tx) => {
      await sql`alter table audit_entries disable trigger user`.execute(tx);
      await sql`alter table audit_cuts disable trigger user`.execute(tx);
      await sql.raw(work).execute(tx);
      await sql`alter table audit_entries enable trigger user`.execute(tx);
      await sql`alter table audit_cuts enable trigger user`.execute(tx);
    });
  }

  it('detects rows deleted beyond the signed cut', async () => {
    const log = await prunedOnce();
    try {
      await asOwner(log, 'delete from audit_entries where chain_seq = 4');
      const report = await log.t.runtime.services.audit.verify();
      expect(report).toMatchObject({ ok: false });
      expect(['sequence_gap', 'chain_broken']).toContain(report.ok ? '' : report.problem);
    } finally {
      await log.t.close();
      rmSync(log.dir, { recursive: true, force: true });
    }
  });

  it('detects a cut removed to hide rows deleted with it, and a forged cut', async () => {
    const log = await prunedOnce();
    try {
      await asOwner(log, 'delete from audit_cuts');
      const report = await log.t.runtime.services.audit.verify();
      expect(report).toMatchObject({ ok: false, problem: 'sequence_gap' });
      await asOwner(
        log,
        `insert into audit_cuts select 1, now(), decode(repeat('00', 32), 'hex'), decode(repeat('11', 32), 'hex'), 'k', '\\x00',
           '[{"chain":0,"chainSeq":3,"seq":3,"hash":"${'0'.repeat(64)}"}]', 1, 3, '{}'`,
      );
      expect(await log.t.runtime.services.audit.verify()).toMatchObject({
        ok: false,
        problem: 'cut_signature_invalid',
      });
    } finally {
      await log.t.close();
      rmSync(log.dir, { recursive: true, force: true });
    }
  });
});
