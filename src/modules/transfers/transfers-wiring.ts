import type { Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { DataMap } from '../inventory/inventory-model.js';
import { transferRecords } from './transfer-records.js';
import { transferService } from './transfer-service.js';
import { transferStore } from './transfer-store.js';

type Deps = {
  audit: AuditService;
  /** The inventory's data map: the register's flows and the data a validation names by reference. */
  dataMap: () => Promise<DataMap>;
};

/** Transfers: adequacy reference data, residency policies, mechanisms and TIAs, the register, validation. */
export function transfersModule({ db, clock }: Platform, deps: Deps) {
  const store = transferStore();
  const records = transferRecords({ db, store, audit: deps.audit, clock });
  const transfers = transferService({ db, records, audit: deps.audit, clock, dataMap: deps.dataMap });
  return {
    transferRecords: records,
    transfers,
    /** For the compliance dashboard: flows resting on adequacy or a valid mechanism, of all flows. */
    crossBorderTransferApprovals: () => transfers.approvals(),
  };
}
