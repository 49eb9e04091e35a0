import { sealedBox } from '../../lib/sealed-box.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { vaultModule } from '../vault/vault-wiring.js';
import { erasureRetention as erasureRetentionService } from './erasure-retention.js';
import { legalHolds as legalHoldService } from './legal-holds.js';
import { retentionSweepJob } from './retention-jobs.js';
import { retentionPolicies as retentionPolicyService } from './retention-policies.js';
import { retentionStore } from './retention-store.js';

/** Retention: policies, legal holds, and what erasure keeps under them until the sweep shreds it. */
export function retentionModule(
  { config, db, clock, logger }: Platform,
  {
    deriveKey,
    audit,
    vault,
  }: {
    deriveKey: DeriveKey;
    audit: AuditService;
    vault: Pick<ReturnType<typeof vaultModule>, 'collections' | 'records' | 'subjectErasure'>;
  },
) {
  const retentionRows = retentionStore();
  const retentionPolicies = retentionPolicyService({
    db,
    store: retentionRows,
    audit,
    clock,
    collections: vault.collections,
  });
  const legalHolds = legalHoldService({
    db,
    store: retentionRows,
    audit,
    clock,
    box: sealedBox(deriveKey('custos.retention.v1')),
    subjects: vault.records,
  });
  const erasureRetention = erasureRetentionService({
    db,
    store: retentionRows,
    audit,
    clock,
    holds: legalHolds,
    vault: { ...vault.subjectErasure, shredWithin: vault.records.shredWithin },
  });
  return {
    retentionPolicies,
    legalHolds,
    erasureRetention,
    background: {
      jobs: [retentionSweepJob(erasureRetention, logger, config.retentionSweepSchedule)],
      prune: [],
    },
  };
}
