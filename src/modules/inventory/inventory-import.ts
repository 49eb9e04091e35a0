import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import {
  activityColumnsOf,
  checkActivity,
  checkActivityRole,
  type InventoryActivities,
} from './inventory-activities.js';
import type { InventoryImport } from './inventory-model.js';
import { checkProcessor, processorColumnsOf } from './inventory-processors.js';
import { organizationColumnsOf } from './inventory-service.js';
import type {
  InventoryStore,
  NewActivityRow,
  NewProcessorRow,
  NewSystemRow,
  ProcessorRow,
  SystemRow,
} from './inventory-store.js';
import { checkSystem, systemColumnsOf } from './inventory-systems.js';
import { entriesOnCycles, type ProblemList, problemList } from './inventory-validation.js';

type Deps = {
  db: Kysely<DB>;
  store: InventoryStore;
  audit: AuditWriter;
  clock: Clock;
  activities: Pick<InventoryActivities, 'outsideEntries'>;
  /** Ids of the retention module's policies. */
  retentionPolicyIds: () => Promise<ReadonlySet<string>>;
};

export type ImportCounts = Record<
  'systems' | 'processors' | 'activities',
  { created: number; replaced: number }
>;

/** Ids of entries by name: those already registered, then those the import creates. */
type Names = Map<string, string>;

type Kind = keyof ImportCounts;

/** What an import resolved, once every entry checked out: ids by name, and the links between entries. */
type Resolved = {
  ids: Record<Kind, Names>;
  /** Names registered before the import (their entries are replaced). */
  existing: Record<Kind, ReadonlySet<string>>;
  parents: ReadonlyMap<string, string | null>;
  systemProcessors: (string | null)[];
  activityLinks: { systemIds: string[]; processorIds: string[]; measureIds: string[] }[];
};

/** Other modules' entries an import refers to. */
type Outside = {
  purposes: ReadonlySet<string>;
  collections: ReadonlySet<string>;
  policies: ReadonlySet<string>;
};

function namesTwice(problems: ProblemList, kind: string, entries: readonly { name: string }[]): void {
  const seen = new Set<string>();
  entries.forEach((entry, index) => {
    if (seen.has(entry.name)) problems.add(`${kind}.${index}.name`, 'is named twice in the import');
    seen.add(entry.name);
  });
}

/** Resolves names to ids, adding a problem for each name that resolves to nothing. */
function resolve(
  problems: ProblemList,
  path: string,
  names: readonly string[],
  ids: Names,
  what: string,
): string[] {
  return names.flatMap((name, index) => {
    const id = ids.get(name);
    if (id === undefined) problems.add(`${path}.${index}`, `names no ${what}`);
    return id === undefined ? [] : [id];
  });
}

/** Gives every new name an id, beside the ids of the names registered. */
function idsByName(rows: { id: string; name: string }[], entries: readonly { name: string }[]): Names {
  const ids = new Map(rows.map((row) => [row.name, row.id]));
  for (const entry of entries) if (!ids.has(entry.name)) ids.set(entry.name, randomUUID());
  return ids;
}

/** Checks processors' countries and parents, and that no chain of the result loops. */
function checkProcessors(
  problems: ProblemList,
  plan: InventoryImport,
  ids: Names,
  registered: readonly ProcessorRow[],
): Map<string, string | null> {
  const parents = new Map<string, string | null>(registered.map((row) => [row.id, row.parent_id]));
  const known = new Set(ids.values());
  plan.processors.forEach((entry, index) => {
    checkProcessor(problems, `processors.${index}.`, { country: entry.country }, known);
    const parentNames = entry.parentName ? [entry.parentName] : [];
    const [parentId] = resolve(problems, `processors.${index}.parentName`, parentNames, ids, 'processor');
    parents.set(ids.get(entry.name) as string, parentId ?? null);
  });
  const onCycles = entriesOnCycles(parents);
  plan.processors.forEach((entry, index) => {
    if (onCycles.has(ids.get(entry.name) as string))
      problems.add(`processors.${index}.parentName`, 'makes a cycle of sub-processors');
  });
  return parents;
}

/** Checks systems' keys, countries and policies; returns the id of each one's processor. */
function checkSystems(
  problems: ProblemList,
  plan: InventoryImport,
  processorIds: Names,
  registered: readonly SystemRow[],
  policies: ReadonlySet<string>,
): (string | null)[] {
  const withEndpoint = new Set(registered.filter((row) => row.endpoint_id).map((row) => row.name));
  return plan.systems.map((entry, index) => {
    checkSystem(problems, `systems.${index}.`, entry, { retentionPolicyIds: policies });
    if (withEndpoint.has(entry.name) && entry.dataCategories.length === 0)
      problems.add(`systems.${index}.dataCategories`, 'name at least one for a system with an endpoint');
    const names = entry.processorName ? [entry.processorName] : [];
    return resolve(problems, `systems.${index}.processorName`, names, processorIds, 'processor')[0] ?? null;
  });
}

/** Checks activities' keys, purposes and collections; returns each one's links by id. */
function checkActivities(
  problems: ProblemList,
  plan: InventoryImport,
  ids: Record<'systems' | 'processors' | 'measures', Names>,
  outside: Outside,
): Resolved['activityLinks'] {
  const none = new Set<string>();
  return plan.activities.map((entry, index) => {
    const prefix = `activities.${index}.`;
    const known = { ...outside, systems: none, processors: none, measures: none };
    checkActivity(problems, prefix, entry, known);
    checkActivityRole(problems, prefix, entry);
    return {
      systemIds: resolve(problems, `${prefix}systemNames`, entry.systemNames, ids.systems, 'system'),
      processorIds: resolve(
        problems,
        `${prefix}processorNames`,
        entry.processorNames,
        ids.processors,
        'processor',
      ),
      measureIds: resolve(
        problems,
        `${prefix}measureNames`,
        entry.measureNames,
        ids.measures,
        'security measure',
      ),
    };
  });
}

