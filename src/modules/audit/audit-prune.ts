import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Kysely } from 'kysely';
import type { Config } from '../../config.js';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import { type ArchivedEntry, writeSegment } from './audit-archive.js';
import { type AuditCut, signCut } from './audit-cut.js';
import { type AuditCutStore, auditCutStore, type ChainRange } from './audit-cut-store.js';
import type { CheckpointHead } from './audit-entry.js';
import type { AuditKeyRing } from './audit-keys.js';
import { toCheckpoint, toRecord } from './audit-reader.js';
import { type AuditClass, type AuditRetention, auditClassOf } from './audit-retention.js';
import type { AuditService } from './audit-service.js';
import { type AuditStore, auditStore } from './audit-store.js';
import type { AuditContext } from './audit-types.js';

export type AuditPruneSettings = {
  retention: AuditRetention;
  /** Where archive segments are written (created when missing). */
  archiveDir: string;
  /** Most positions of one chain a single cut archives, so a first run over years of log stays bounded. */
  maxPerChain?: number;
  pageSize?: number;
};

type Deps = {
  db: Kysely<DB>;
  store: AuditStore;
  cuts: AuditCutStore;
  audit: Pick<AuditService, 'verify' | 'append'>;
  keys: () => AuditKeyRing;
  clock: Clock;
  settings: AuditPruneSettings;
};

/** What a cut would archive: per chain the positions, and how many entries of each class. */
export type PrunePlan = {
  cutSeq: number;
  entries: number;
  byClass: Partial<Record<AuditClass, number>>;
  chains: ChainRange[];
  /** A chain reached the per-run limit: another run has more to archive. */
  more: boolean;
};

export type PruneResult =
  | { status: 'nothing_due' }
  | { status: 'dry_run'; plan: PrunePlan }
  | { status: 'pruned'; plan: PrunePlan; file: string; cut: { cutSeq: number; hash: string } }
  /** The log failed verification: nothing is archived or deleted from a log that may be tampered with. */
  | { status: 'refused'; problem: string; seq: number; message: string };

/**
 * Audit-log retention: archives entries past their class's period to a signed segment file and deletes
 * them, a prefix of each chain at a time (see docs/SECURITY.md, "Audit-log retention").
 *
 * Why prefixes: an entry's hash links it to the one before in its chain, so a chain can only lose its
 * beginning and still verify. Each chain is cut before its first entry whose class still requires keeping
 * it, so an entry kept longer (a compliance record) holds back the shorter-lived entries after it on its
 * chain until it expires too: entries are never kept less than their period, sometimes longer. Only
 * entries a chained checkpoint already vouches for are cut, and only after the whole log verified, so a
 * cut never signs over entries changed in the database.
 */
