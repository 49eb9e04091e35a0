import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { FieldValue } from '../vault/collection-schema.js';
import { applyMasking, type Masking } from '../vault/masking.js';
import { type Aead, decryptFieldValue } from '../vault/vault-crypto.js';
import type { CollectionRules } from './retention-decisions.js';
import type { Rule } from './retention-rules.js';
import type { Counts, DueRecord, RetentionRunStore, RunRow } from './retention-run-store.js';
import type { RuleResult, RunKind } from './retention-tables.js';
import type { RetentionAction } from './retention-types.js';

type Deps = {
  db: Kysely<DB>;
  store: RetentionRunStore;
  audit: AuditWriter;
  clock: Clock;
  /** The rules in force, grouped by the collections they cover. */
  plan: (executor: Executor) => Promise<CollectionRules[]>;
  keys: { dataKeysFor(executor: Executor, subjectIds: readonly string[]): Promise<Map<string, Buffer>> };
  aead: Aead;
  /** Crypto-shreds a subject in the caller's transaction (the vault's), returning what went. */
  shredWithin(tx: Tx, subjectId: string): Promise<{ records: number; indexes: number; tokens: number }>;
  settings: {
    batchSize: number;
    /** Subjects shredded per transaction: each costs a data key and a few statements. */
    shredBatchSize: number;
    /** Collections worked side by side (each its own transactions); collections with a shred rule go alone. */
    parallelism: number;
    dueSoonDays: number;
    /** A run whose heartbeat is older was interrupted (its process died): the next run takes it over. */
    staleAfterMs: number;
    maskKey: Buffer;
  };
};

/** What each kind of run does: the daily review deletes and shreds, the weekly run anonymizes. */
export const runActions: Record<RunKind, RetentionAction[]> = {
  review: ['delete', 'shred'],
  anonymization: ['anonymize'],
  manual: ['delete', 'anonymize', 'shred'],
};

export type RunProgress = { runId: string; collection: string; processed: number };

type BatchOutcome = { state: 'more' | 'finished' | 'stopped'; processed: number };

/** Thrown inside a window's transaction to roll it back when the run was closed meanwhile. */
class RunClosed extends Error {}

const dayMs = 86_400_000;

/** Records anonymized per statement: small enough that masking one overlaps writing the one before. */
const anonymizeSlice = 1000;

/**
 * Retention runs: every record whose deciding rule is due is deleted, anonymized or its subject shredded,
 * a batch at a time, each batch one transaction together with its audit entries and the run's progress.
 * A run killed midway loses at most its open batch (rolled back); the next run joins the one left open
 * and carries on after the last record done, so nothing is done twice or left half-done.
 */
