import { Gauge, type Registry } from 'prom-client';
import type { Executor, Tx } from '../../db/database.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import type { Platform } from '../../wiring/platform.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { Aead } from '../vault/vault-crypto.js';
import { type ErasureRetention, erasureRetention, type RetentionVault } from './erasure-retention.js';
import { legalHolds as legalHoldService } from './legal-holds.js';
import { rulesByCollection } from './retention-decisions.js';
import { retentionRunJob, retentionSweepJob } from './retention-jobs.js';
import { retentionPolicies as retentionPolicyService } from './retention-policies.js';
import { retentionPreview as retentionPreviewService } from './retention-preview.js';
import { type CollectionLike, type PurposeLike, ruleOf } from './retention-rules.js';
import { retentionRunStore } from './retention-run-store.js';
import { retentionRuns as retentionRunService } from './retention-runs.js';
import { type ScheduleFile, scheduleLoader } from './retention-schedule-file.js';
import { retentionStore } from './retention-store.js';
import { subjectLifecycle as subjectLifecycleService } from './subject-lifecycle.js';

type Deps = {
  audit: AuditWriter;
  aead: Aead;
  /** Seals operators' notes on legal holds. */
  box: SealedBox;
  /** The key of keyed-hash masking (shared with the vault, so a keyed hash means the same everywhere). */
  maskKey: Buffer;
  collections: {
    list(): Promise<CollectionLike[]>;
    create(context: AuditContext, definition: ScheduleFile['collections'][number]): Promise<unknown>;
  };
  purposes: {
    list(): Promise<PurposeLike[]>;
    create(context: AuditContext, definition: ScheduleFile['purposes'][number]): Promise<unknown>;
    /** Read in the caller's transaction (PGlite has one connection: no second one may wait inside it). */
    catalogWithin(executor: Executor): Promise<ReadonlyMap<string, PurposeLike>>;
  };
  /** The vault: subjects, crypto-shredding, and what erasure under retention needs. */
  vault: Omit<RetentionVault, 'shredWithin'> & {
    getSubject(id: string): Promise<unknown>;
    shredWithin(tx: Tx, subjectId: string): Promise<{ records: number; indexes: number; tokens: number }>;
  };
  keys: { dataKeysFor(executor: Executor, subjectIds: readonly string[]): Promise<Map<string, Buffer>> };
};

/**
 * The retention module: rules (with the erasure-time retention that honours them), legal holds, the
 * scheduled runs and their dry run, the compliance rate, and the subject events triggers count from.
 */
export function retentionModule({ config, db, clock, logger }: Platform, deps: Deps) {
  const { audit } = deps;
  const store = retentionStore();
  const runStore = retentionRunStore();
  const retentionPolicies = retentionPolicyService({
    db,
    store,
    audit,
    clock,
    collections: deps.collections,
    purposes: deps.purposes,
  });
  const legalHolds = legalHoldService({ db, store, audit, clock, box: deps.box, subjects: deps.vault });

  /** The rules in force, read in the caller's transaction, purpose scopes resolved. */
  async function rules(executor: Executor) {
    const purposes = await deps.purposes.catalogWithin(executor);
    return (await store.listPolicies(executor)).map((row) => ruleOf(row, purposes));
  }
  const plan = async (executor: Executor) =>
    rulesByCollection(await deps.collections.list(), await rules(executor));

  const erasure: ErasureRetention = erasureRetention({
    db,
    store,
    audit,
    clock,
    holds: legalHolds,
    vault: deps.vault,
    rules,
  });
  const runs = retentionRunService({
    db,
    store: runStore,
    audit,
    clock,
    plan,
    keys: deps.keys,
    aead: deps.aead,
    shredWithin: deps.vault.shredWithin,
    settings: {
      batchSize: config.retentionBatchSize,
      shredBatchSize: 100,
      parallelism: config.retentionParallelism,
      dueSoonDays: config.retentionDueSoonDays,
      staleAfterMs: 120_000,
      maskKey: deps.maskKey,
    },
  });
  const preview = retentionPreviewService({
    db,
    store: runStore,
    clock,
    plan,
    settings: { dueSoonDays: config.retentionDueSoonDays, complianceCacheMs: 60_000 },
  });
  const lifecycle = subjectLifecycleService({ db, store: runStore, audit, clock, subjects: deps.vault });

  return {
    retentionPolicies,
    legalHolds,
    erasureRetention: erasure,
    retentionRuns: runs,
    retentionPreview: preview,
    subjectLifecycle: lifecycle,
    coveredCollections: async () => (await plan(db)).length,
    /** Loads a schedule file (`custos retention load`). */
    loadRetentionSchedule: scheduleLoader({
      collections: deps.collections,
      purposes: deps.purposes,
      policies: retentionPolicies,
    }),
    /** The compliance rate as a Prometheus gauge, measured when scraped (at most once a minute). */
    registerRetentionMetrics(registry: Registry): void {
      new Gauge({
        name: 'custos_retention_compliance_ratio',
        help: 'Retention compliance: 1 - records past their retention still stored / records under a rule.',
        registers: [registry],
        async collect() {
          this.set((await preview.compliance()).rate);
        },
      });
    },
    background: {
      jobs: [
        retentionSweepJob(erasure, logger, config.retentionSweepSchedule),
        retentionRunJob(runs, logger, 'review', config.retentionReviewSchedule),
        retentionRunJob(runs, logger, 'anonymization', config.retentionAnonymizationSchedule),
      ],
      prune: [],
    },
  };
}