export function auditPruner({ db, store, cuts, audit, keys, clock, settings }: Deps) {
  const maxPerChain = settings.maxPerChain ?? 50_000;
  const pageSize = settings.pageSize ?? 1000;

  /** The cut that would be made now: from the last cut's heads up to what the newest checkpoint signed. */
  async function planIn(
    tx: Executor,
  ): Promise<{ plan: PrunePlan; last: AuditCut | undefined; checkpointSeq: number } | undefined> {
    const [last, { chained }] = [await cuts.lastCut(tx), await store.lastCheckpoints(tx)];
    if (!chained) return undefined;
    const signed = toCheckpoint(chained);
    const from = new Map((last?.heads ?? []).map((head) => [head.chain, head.chainSeq]));
    const chains = (signed.heads ?? [])
      .map((head) => ({ chain: head.chain, from: from.get(head.chain) ?? 0, signed: head.chainSeq }))
      .filter((chain) => chain.signed > chain.from);
    const ranges = (await cuts.cutPositions(tx, chains, settings.retention, clock.now(), maxPerChain)).filter(
      (range) => range.upTo > range.from,
    );
    if (ranges.length === 0) return undefined;
    const byClass = await cuts.countByClass(tx, ranges);
    const plan: PrunePlan = {
      cutSeq: (last?.cutSeq ?? 0) + 1,
      entries: Object.values(byClass).reduce((sum, count) => sum + count, 0),
      byClass,
      chains: ranges,
      more: ranges.some((range) => range.upTo === range.from + maxPerChain),
    };
    return { plan, last, checkpointSeq: Number(chained.checkpoint_seq) };
  }

  /** The entries of the ranges in number order, with their class, a page at a time. */
  async function* archived(tx: Executor, ranges: readonly ChainRange[], heads: Map<number, CheckpointHead>) {
    for (let after = 0; ; ) {
      const rows = await cuts.entriesIn(tx, ranges, after, pageSize);
      const page: ArchivedEntry[] = rows.map((row) => {
        const record = toRecord(row);
        heads.set(record.chain, {
          chain: record.chain,
          chainSeq: record.chainSeq,
          seq: record.seq,
          hash: record.hash,
        });
        return { ...record, class: auditClassOf(record.action) };
      });
      if (page.length > 0) yield page;
      const lastRow = rows.at(-1);
      if (!lastRow || rows.length < pageSize) return;
      after = Number(lastRow.seq);
    }
  }

  /** Archives and deletes one cut's entries in `tx`, holding the pruning lock. */
  async function cutIn(tx: Executor, context: AuditContext): Promise<PruneResult> {
    await cuts.lockForPruning(tx);
    const planned = await planIn(tx);
    if (!planned) return { status: 'nothing_due' };
    const { plan, last, checkpointSeq } = planned;
    const heads = new Map((last?.heads ?? []).map((head) => [head.chain, head]));
    mkdirSync(settings.archiveDir, { recursive: true, mode: 0o750 });
    const { file, cut } = await writeSegment(
      settings.archiveDir,
      plan.cutSeq,
      last ?? null,
      archived(tx, plan.chains, heads),
      (written) =>
        signCut(keys(), {
          cutSeq: plan.cutSeq,
          prevHash: last?.hash ?? '0'.repeat(64),
          at: clock.now().toISOString(),
          heads: [...heads.values()].sort((a, b) => a.chain - b.chain),
          checkpointSeq,
          entries: written,
          retention: { ...settings.retention },
        }),
    );
    await cuts.insertCut(tx, cut);
    const deleted = await cuts.deleteArchived(tx, cut.cutSeq, plan.chains);
    if (deleted !== cut.entries) {
      throw new Error(
        `audit pruning archived ${cut.entries} entries but would delete ${deleted}; nothing was deleted`,
      );
    }
    await audit.append(tx, context, {
      action: 'audit.log.pruned',
      outcome: 'success',
      details: { cut: cut.cutSeq, entries: cut.entries, ...plan.byClass },
    });
    return {
      status: 'pruned',
      plan: { ...plan, entries: cut.entries },
      file,
      cut: { cutSeq: cut.cutSeq, hash: cut.hash },
    };
  }

  /**
   * Archives and deletes the entries past their period (one cut); with `dryRun`, only says what it would.
   * Verifies the whole log first and refuses when it fails.
   */
  async function prune(options: { dryRun?: boolean; context: AuditContext }): Promise<PruneResult> {
    if (options.dryRun) {
      const planned = await planIn(db);
      return planned ? { status: 'dry_run', plan: planned.plan } : { status: 'nothing_due' };
    }
    const report = await audit.verify();
    if (!report.ok)
      return { status: 'refused', problem: report.problem, seq: report.seq, message: report.message };
    return db.transaction().execute((tx) => cutIn(tx, options.context));
  }

  /** Every cut, oldest first (for verification). */
  function allCuts(): Promise<AuditCut[]> {
    return cuts.cuts(db);
  }

  return { prune, allCuts };
}

export type AuditPruner = ReturnType<typeof auditPruner>;

/** The pruner over its stores, from the configuration: the audit module's wiring of pruning. */
export function auditPrunerFor({
  db,
  config,
  audit,
  keys,
  clock,
}: Omit<Deps, 'store' | 'cuts' | 'settings'> & { config: Parameters<typeof auditPruneSettingsOf>[0] }) {
  return auditPruner({
    db,
    store: auditStore(),
    cuts: auditCutStore(),
    audit,
    keys,
    clock,
    settings: auditPruneSettingsOf(config),
  });
}

/** The pruning settings from the configuration. */
export function auditPruneSettingsOf(
  config: Pick<
    Config,
    | 'auditRetentionSecurity'
    | 'auditRetentionAccess'
    | 'auditRetentionCompliance'
    | 'auditArchiveDir'
    | 'dataDir'
  >,
): AuditPruneSettings {
  return {
    retention: {
      security: config.auditRetentionSecurity,
      access: config.auditRetentionAccess,
      compliance: config.auditRetentionCompliance,
    },
    archiveDir: config.auditArchiveDir
      ? resolve(config.auditArchiveDir)
      : resolve(config.dataDir, 'audit-archive'),
  };
}
