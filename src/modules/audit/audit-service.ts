import type { KeyObject } from 'node:crypto';
import { type Kysely, type OperationNodeSource, sql } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { Clock } from '../../lib/clock.js';
import { pageOf, sequenceCursor } from '../../lib/paging.js';
import type { Logger } from '../../logger.js';
import { checkCutChain } from './audit-cut.js';
import { type AuditCutStore, auditCutStore } from './audit-cut-store.js';
import { sanitizeDetails, scrubText } from './audit-details.js';
import {
  type AuditCheckpoint,
  type AuditEntryRecord,
  canonicalEntryParts,
  chainHash,
  genesisHashHex,
} from './audit-entry.js';
import { csvHeader, csvRow, ndjsonHeader, ndjsonLine } from './audit-export.js';
import { type AuditKeyRing, signChainedCheckpoint } from './audit-keys.js';
import { checkpointRowOf, isFiltered, readLog, toCheckpoint, toRecord } from './audit-reader.js';
import type { AppendRow, AuditFilters, AuditStore } from './audit-store.js';
import type { AuditContext, AuditEntryInput } from './audit-types.js';
import { type AuditVerifyReport, verifyAuditLog } from './audit-verify.js';
import { lastWitnessed, writeToWitnessDir } from './audit-witness.js';
import { pseudonymizeIp } from './client-ip.js';

export type AuditSettings = {
  /** A checkpoint is made whenever an append reaches a multiple of this many entries. */
  checkpointEvery: number;
  /** …and by the scheduled job when this long has passed since the last one and entries were added. */
  checkpointIntervalMs: number;
  /** Rows per page when exporting and verifying. */
  pageSize?: number;
};

type Deps = {
  db: Kysely<DB>;
  store: AuditStore;
  /** The signed cuts pruning left (see audit-prune.ts); verification starts from the last one. */
  cutStore?: AuditCutStore;
  /** The signing key and trusted public keys; loaded (or created) on first use. */
  keys: () => AuditKeyRing;
  clock: Clock;
  settings: AuditSettings;
  /** Where failures that must not fail the caller go (a checkpoint signed after the fact, an alert). */
  logger?: Pick<Logger, 'error'>;
};

export type ExportFormat = 'ndjson' | 'csv';

/** Told, after the fact, that a verification of the database log found a problem. */
export type VerificationFailedListener = (
  report: Extract<AuditVerifyReport, { ok: false }>,
) => Promise<unknown>;

const actionPattern = /^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,5}$/;
const targetTypePattern = /^[a-z][a-z0-9_]{0,49}$/;
/**
 * Actions that read field values and name them in their details (`fields`, or `field`). Exports of
 * access requests are not among them: they carry every field of a subject because the law says so, which
 * tells nothing about whether the organization uses a field.
 */
export const fieldReadActions = ['vault.record.read', 'vault.token.detokenized'] as const;
/** Most records one batch transaction writes. */
const maxBatch = 200;

function filtersForHeader(filters: AuditFilters): Record<string, string> {
  return Object.fromEntries(
    Object.entries(filters)
      .filter(([, value]) => value !== undefined)
      .map(([key, value]) => [key, value instanceof Date ? value.toISOString() : String(value)]),
  );
}

/**
 * The audit log: appends hash-chained entries inside the caller's transaction, signs checkpoints, and
 * answers queries, exports and verification.
 */
