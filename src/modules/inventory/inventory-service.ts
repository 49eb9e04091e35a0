import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import {
  type CollectionSummary,
  collectionAssets,
  custosSystem,
  isDerivedSystemId,
} from './derived-systems.js';
import type { InventoryActivities } from './inventory-activities.js';
import {
  activityEntryOf,
  measureEntryOf,
  organizationOf,
  processorEntriesOf,
  systemEntryOf,
} from './inventory-entries.js';
import type { InventoryMeasures } from './inventory-measures.js';
import type {
  DataMap,
  OrganizationProfile,
  PurposeSummary,
  RetentionSummary,
  SystemEntry,
} from './inventory-model.js';
import type { InventoryProcessors } from './inventory-processors.js';
import type { InventoryStore } from './inventory-store.js';
import type { InventorySystems, SystemRegistration, SystemUpdate } from './inventory-systems.js';
import { problemList } from './inventory-validation.js';

export type OrganizationInput = Omit<OrganizationProfile, 'updatedAt'>;

/** The organization profile's row, as the profile's form and imports save it. */
export function organizationColumnsOf(input: OrganizationInput, now: Date) {
  return {
    controller_name: input.controllerName,
    address: input.address,
    country: input.country,
    representative: input.representative ? JSON.stringify(input.representative) : null,
    dpo_contact: input.dpoContact,
    supervisory_authority: input.supervisoryAuthority,
    updated_at: now,
  };
}

/** What the map reads of other modules, through their services. */
export type InventorySources = {
  collections: () => Promise<CollectionSummary[]>;
  purposes: () => Promise<PurposeSummary[]>;
  retention: () => Promise<RetentionSummary[]>;
  /** Webhook endpoints' URLs by id (the notifications module). */
  endpointUrls: () => Promise<Map<string, string>>;
};

type Deps = {
  db: Kysely<DB>;
  store: InventoryStore;
  audit: AuditWriter;
  clock: Clock;
  systems: InventorySystems;
  processors: InventoryProcessors;
  activities: InventoryActivities;
  measures: InventoryMeasures;
  sources: InventorySources;
  settings: { dpoContact: string };
};

const derivedEntry = () =>
  new AppError(
    'conflict',
    'This entry is derived from Custos’s own definitions: change the collection (or the organization profile) instead.',
  );

/** A uuid, or something that can name no registered entry (queried, it would fail rather than match). */
const isUuid = (id: string) => /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);

/**
 * The inventory: the register of systems, processors, processing activities and security measures, the
 * organization profile, and the data map drawn from them and from what the vault, consent and retention
 * modules define (read through their services when the map is taken, so never retyped and never stale).
 */
export function inventoryService({
  db,
  store,
  audit,
  clock,
  systems,
  processors,
  activities,
  measures,
  sources,
  settings,
}: Deps) {
  async function organization(): Promise<OrganizationProfile> {
    return organizationOf(await store.findOrganization(db), settings.dpoContact);
  }

  /** The whole map at one moment, in a handful of queries whatever its size. */
  async function dataMap(): Promise<DataMap> {
    const [
      org,
      systemRows,
      processorRows,
      activityRows,
      links,
      measureRows,
      collections,
      purposes,
      retention,
      urls,
    ] = await Promise.all([
      store.findOrganization(db),
      store.listSystems(db),
      store.listProcessors(db),
      store.listActivities(db),
      store.linksOf(db),
      store.listMeasures(db),
      sources.collections(),
      sources.purposes(),
      sources.retention(),
      sources.endpointUrls(),
    ]);
    const profile = organizationOf(org, settings.dpoContact);
    const now = clock.now();
    const assets = collectionAssets(collections, retention, profile);
    return {
      generatedAt: now,
      organization: profile,
      systems: [
        custosSystem(assets, collections, profile, now),
        ...assets,
        ...systemRows.map((row) => systemEntryOf(row, urls)),
      ],
      processors: processorEntriesOf(processorRows, systemRows),
      activities: activityRows.map((row) => activityEntryOf(row, links.get(row.id))),
      measures: measureRows.map(measureEntryOf),
      purposes,
      retention,
    };
  }

  /** Custos, its collections and the registered systems. */
  async function listSystems(): Promise<SystemEntry[]> {
    return (await dataMap()).systems;
  }

  async function getSystem(id: string): Promise<SystemEntry> {
    if (isDerivedSystemId(id)) {
      const found = (await listSystems()).find((entry) => entry.id === id);
      if (!found) throw new AppError('not_found', 'No system with this id.');
      return found;
    }
    if (!isUuid(id)) throw new AppError('not_found', 'No system with this id.');
    return systems.get(id);
  }

  /** Registered systems only; a derived one answers 409 (change its collection), an unknown id 404. */
  function registeredSystemId(id: string): string {
    if (isDerivedSystemId(id)) throw derivedEntry();
    if (!isUuid(id)) throw new AppError('not_found', 'No system with this id.');
    return id;
  }

  /** Saves the organization profile (the controller, its representative, the DPO, the supervisory authority). */
  async function saveOrganization(
    context: AuditContext,
    input: OrganizationInput,
  ): Promise<OrganizationProfile> {
    const problems = problemList();
    problems.country('country', input.country);
    problems.throwIfAny('Some fields of the organization profile are not valid.');
    await db.transaction().execute(async (tx) => {
      const before = organizationOf(await store.findOrganization(tx), settings.dpoContact);
      await store.saveOrganization(tx, organizationColumnsOf(input, clock.now()));
      const changed = (Object.keys(input) as (keyof OrganizationInput)[]).filter(
        (key) => JSON.stringify(input[key]) !== JSON.stringify(before[key]),
      );
      await audit.append(tx, context, {
        action: 'inventory.organization.updated',
        outcome: 'success',
        target: { type: 'inventory_organization', id: 'organization' },
        details: { changed },
      });
    });
    return organization();
  }

  return {
    dataMap,
    /** Today's date (YYYY-MM-DD), against which DPAs' review dates are read. */
    today: () => clock.now().toISOString().slice(0, 10),
    organization,
    saveOrganization,
    systems: {
      list: listSystems,
      get: getSystem,
      register: (context: AuditContext, input: SystemRegistration) => systems.register(context, input),
      update: (context: AuditContext, id: string, changes: SystemUpdate) =>
        systems.update(context, registeredSystemId(id), changes),
      remove: (context: AuditContext, id: string) => systems.remove(context, registeredSystemId(id)),
    },
    processors,
    activities,
    measures,
  };
}

export type InventoryService = ReturnType<typeof inventoryService>;