export function retentionRuns({ db, store, audit, clock, plan, keys, aead, shredWithin, settings }: Deps) {
  /** Joins the run in progress (taking it over when its process died), or starts one. */
  async function openRun(kind: RunKind): Promise<string> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await db.transaction().execute(async (tx) => {
          const now = clock.now();
          const open = await store.lockOpenRun(tx);
          const stale = open && now.getTime() - open.heartbeat_at.getTime() > settings.staleAfterMs;
          if (open?.kind === kind) {
            if (stale) await store.updateRun(tx, open.id, { resumed: open.resumed + 1, heartbeat_at: now });
            return open.id;
          }
          if (open && !stale) {
            throw new AppError('conflict', `A retention ${open.kind} run is in progress; try again later.`);
          }
          if (open) {
            // Its work is not lost: what it left due is due for this run too.
            await store.updateRun(tx, open.id, {
              status: 'failed',
              finished_at: now,
              error: 'interrupted; a run of another kind took over',
            });
          }
          const id = randomUUID();
          await store.insertRun(tx, { id, kind, actions: runActions[kind], at: now });
          return id;
        });
      } catch (error) {
        // Another worker opened a run at the same moment: join it.
        if ((error as { code?: string }).code !== '23505' || attempt > 2) throw error;
      }
    }
  }

  /** A record's values for good: kept fields in clear, named fields through their operator, the rest gone. */
  function anonymized(
    row: DueRecord,
    collection: string,
    rule: Rule,
    dek: Buffer | undefined,
  ): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    const plain = row.plain ?? {};
    const storedValue = (name: string): unknown => {
      if (name in plain) return plain[name];
      const sealed = row.sealed?.[name];
      if (sealed === undefined || !dek) return undefined;
      try {
        return decryptFieldValue(aead, dek, row.subject_id, collection, name, sealed);
      } catch {
        return undefined; // a value that no longer authenticates is not carried over
      }
    };
    for (const name of rule.fields ?? []) {
      const value = storedValue(name);
      if (value !== undefined) out[name] = value;
    }
    for (const [name, operator] of Object.entries(rule.anonymization) as [string, Masking][]) {
      if (operator.op === 'null') continue;
      const value = storedValue(name);
      if (value === undefined) continue;
      const replaced = applyMasking(value as FieldValue, operator, { hashKey: settings.maskKey });
      if (replaced !== null) out[name] = replaced;
    }
    return out;
  }

  /**
   * Replaces records by their anonymized values: their stored values came with the window. A slice at a
   * time is decrypted and masked here while the slice before is written (each slice one statement
   * deleting its records and storing what is kept), so the database and this process work side by side.
   * Counts what was replaced per rule.
   */
  async function anonymize(tx: Tx, rules: CollectionRules, rows: DueRecord[], now: Date): Promise<Counts> {
    if (rows.length === 0) return new Map();
    const needsKey = rows.filter((row) => row.sealed && Object.keys(row.sealed).length > 0);
    const deks = await keys.dataKeysFor(tx, [...new Set(needsKey.map((row) => row.subject_id))]);
    const byId = new Map(rules.rules.map((rule) => [rule.id, rule]));
    const replaced = new Map<string, { records: number; subjects: Set<string> }>();
    const written: Promise<void>[] = [];
    let previous: Promise<void> = Promise.resolve();
    for (let start = 0; start < rows.length; start += anonymizeSlice) {
      const slice = rows.slice(start, start + anonymizeSlice).map((row) => ({
        id: row.id,
        place: row.place,
        ruleId: row.rule_id,
        fields: anonymized(
          row,
          rules.collection.name,
          byId.get(row.rule_id) as Rule,
          deks.get(row.subject_id),
        ),
      }));
      // One statement at a time on the transaction's connection: each slice's after the one before, and
      // none after one failed (the transaction is lost then; the first error is what is thrown).
      const write = previous.then(async () => {
        for (const [ruleId, subjects] of await store.replaceAnonymized(tx, rules.collection, slice, now)) {
          const entry = replaced.get(ruleId) ?? { records: 0, subjects: new Set<string>() };
          entry.records += subjects.length;
          for (const subject of subjects) entry.subjects.add(subject);
          replaced.set(ruleId, entry);
        }
      });
      write.catch(() => {}); // handled below, by Promise.all
      written.push(write);
      previous = write;
      // Lets the write go out before masking the next slice.
      await new Promise((resolve) => setImmediate(resolve));
    }
    await Promise.all(written);
    return new Map(
      [...replaced].map(([ruleId, entry]) => [
        ruleId,
        { records: entry.records, subjects: entry.subjects.size },
      ]),
    );
  }

  /** Shreds the subjects of shred-due records, but those a legal ground keeps (their due records go). */
  async function shred(
    tx: Tx,
    context: AuditContext,
    input: { runId: string; rules: CollectionRules; all: CollectionRules[]; rows: DueRecord[]; now: Date },
  ): Promise<Map<string, number>> {
    const subjects = [...new Set(input.rows.map((row) => row.subject_id))];
    const kept = new Set<string>();
    for (const rules of input.all) {
      for (const id of await store.subjectsKept(tx, rules, subjects, input.now)) kept.add(id);
    }
    await store.deleteRecords(
      tx,
      input.rules.collection,
      input.rows.filter((row) => kept.has(row.subject_id)),
    );
    const shredded = new Map<string, number>();
    const ruleOfSubject = new Map(input.rows.map((row) => [row.subject_id, row.rule_id]));
    for (const subjectId of subjects.filter((id) => !kept.has(id))) {
      const removed = await shredWithin(tx, subjectId);
      const rule = ruleOfSubject.get(subjectId) as string;
      shredded.set(rule, (shredded.get(rule) ?? 0) + 1);
      await audit.append(tx, context, {
        action: 'retention.subject.shredded',
        outcome: 'success',
        target: { type: 'subject', id: subjectId },
        details: { rule, run: input.runId, ...removed },
      });
    }
    return shredded;
  }

  /** What a collection's rules read of a record to anonymize it: the fields they keep or transform. */
  function valuesRead(rules: CollectionRules): string[] {
    const names = new Set<string>();
    for (const rule of rules.rules) {
      if (rule.action !== 'anonymize') continue;
      for (const name of rule.fields ?? []) names.add(name);
      for (const [name, operator] of Object.entries(rule.anonymization) as [string, Masking][]) {
        if (operator.op !== 'null') names.add(name);
      }
    }
    return [...names];
  }

  /** Whether a run crypto-shreds in this collection: such windows run alone (see `lockWindow`). */
  const shredsIn = (actions: readonly RetentionAction[], rules: CollectionRules) =>
    actions.includes('shred') && rules.rules.some((rule) => rule.action === 'shred');

  /**
   * One window of one collection, in one transaction with its audit entries and the run's progress. The
   * window's lock is taken first; the run's row only at the end, to add the window's results and move
   * its cursor, so windows of other collections proceed meanwhile and wait for one another only there.
   */
  async function batch(
    context: AuditContext,
    runId: string,
    rules: CollectionRules,
    all: CollectionRules[],
    actions: readonly RetentionAction[],
  ): Promise<BatchOutcome> {
    const shredding = shredsIn(actions, rules);
    try {
      return await db.transaction().execute(async (tx) => {
        await store.lockWindow(tx, runId, rules.collection.id, shredding);
        const run = await store.findRun(tx, runId);
        if (run?.status !== 'running') return { state: 'stopped', processed: 0 };
        const cursor = run.progress[rules.collection.id];
        if (cursor?.done) return { state: 'finished', processed: 0 };
        const now = clock.now();
        const limit = shredding ? Math.min(settings.batchSize, settings.shredBatchSize) : settings.batchSize;
        const { rows, deleted, last, scanned, soon } = await store.takeWindow(tx, {
          rules,
          now,
          soon: new Date(now.getTime() + settings.dueSoonDays * dayMs),
          actions: run.actions,
          after: cursor ?? null,
          limit,
          values: valuesRead(rules),
        });
        const of = (action: RetentionAction) => rows.filter((row) => row.action === action);
        const anonymized = await anonymize(tx, rules, of('anonymize'), now);
        const shredded =
          of('shred').length > 0
            ? await shred(tx, context, { runId, rules, all, rows: of('shred'), now })
            : new Map<string, number>();
        // Per rule what was done: records changed since the window read them are left for the next run
        // (see the store), so counts are of what the statements did.
        const counts = new Map<string, { action: RetentionAction; records: number; subjects: number }>();
        const byId = new Map(rules.rules.map((rule) => [rule.id, rule]));
        for (const [ruleId, count] of [...deleted, ...anonymized]) {
          counts.set(ruleId, { action: (byId.get(ruleId) as Rule).action, ...count });
        }
        for (const [ruleId, decided] of groupBy(of('shred'), (row) => row.rule_id)) {
          counts.set(ruleId, {
            action: 'shred',
            records: decided.length,
            subjects: shredded.get(ruleId) ?? 0,
          });
        }
        let processed = 0;
        for (const [ruleId, { action, records, subjects }] of counts) {
          processed += records;
          await audit.append(tx, context, {
            action: 'retention.rule.applied',
            outcome: 'success',
            target: { type: 'retention_policy', id: ruleId },
            details: { run: runId, action, collection: rules.collection.name, records, subjects },
          });
        }
        const finished = scanned < limit;
        // The run's row, locked last and briefly: a run stopped meanwhile takes this window back.
        const locked = await store.lockRun(tx, runId);
        if (locked?.status !== 'running') throw new RunClosed();
        const results = tally(locked.results, rules, soon);
        for (const [ruleId, count] of counts) add(results, ruleId, count.action, count);
        await store.updateRun(tx, runId, {
          heartbeat_at: now,
          results,
          progress: {
            ...locked.progress,
            [rules.collection.id]: { ...(last ?? cursor ?? { after: null }), done: finished },
          },
        });
        return { state: finished ? 'finished' : 'more', processed };
      });
    } catch (error) {
      if (error instanceof RunClosed) return { state: 'stopped', processed: 0 };
      throw error;
    }
  }

  /** Closes the run (what falls due soon was counted batch by batch, as the records were decided). */
  async function finish(runId: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const run = await store.lockRun(tx, runId);
      if (run?.status !== 'running') return;
      await store.updateRun(tx, runId, { status: 'completed', finished_at: clock.now() });
    });
  }

  async function fail(runId: string, error: unknown): Promise<void> {
    const code = (error as { code?: unknown }).code;
    await store.updateRun(db, runId, {
      status: 'failed',
      finished_at: clock.now(),
      // A code or class name only: messages of database errors may quote values.
      error: typeof code === 'string' ? code : error instanceof Error ? error.name : 'error',
    });
  }

  /**
   * Runs (or joins the open run of) `kind` until nothing it acts on is due. Collections are worked
   * `parallelism` at a time, each a window after the other; collections where the run crypto-shreds
   * come after, one at a time. With `signal` aborted it stops after the windows in flight and leaves the
   * run open, as a killed process would; the next run carries on.
   */
  async function run(
    context: AuditContext,
    kind: RunKind,
    options: { signal?: AbortSignal; onProgress?: (progress: RunProgress) => void } = {},
  ): Promise<RunRow> {
    const runId = await openRun(kind);
    const all = await plan(db);
    const actions = (await store.findRun(db, runId))?.actions ?? runActions[kind];
    let processed = 0;
    let halted = false;
    /** Works one collection's windows until it is finished, or the run is stopped, aborted or failed. */
    const work = async (rules: CollectionRules) => {
      for (;;) {
        if (halted || options.signal?.aborted) return;
        const outcome = await batch(context, runId, rules, all, actions);
        processed += outcome.processed;
        options.onProgress?.({ runId, collection: rules.collection.name, processed });
        if (outcome.state === 'stopped') halted = true;
        if (outcome.state !== 'more') return;
      }
    };
    try {
      const queue = all.filter((rules) => !shredsIn(actions, rules));
      const lane = async () => {
        for (let rules = queue.shift(); rules; rules = queue.shift()) await work(rules);
      };
      const lanes = await Promise.allSettled(
        Array.from({ length: Math.max(1, Math.min(settings.parallelism, queue.length)) }, () =>
          lane().catch((error: unknown) => {
            halted = true;
            throw error;
          }),
        ),
      );
      const failed = lanes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      for (const rules of all.filter((entry) => shredsIn(actions, entry))) await work(rules);
      if (halted || options.signal?.aborted) return (await store.findRun(db, runId)) as RunRow;
      await finish(runId);
    } catch (error) {
      await fail(runId, error).catch(() => {});
      throw error;
    }
    return (await store.findRun(db, runId)) as RunRow;
  }

  return {
    run,
    list: (limit = 50) => store.listRuns(db, limit),
    get: async (id: string): Promise<RunRow> => {
      const row = await store.findRun(db, id);
      if (!row) throw new AppError('not_found', 'No retention run with this id.');
      return row;
    },
  };
}

type Results = RunRow['results'];

/** Adds counts to a rule's results. */
function add(results: Results, ruleId: string, action: RetentionAction, counts: Partial<RuleResult>): void {
  const before = results[ruleId] ?? { action, records: 0, subjects: 0, dueSoon: 0 };
  results[ruleId] = {
    ...before,
    records: before.records + (counts.records ?? 0),
    subjects: before.subjects + (counts.subjects ?? 0),
    dueSoon: before.dueSoon + (counts.dueSoon ?? 0),
  };
}

/** The run's results so far, with what a window found due soon added per rule. */
function tally(previous: Results, rules: CollectionRules, soon: ReadonlyMap<string, number>): Results {
  const results = { ...previous };
  for (const [ruleId, dueSoon] of soon) {
    const rule = rules.rules.find((candidate) => candidate.id === ruleId) as Rule;
    add(results, ruleId, rule.action, { dueSoon });
  }
  return results;
}

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const group = groups.get(key(item));
    if (group) group.push(item);
    else groups.set(key(item), [item]);
  }
  return groups;
}

export type RetentionRuns = ReturnType<typeof retentionRuns>;