/**
 * Imports into the register (Fides manifests, or any bulk load): entries matched by name, created or
 * replaced, references by name resolved, all in one transaction with one audit entry, or, when any entry
 * is wrong, nothing written and one problem listing every bad path.
 */
export function inventoryImport({ db, store, audit, clock, activities, retentionPolicyIds }: Deps) {
  /** Checks the whole plan against the register as it is in the transaction; throws every problem at once. */
  async function resolvePlan(tx: Executor, plan: InventoryImport, outside: Outside): Promise<Resolved> {
    const [systemRows, processorRows, activityRows, measureRows] = await Promise.all([
      store.listSystems(tx),
      store.listProcessors(tx),
      store.listActivities(tx),
      store.listMeasures(tx),
    ]);
    const ids = {
      systems: idsByName(systemRows, plan.systems),
      processors: idsByName(processorRows, plan.processors),
      activities: idsByName(activityRows, plan.activities),
    };
    const names = (rows: { name: string }[]) => new Set(rows.map((row) => row.name));
    const problems = problemList();
    namesTwice(problems, 'processors', plan.processors);
    namesTwice(problems, 'systems', plan.systems);
    namesTwice(problems, 'activities', plan.activities);
    const parents = checkProcessors(problems, plan, ids.processors, processorRows);
    const systemProcessors = checkSystems(problems, plan, ids.processors, systemRows, outside.policies);
    const measures = new Map(measureRows.map((row) => [row.name, row.id]));
    const activityLinks = checkActivities(problems, plan, { ...ids, measures }, outside);
    problems.throwIfAny('Some entries of the import are not valid; nothing was imported.');
    return {
      ids,
      existing: {
        systems: names(systemRows),
        processors: names(processorRows),
        activities: names(activityRows),
      },
      parents,
      systemProcessors,
      activityLinks,
    };
  }

  /** Writes a resolved plan; processors' parents are set once every processor of the plan exists. */
  async function writePlan(tx: Executor, plan: InventoryImport, resolved: Resolved): Promise<ImportCounts> {
    const now = clock.now();
    const counts: ImportCounts = {
      systems: { created: 0, replaced: 0 },
      processors: { created: 0, replaced: 0 },
      activities: { created: 0, replaced: 0 },
    };
    /** Counts the entry; true when it replaces a registered one. */
    const replaces = (kind: Kind, name: string) => {
      const replacing = resolved.existing[kind].has(name);
      counts[kind][replacing ? 'replaced' : 'created'] += 1;
      return replacing;
    };
    const created = { created_at: now, updated_at: now };
    for (const { parentName: _parent, ...entry } of plan.processors) {
      const id = resolved.ids.processors.get(entry.name) as string;
      const columns = processorColumnsOf({ ...entry, parentId: null });
      if (replaces('processors', entry.name))
        await store.updateProcessor(tx, id, { ...columns, updated_at: now });
      else await store.insertProcessor(tx, { ...(columns as NewProcessorRow), id, ...created });
    }
    for (const entry of plan.processors) {
      const id = resolved.ids.processors.get(entry.name) as string;
      await store.updateProcessor(tx, id, { parent_id: resolved.parents.get(id) ?? null });
    }
    for (const [index, { processorName: _processor, ...entry }] of plan.systems.entries()) {
      const id = resolved.ids.systems.get(entry.name) as string;
      const columns = systemColumnsOf({ ...entry, processorId: resolved.systemProcessors[index] ?? null });
      if (replaces('systems', entry.name)) await store.updateSystem(tx, id, { ...columns, updated_at: now });
      else await store.insertSystem(tx, { ...(columns as NewSystemRow), id, endpoint_id: null, ...created });
    }
    for (const [index, entry] of plan.activities.entries()) {
      const { systemNames: _s, processorNames: _p, measureNames: _m, ...fields } = entry;
      const id = resolved.ids.activities.get(entry.name) as string;
      const columns = activityColumnsOf(fields);
      if (replaces('activities', entry.name))
        await store.updateActivity(tx, id, { ...columns, updated_at: now });
      else await store.insertActivity(tx, { ...(columns as NewActivityRow), id, ...created });
      await store.setLinks(tx, id, resolved.activityLinks[index] ?? {});
    }
    if (plan.organization) await store.saveOrganization(tx, organizationColumnsOf(plan.organization, now));
    return counts;
  }

  async function applyImport(context: AuditContext, plan: InventoryImport): Promise<ImportCounts> {
    // Other modules' entries are read first: their services do not read in this transaction.
    const { purposes, collections } = await activities.outsideEntries();
    const policies = plan.systems.some((entry) => entry.retention?.policyId)
      ? await retentionPolicyIds()
      : new Set<string>();
    return db.transaction().execute(async (tx) => {
      const resolved = await resolvePlan(tx, plan, { purposes, collections, policies });
      const counts = await writePlan(tx, plan, resolved);
      await audit.append(tx, context, {
        action: 'inventory.imported',
        outcome: 'success',
        target: { type: 'inventory', id: 'import' },
        details: { ...counts, ...(plan.organization ? { organization: 'saved' } : {}) },
      });
      return counts;
    });
  }

  return { applyImport };
}