export function auditService({ db, store, cutStore = auditCutStore(), keys, clock, settings, logger }: Deps) {
  const pageSize = settings.pageSize ?? 1000;
  /** Told of every verification of the database log that fails (the alerts module raises one). */
  const verificationFailedListeners: VerificationFailedListener[] = [];

  function assertWellFormed(entry: AuditEntryInput) {
    if (!actionPattern.test(entry.action) || entry.action.length > 100) {
      throw new Error(`Audit action "${entry.action.slice(0, 100)}" is not a dotted lowercase name`);
    }
    if (entry.target && !targetTypePattern.test(entry.target.type)) {
      throw new Error(`Audit target type "${entry.target.type.slice(0, 50)}" is not a lowercase name`);
    }
    if (!['success', 'failure', 'denied'].includes(entry.outcome)) {
      throw new Error(`Audit outcome "${String(entry.outcome)}" is not success, failure or denied`);
    }
  }

  /**
   * The chain each open transaction appended to: its later appends go to the chain it holds already
   * (holding two would halve what others can use, and could deadlock two transactions that each wait for
   * the other's).
   */
  const heldChains = new WeakMap<Executor, number>();

  /**
   * Signs a checkpoint over every chain's head and the checkpoint before it, in `tx`, when entries were
   * added since the last one. The heads are locked first (see the store's `lockHeads`), so the checkpoint
   * covers exactly the entries numbered up to its newest head, and signers take turns.
   */
  async function signCheckpointIn(tx: Executor): Promise<AuditCheckpoint | undefined> {
    const heads = (await store.lockHeads(tx)).filter((head) => head.chainSeq > 0);
    if (heads.length === 0) return undefined;
    const seq = Math.max(...heads.map((head) => head.seq));
    const { last, chained } = await store.lastCheckpoints(tx);
    if (last && Number(last.seq) >= seq) return undefined;
    const checkpoint = signChainedCheckpoint(keys(), {
      seq,
      at: clock.now().toISOString(),
      checkpointSeq: chained ? Number(chained.checkpoint_seq) + 1 : 1,
      prevHash: chained ? chained.hash.toString('hex') : genesisHashHex,
      heads,
      every: settings.checkpointEvery,
      intervalMs: settings.checkpointIntervalMs,
    });
    await store.insertCheckpoint(tx, checkpointRowOf(checkpoint));
    return checkpoint;
  }

  // The signer waits for every transaction holding a chain head. A caller that appended in a transaction
  // and then waits for record() would wait for the signer in turn: the lock timeout ends that wait (the
  // minute job signs later) instead of leaving both waiting for ever.
  function checkpointNow(): Promise<AuditCheckpoint | undefined> {
    return db.transaction().execute(async (tx) => {
      await sql`set local lock_timeout = '10s'`.execute(tx);
      return signCheckpointIn(tx);
    });
  }

  // A checkpoint due after an append (a chain reached a multiple of N) is signed in a transaction of its
  // own, started at once: it waits for the appending transaction to commit (it holds its chain's head),
  // so appends never wait for it. One signer at a time; a request made while it runs signs again after.
  let signing: Promise<void> | undefined;
  let signAgain = false;

  /** How many appends made a checkpoint due: record() waits for the one its own batch made due. */
  let dueCount = 0;

  function checkpointDue(): void {
    dueCount += 1;
    void checkpointSoon();
  }

  function checkpointSoon(): Promise<void> {
    if (signing) {
      signAgain = true;
      return signing;
    }
    signing = (async () => {
      try {
        do {
          signAgain = false;
          await checkpointNow();
        } while (signAgain);
      } catch (error) {
        // The entries are committed; the scheduled job signs what this could not.
        logger?.error({ err: error }, 'audit checkpoint could not be signed');
      } finally {
        signing = undefined;
      }
    })();
    return signing;
  }

  /** Checks, pseudonymizes and sanitizes an entry into the row an append writes. */
  function prepare(context: AuditContext, entry: AuditEntryInput): AppendRow {
    assertWellFormed(entry);
    const content = {
      at: clock.now().toISOString(),
      actor: {
        type: context.actor.type,
        id: context.actor.id === null ? null : scrubText(context.actor.id, 200),
      },
      action: entry.action,
      target: entry.target ? { type: entry.target.type, id: scrubText(entry.target.id, 200) } : null,
      purpose: entry.purpose ? scrubText(entry.purpose, 200) : null,
      outcome: entry.outcome,
      requestId: context.requestId ? scrubText(context.requestId, 100) : null,
      ipHash: pseudonymizeIp(context.ip, keys().ipKey),
      details: sanitizeDetails(entry.details),
    };
    const { before, after } = canonicalEntryParts(content);
    return {
      canonicalBefore: before,
      canonicalAfter: after,
      at: new Date(content.at),
      actorType: content.actor.type,
      actorId: content.actor.id,
      action: content.action,
      targetType: content.target?.type ?? null,
      targetId: content.target?.id ?? null,
      purpose: content.purpose,
      outcome: content.outcome,
      requestId: content.requestId,
      ipHash: content.ipHash,
      detailsJson: canonicalJson(content.details),
    };
  }

  async function appendPrepared(
    tx: Executor,
    row: AppendRow,
    writes: readonly OperationNodeSource[] = [],
  ): Promise<number> {
    return (await appendGuarded(tx, row, writes)) as number;
  }

  /** `appendPrepared` behind a guard (see the store's `append`): no number when the guard refused. */
  async function appendGuarded(
    tx: Executor,
    row: AppendRow,
    writes: readonly OperationNodeSource[],
    guard?: OperationNodeSource,
  ): Promise<number | undefined> {
    const appended = await store.append(tx, row, heldChains.get(tx), settings.checkpointEvery, writes, guard);
    if (!appended) return undefined;
    if (tx.isTransaction) heldChains.set(tx, appended.chain);
    // Reaching a multiple of N in its chain: a checkpoint is due (signed once this transaction commits).
    if (appended.hash !== null) checkpointDue();
    return appended.seq;
  }

  /**
   * Appends an entry inside the caller's transaction; it commits or rolls back with the change. Append
   * last, right before the commit: the chain it takes stays locked until then, and transactions that
   * find every chain locked wait for one.
   */
  async function append(
    tx: Executor,
    context: AuditContext,
    entry: AuditEntryInput,
  ): Promise<{ seq: number }> {
    return { seq: await appendPrepared(tx, prepare(context, entry)) };
  }

  /**
   * `append` together with the change it records, sent as one statement: `writes` (INSERT, UPDATE or
   * DELETE queries built on `tx`) run as data-modifying CTEs of the append. One round trip instead of
   * two for the common "write a row, audit it" step; both still commit or roll back with `tx`.
   */
  async function appendWith(
    tx: Executor,
    context: AuditContext,
    entry: AuditEntryInput,
    writes: readonly OperationNodeSource[],
  ): Promise<{ seq: number }> {
    return { seq: await appendPrepared(tx, prepare(context, entry), writes) };
  }

  /**
   * `appendWith` behind a guard, for a change that is one statement, committed on its own (`tx` is then
   * the database): `guard` (a query returning rows, usually the main INSERT … RETURNING) runs first as
   * the CTE `append_guard`, and the entry is appended only if it returns a row; `writes` may select from
   * it. Nothing when the guard returned no row: nothing was written, and the caller finds out why.
   */
  async function appendIf(
    tx: Executor,
    context: AuditContext,
    entry: AuditEntryInput,
    guard: OperationNodeSource,
    writes: readonly OperationNodeSource[] = [],
  ): Promise<{ seq: number } | undefined> {
    const seq = await appendGuarded(tx, prepare(context, entry), writes, guard);
    return seq === undefined ? undefined : { seq };
  }

  /**
   * `appendIf` for many changes in one statement (group commit): `guard` (a query returning the `id` of
   * each change it made, usually an INSERT … RETURNING) runs first as `append_guard`, and each entry whose
   * `key` it returned is appended, all on one chain, in the order given; `writes` may select from it.
   * Answers the keys whose entries were appended; the others' changes were not made.
   */
  async function appendEachIf(
    tx: Executor,
    guard: OperationNodeSource,
    entries: readonly { key: string; context: AuditContext; entry: AuditEntryInput }[],
    writes: readonly OperationNodeSource[] = [],
  ): Promise<Set<string>> {
    const rows = entries.map(({ key, context, entry }) => ({ ...prepare(context, entry), key }));
    const appended = await store.appendEach(
      tx,
      rows,
      heldChains.get(tx),
      settings.checkpointEvery,
      guard,
      writes,
    );
    const first = appended[0];
    if (first && tx.isTransaction) heldChains.set(tx, first.chain);
    // Reaching a multiple of N in its chain: a checkpoint is due (signed once this commits).
    if (appended.some((entry) => entry.hash !== null)) checkpointDue();
    return new Set(appended.map((entry) => entry.key));
  }

  /** Takes a chain for `count` entries: the one `tx` holds, else a free one, else any (waiting for it). */
  async function reserve(tx: Executor, count: number) {
    const held = heldChains.get(tx);
    const head =
      held === undefined
        ? ((await store.reserve(tx, count, { kind: 'free' })) ??
          (await store.reserve(tx, count, { kind: 'any' })))
        : await store.reserve(tx, count, { kind: 'held', chain: held });
    if (!head) throw new Error('no audit chain head; the audit migrations did not run');
    if (tx.isTransaction) heldChains.set(tx, head.chain);
    return head;
  }

  /** Links prepared entries after a reserved head, writes them in one statement and signs checkpoints. */
  async function linkAndInsert(
    tx: Executor,
    head: NonNullable<Awaited<ReturnType<AuditStore['reserve']>>>,
    rows: AppendRow[],
  ): Promise<number[]> {
    let previous = head.prevHash;
    const chained = rows.map(({ canonicalBefore, canonicalAfter, ...row }, index) => {
      const seq = head.seqs[index] as number;
      const hash = chainHash(previous, canonicalBefore + seq + canonicalAfter);
      const link = {
        ...row,
        seq,
        chain: head.chain,
        chainSeq: head.chainSeq + index + 1,
        prevHash: previous,
        hash,
      };
      previous = hash;
      return link;
    });
    await store.insertChained(tx, chained);
    if (chained.some((link) => link.chainSeq % settings.checkpointEvery === 0)) checkpointDue();
    return chained.map((link) => link.seq);
  }

  /** Appends several prepared entries in one transaction: one chain lock and one commit for all. */
  async function appendBatch(rows: AppendRow[]): Promise<number[]> {
    return db.transaction().execute(async (tx) => linkAndInsert(tx, await reserve(tx, rows.length), rows));
  }

  /**
   * Appends several entries inside the caller's transaction in two round trips, however many: for a
   * transaction that carries many callers' changes (group commit), each with its own entry.
   */
  async function appendMany(
    tx: Executor,
    entries: readonly { context: AuditContext; entry: AuditEntryInput }[],
  ): Promise<number[]> {
    const rows = entries.map(({ context, entry }) => prepare(context, entry));
    if (rows.length === 0) return [];
    if (rows.length === 1) return [await appendPrepared(tx, rows[0] as AppendRow)];
    return linkAndInsert(tx, await reserve(tx, rows.length), rows);
  }

  // record() calls waiting for a flusher; each flusher takes all that wait as its next batch. Up to one
  // flusher per chain (migration 0006 makes eight) runs at once: up to eight concurrent calls are each one
  // statement on a chain of its own, as fast as plain INSERTs can be made durable together; more wait
  // and go in batches, one transaction and commit each (a password-guessing burst).
  const waiting: { row: AppendRow; resolve: (seq: number) => void; reject: (error: unknown) => void }[] = [];
  const maxFlushers = 8;
  let flushers = 0;

  async function flushRecords(): Promise<void> {
    flushers += 1;
    try {
      while (waiting.length > 0) {
        // At most N per batch, so a batch crosses at most one multiple of N of its chain: the unsigned
        // span verification allows stays three times N.
        const batch = waiting.splice(0, Math.min(maxBatch, settings.checkpointEvery));
        try {
          // Alone, an entry is one statement and its own transaction; together, one transaction.
          const dueBefore = dueCount;
          const seqs =
            batch.length === 1
              ? [await appendPrepared(db, (batch[0] as (typeof batch)[number]).row)]
              : await appendBatch(batch.map((item) => item.row));
          // A batch that made a checkpoint due resolves once it is signed: its entries are committed, and
          // a caller (or a test) that writes one entry after another sees them signed in order.
          if (dueCount !== dueBefore) await checkpointSoon();
          for (const [index, item] of batch.entries()) item.resolve(seqs[index] as number);
        } catch (error) {
          for (const item of batch) item.reject(error);
        }
      }
    } finally {
      flushers -= 1;
    }
  }

  /**
   * Appends an entry in a transaction of its own (denials, failed logins: nothing else to commit). When
   * fewer than eight records are in flight this is one statement, run as its own transaction; records
   * made while eight are in flight wait and then go together in one transaction per flusher, so a burst
   * (a password-guessing attack) takes a head lock and commits once per batch, not once per entry. A checkpoint due at an
   * entry is signed with it.
   */
  async function record(context: AuditContext, entry: AuditEntryInput): Promise<{ seq: number }> {
    const row = prepare(context, entry);
    const seq = await new Promise<number>((resolve, reject) => {
      waiting.push({ row, resolve, reject });
      if (flushers < maxFlushers) void flushRecords();
    });
    return { seq };
  }

  /**
   * Signs a checkpoint when entries were added since the last one and that one is older than the
   * checkpoint interval (or there is none). Appends make one due every N entries of a chain; this bounds
   * what a quiet period leaves unsigned.
   */
  async function checkpointIfDue(): Promise<AuditCheckpoint[]> {
    const [{ last }, bounds] = [await store.lastCheckpoints(db), await store.bounds(db)];
    if (bounds.lastEntrySeq === 0 || (last && Number(last.seq) >= bounds.lastEntrySeq)) return [];
    if (last && clock.now().getTime() - last.at.getTime() < settings.checkpointIntervalMs) return [];
    const signed = await checkpointNow();
    return signed ? [signed] : [];
  }

  /** Resolves once the checkpoints appends made due so far are signed (before shutting down, in tests). */
  async function checkpointsSigned(): Promise<void> {
    while (signing) await signing;
  }

  /** Newest entries first, filtered; `nextCursor` continues after the last one returned. */
  async function query(
    filters: AuditFilters,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AuditEntryRecord[]; nextCursor: string | null }> {
    const rows = await store.entriesPage(db, filters, {
      order: 'desc',
      after: cursor ? sequenceCursor.decode(cursor) : undefined,
      limit: limit + 1,
    });
    return pageOf(rows, limit, toRecord, (row) => sequenceCursor.encode(row.seq));
  }

  async function entry(seq: number): Promise<AuditEntryRecord> {
    const row = await store.entry(db, seq);
    if (!row) throw new AppError('not_found', `There is no audit entry ${seq}.`);
    return toRecord(row);
  }

  async function checkpoints(after: number, limit: number): Promise<AuditCheckpoint[]> {
    const rows = await store.checkpointsPage(db, { after, upTo: Number.MAX_SAFE_INTEGER, limit });
    return rows.map(toCheckpoint);
  }

  /** Chained checkpoints after number `after`, oldest first (for witnesses). */
  async function chainedCheckpoints(after: number, limit: number): Promise<AuditCheckpoint[]> {
    return (await store.chainedCheckpointsAfter(db, after, limit)).map(toCheckpoint);
  }

  /** Every checkpoint, both formats, oldest first, a page at a time (for `audit checkpoints export`). */
  async function* allCheckpoints(): AsyncGenerator<AuditCheckpoint[]> {
    let after = 0;
    for (;;) {
      const rows = await store.checkpointsPage(db, { after, upTo: Number.MAX_SAFE_INTEGER, limit: pageSize });
      if (rows.length > 0) yield rows.map(toCheckpoint);
      const last = rows.at(-1);
      if (!last || rows.length < pageSize) return;
      after = Number(last.seq);
    }
  }

  /**
   * Copies chained checkpoints the witness directory does not have yet into it (see audit-witness.ts):
   * run by the checkpoint job, so the copies trail the database by a minute at most.
   */
  async function writeWitnessCopies(dir: string): Promise<number> {
    let written = 0;
    for (let after = lastWitnessed(dir); ; ) {
      const page = await chainedCheckpoints(after, pageSize);
      written += writeToWitnessDir(dir, page);
      const last = page.at(-1);
      if (!last || page.length < pageSize) return written;
      after = last.checkpointSeq as number;
    }
  }

  /** How many entries match (for progress bars); without filters, the newest number, not a full count. */
  async function count(filters: AuditFilters): Promise<number> {
    return isFiltered(filters) ? store.count(db, filters) : (await store.bounds(db)).lastEntrySeq;
  }

  /**
   * The log as NDJSON or CSV text chunks, one page per chunk, so an export of any size streams in flat
   * memory. With a context the export itself is recorded first.
   */
  async function* exportStream(
    filters: AuditFilters,
    format: ExportFormat,
    options: { context?: AuditContext; onProgress?: (entries: number) => void } = {},
  ): AsyncGenerator<string> {
    if (options.context) {
      await record(options.context, {
        action: 'audit.log.exported',
        outcome: 'success',
        details: { format, filtered: isFiltered(filters) },
      });
    }
    const bounds = await store.bounds(db);
    const start = await cutStore.lastCut(db);
    yield format === 'csv'
      ? csvHeader()
      : ndjsonHeader({
          exportedAt: clock.now().toISOString(),
          complete: !isFiltered(filters),
          filters: filtersForHeader(filters),
          lastSeq: bounds.lastEntrySeq,
          ...(start ? { start } : {}),
        });
    let exported = 0;
    for await (const items of readLog({ db, store, filters, bounds, pageSize })) {
      let chunk = '';
      for (const item of items) {
        if (item.kind === 'entry') {
          chunk += format === 'csv' ? csvRow(item) : ndjsonLine(item);
          exported += 1;
        } else if (item.kind === 'checkpoint' && format === 'ndjson') {
          chunk += ndjsonLine(item);
        }
      }
      options.onProgress?.(exported);
      yield chunk;
    }
  }

  /**
   * Appends an entry that must land even on a tampered log: on a chain whose head no row lies beyond
   * (a row written around the append path takes the next position of its chain, and every append there
   * would collide with it), under a number no row has, trying another chain if one collides anyway.
   */
  async function recordOnSoundChain(context: AuditContext, entry: AuditEntryInput): Promise<number> {
    const row = prepare(context, entry);
    const avoid: number[] = [];
    for (;;) {
      try {
        return await db.transaction().execute(async (tx) => {
          const head = await store.reserveClear(tx, avoid);
          if (!head) throw new Error('every audit chain has rows written around the append path');
          avoid.push(head.chain);
          return (await linkAndInsert(tx, head, [row]))[0] as number;
        });
      } catch (error) {
        if ((error as { code?: unknown } | null)?.code !== '23505') throw error;
      }
    }
  }

  /**
   * The log in the database from where pruning left it: the chain of cuts first (signed, numbered,
   * linked), then every chain from the last cut's heads.
   */
  async function verifyDatabaseLog(options: {
    onProgress?: (entries: number, total: number) => void;
    publicKeys?: ReadonlyMap<string, KeyObject>;
    witnessed?: readonly AuditCheckpoint[];
    retries?: number;
  }): Promise<AuditVerifyReport> {
    const publicKeys = options.publicKeys ?? keys().verifyKeys;
    const cuts = await cutStore.cuts(db);
    const broken = checkCutChain(cuts, publicKeys);
    if (broken) {
      const { cut, ...finding } = broken;
      return {
        ok: false,
        ...finding,
        seq: 0,
        entries: 0,
        checkpoints: 0,
        lastSeq: 0,
        lastCheckpointSeq: null,
      };
    }
    const start = cuts.at(-1);
    const bounds = await store.bounds(db);
    const report = await verifyAuditLog(readLog({ db, store, filters: {}, bounds, pageSize }), {
      publicKeys,
      expectedHeads: bounds.heads,
      allHeads: true,
      policy: { every: settings.checkpointEvery, intervalMs: settings.checkpointIntervalMs },
      now: clock.now(),
      ...(options.witnessed ? { witnessed: options.witnessed } : {}),
      ...(start ? { start } : {}),
      onProgress: (done) => options.onProgress?.(done, bounds.lastEntrySeq),
    });
    if (report.ok) return start ? { ...report, fromCut: { cutSeq: start.cutSeq, hash: start.hash } } : report;
    // A pruning that committed while the log was read deleted entries this read expected after the older
    // cut: read again from the new one (pruning only ever moves the cut forward).
    const now = await cutStore.lastCut(db);
    if (now && now.cutSeq !== (start?.cutSeq ?? 0) && (options.retries ?? 2) > 0) {
      return verifyDatabaseLog({ ...options, retries: (options.retries ?? 2) - 1 });
    }
    return report;
  }

  /**
   * Verifies the whole log in the database: every hash, link and number, every checkpoint against the
   * trusted public keys, the chain of checkpoints, and unsigned spans against the checkpoint policy;
   * `witnessed` checkpoints (kept outside the database) must be there unchanged. A failure raises the
   * alert, then, with a context, the verification is recorded (see recordOnSoundChain): neither can
   * turn a report on a tampered log into an error.
   */
  async function verify(
    options: {
      context?: AuditContext;
      onProgress?: (entries: number, total: number) => void;
      publicKeys?: ReadonlyMap<string, KeyObject>;
      witnessed?: readonly AuditCheckpoint[];
    } = {},
  ): Promise<AuditVerifyReport> {
    const report = await verifyDatabaseLog(options);
    if (!report.ok) {
      for (const listener of verificationFailedListeners) {
        await listener(report).catch((error: unknown) =>
          logger?.error({ err: error }, 'audit verification failure could not be reported'),
        );
      }
    }
    if (options.context) {
      await recordOnSoundChain(options.context, {
        action: 'audit.log.verified',
        outcome: report.ok ? 'success' : 'failure',
        details: report.ok
          ? { entries: report.entries, lastSeq: report.lastSeq, witnessed: options.witnessed?.length ?? 0 }
          : {
              problem: report.problem,
              seq: report.seq,
              ...(report.checkpoint === undefined ? {} : { checkpoint: report.checkpoint }),
            },
      }).catch((error: unknown) => logger?.error({ err: error }, 'audit verification could not be recorded'));
    }
    return report;
  }

  /**
   * Which `collection.field` names were read (purpose-bound reads, detokenizations) since `since`, from
   * the entries still in the database: for the minimization audit.
   */
  async function fieldsReadSince(since: Date): Promise<Set<string>> {
    return new Set(await store.fieldsReadSince(db, since, fieldReadActions));
  }

  /** The public half of the signing key, for verifying checkpoints offline. */
  function publicKey(): { keyId: string; algorithm: 'Ed25519'; publicKeyPem: string } {
    const ring = keys();
    return { keyId: ring.keyId, algorithm: 'Ed25519', publicKeyPem: ring.publicKeyPem };
  }

  function publicKeyPem(): string {
    return keys().publicKeyPem;
  }

  return {
    append,
    appendWith,
    appendIf,
    appendEachIf,
    appendMany,
    record,
    query,
    entry,
    checkpoints,
    count,
    exportStream,
    verify,
    checkpointIfDue,
    checkpointsSigned,
    chainedCheckpoints,
    allCheckpoints,
    writeWitnessCopies,
    fieldsReadSince,
    publicKey,
    publicKeyPem,
    /** Registers a listener told of every failed verification of the log in the database. */
    onVerificationFailed(listener: VerificationFailedListener): void {
      verificationFailedListeners.push(listener);
    },
  };
}

export type AuditService = ReturnType<typeof auditService>;
