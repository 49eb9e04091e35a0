import type { Executor } from '../../db/database.js';
import type { PdfRenderer } from '../../lib/documents/pdf.js';
import type { Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { PurposeRow } from '../consent/purpose-store.js';
import type { WebhookEndpoints } from '../notifications/webhook-endpoints.js';
import type { PolicyRow } from '../retention/retention-store.js';
import type { CollectionRow } from '../vault/vault-store.js';
import type { CollectionSummary } from './derived-systems.js';
import { inventoryActivities } from './inventory-activities.js';
import { inventoryImport } from './inventory-import.js';
import { inventoryMeasures } from './inventory-measures.js';
import type { PurposeSummary, RetentionSummary } from './inventory-model.js';
import { inventoryProcessors } from './inventory-processors.js';
import { declaredCategories } from './inventory-resolve.js';
import { inventoryService } from './inventory-service.js';
import { inventoryStore } from './inventory-store.js';
import { inventorySystems } from './inventory-systems.js';
import type { TransferSafeguardLookup } from './ropa.js';
import { ropaService } from './ropa-service.js';

type Deps = {
  audit: AuditService;
  endpoints: Pick<WebhookEndpoints, 'list' | 'createIn' | 'updateIn' | 'removeIn'>;
  /** The other modules' services the map reads; called only when it is read or written. */
  collections: { list: () => Promise<CollectionRow[]> };
  purposes: { list: () => Promise<PurposeRow[]> };
  retentionPolicies: { list: () => Promise<PolicyRow[]> };
  /** How many tasks requests sent a system (the requests module). */
  tasksSentTo: (tx: Executor, systemId: string) => Promise<number>;
  /** The process's one document printer, shared with every other document. */
  pdf: PdfRenderer;
  /** The RoPA's transfer safeguards from the transfers module's register (bound late, that module reads this map). */
  transferSafeguards?: () => Promise<TransferSafeguardLookup>;
};

const collectionSummaryOf = (row: CollectionRow): CollectionSummary => ({
  name: row.name,
  description: row.description,
  fields: row.fields.map((field) => ({
    name: field.name,
    category: field.category,
    classification: field.classification,
  })),
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const purposeSummaryOf = (row: PurposeRow): PurposeSummary => ({
  key: row.key,
  name: row.name,
  description: row.description,
  legalBasis: row.legal_basis,
  dataCategories: row.data_categories,
  dataUses: row.data_uses,
  automatedDecisions: row.automated_decisions,
});

const retentionSummaryOf = (row: PolicyRow): RetentionSummary => ({
  id: row.id,
  name: row.name,
  collection: row.collection,
  dataCategory: row.data_category,
  duration: row.duration,
  trigger: row.trigger.type,
  legalBasis: row.legal_basis,
});

/**
 * The inventory module: the register, the data map, imports into it, and what is made from the map (the
 * RoPA, findings, the privacy-notice draft).
 */
export function inventoryModule({ config, db, clock }: Platform, deps: Deps) {
  const { audit, endpoints } = deps;
  const store = inventoryStore();
  const sources = {
    collections: async () => (await deps.collections.list()).map(collectionSummaryOf),
    purposes: async () => (await deps.purposes.list()).map(purposeSummaryOf),
    retention: async () => (await deps.retentionPolicies.list()).map(retentionSummaryOf),
    endpointUrls: async () =>
      new Map((await endpoints.list()).map((endpoint) => [endpoint.id, endpoint.url])),
  };
  const retentionPolicyIds = async () => new Set((await deps.retentionPolicies.list()).map((row) => row.id));
  const systems = inventorySystems({
    db,
    store,
    audit,
    clock,
    endpoints,
    retentionPolicyIds,
    tasksSentTo: deps.tasksSentTo,
  });
  const processors = inventoryProcessors({ db, store, audit, clock });
  const activities = inventoryActivities({
    db,
    store,
    audit,
    clock,
    purposeKeys: async () => new Set((await deps.purposes.list()).map((row) => row.key)),
    collectionNames: async () => new Set((await deps.collections.list()).map((row) => row.name)),
  });
  const measures = inventoryMeasures({ db, store, audit });
  const inventory = inventoryService({
    db,
    store,
    audit,
    clock,
    systems,
    processors,
    activities,
    measures,
    sources,
    settings: { dpoContact: config.dpoContact ?? '' },
  });
  const imports = inventoryImport({ db, store, audit, clock, activities, retentionPolicyIds });
  const service = { ...inventory, applyImport: imports.applyImport };
  // Documents read the map through the service object, so what they show is what the service answers.
  const ropa = ropaService({
    dataMap: () => service.dataMap(),
    audit,
    pdf: deps.pdf,
    transferSafeguards: deps.transferSafeguards,
  });
  return {
    inventory: service,
    ropa,
    /** The data categories processing activities declare (for the minimization audit). */
    declaredCategories: async () => declaredCategories(await service.dataMap()),
    /** What requests reach systems through: the systems their fan-out goes to. */
    inventorySystems: systems,
  };
}

export type InventoryModule = ReturnType<typeof inventoryModule>;
