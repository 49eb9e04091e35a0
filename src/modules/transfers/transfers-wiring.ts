import type { Platform } from '../../wiring/platform.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditService } from '../audit/audit-service.js';
import type { DataMap } from '../inventory/inventory-model.js';
import { transferRecords } from './transfer-records.js';
import { transferService } from './transfer-service.js';
import { transferStore } from './transfer-store.js';

type Deps = {
  audit: AuditService;
  raiseAlert: Pick<SecurityAlerts, 'subjectStorageRefused'>;
  /** The inventory's data map: the register's flows and the data a validation names by reference. */
  dataMap: () => Promise<DataMap>;
  /** The distinct regions of the vault's subjects (the start-up check of where they may be stored). */
  subjectRegions: () => Promise<string[]>;
};

/** Transfers: adequacy reference data, residency policies, mechanisms and TIAs, the register, validation. */
export function transfersModule({ db, clock, config, logger, database }: Platform, deps: Deps) {
  const store = transferStore();
  const records = transferRecords({ db, store, audit: deps.audit, clock });
  const transfers = transferService({
    db,
    records,
    audit: deps.audit,
    clock,
    dataMap: deps.dataMap,
    instanceLocation: config.instanceLocation,
    subjectRegions: deps.subjectRegions,
    // PGlite has one connection; on PostgreSQL one batch per audit chain (migration 0006 makes eight).
    groupCommit: { writers: database.kind === 'postgres' ? 8 : 1, maxBatch: 200 },
  });

  /**
   * At start-up: for each region of subjects present that a residency policy keeps off this instance's
   * location, a warning in the log and an alert; refuses to start when such a policy says so.
   */
  async function checkSubjectStorage(): Promise<void> {
    const findings = await transfers.storageCheck();
    if (findings.length === 0) return;
    await db.transaction().execute(async (tx) => {
      for (const finding of findings) {
        await deps.raiseAlert.subjectStorageRefused(tx, {
          region: finding.region,
          policyId: finding.policy.id,
          reason: finding.reason,
        });
      }
    });
    for (const finding of findings) {
      logger.warn(
        {
          region: finding.region,
          policy: finding.policy.id,
          reason: finding.reason,
          instanceLocation: config.instanceLocation ?? null,
          allowedLocations: finding.allowed,
        },
        'data residency: subjects of this region are stored on an instance whose location their policy does not allow',
      );
    }
    const refusing = findings.filter((finding) => finding.policy.storageAtStartup === 'refuse');
    if (refusing.length > 0) {
      throw new Error(
        `Data residency: subjects of ${refusing.map((finding) => finding.region).join(', ')} may not be stored in this instance's location (${config.instanceLocation ?? 'not configured'}); their residency policy refuses to start. Set CUSTOS_INSTANCE_LOCATION or change the policy.`,
      );
    }
  }

  return {
    transferRecords: records,
    transfers,
    checkSubjectStorage,
    /** For the compliance dashboard: flows resting on adequacy or a valid mechanism, of all flows. */
    crossBorderTransferApprovals: () => transfers.approvals(),
  };
}
