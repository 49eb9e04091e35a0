import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
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
import type { InventoryStore, NewActivityRow, NewProcessorRow, NewSystemRow } from './inventory-store.js';
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

/**
 * Imports into the register (Fides manifests, or any bulk load): entries matched by name, created or
 * replaced, references by name resolved, all in one transaction with one audit entry, or, when any entry
 * is wrong, nothing written and one problem listing every bad path.
 */
export function inventoryImport({ db, store, audit, clock, activities, retentionPolicyIds }: Deps) {
  async function applyImport(context: AuditContext, plan: InventoryImport): Promise<ImportCounts> {
    // Other modules' entries are read first: their services do not read in this transaction.
    const known = await activities.outsideEntries();
    const knownPolicies = plan.systems.some((entry) => entry.retention?.policyId)
      ? await retentionPolicyIds()
      : new Set<string>();
    return db.transaction().execute(async (tx) => {
      const [systemRows, processorRows, activityRows] = await Promise.all([
        store.listSystems(tx),
        store.listProcessors(tx),
        store.listActivities(tx),
      ]);
      const byName = (rows: { id: string; name: string }[]) => new Map(rows.map((row) => [row.name, row.id]));
      const systemIds = byName(systemRows);
      const processorIds = byName(processorRows);
      const activityIds = byName(activityRows);
      const existing = {
        systems: new Set(systemIds.keys()),
        processors: new Set(processorIds.keys()),
        activities: new Set(activityIds.keys()),
      };
      for (const entry of plan.processors)
        if (!processorIds.has(entry.name)) processorIds.set(entry.name, randomUUID());
      for (const entry of plan.systems)
        if (!systemIds.has(entry.name)) systemIds.set(entry.name, randomUUID());
      for (const entry of plan.activities)
        if (!activityIds.has(entry.name)) activityIds.set(entry.name, randomUUID());

      const problems = problemList();
      namesTwice(problems, 'processors', plan.processors);
      namesTwice(problems, 'systems', plan.systems);
      namesTwice(problems, 'activities', plan.activities);

      const allProcessors = new Set(processorIds.values());
      const parents = new Map<string, string | null>(processorRows.map((row) => [row.id, row.parent_id]));
      plan.processors.forEach((entry, index) => {
        checkProcessor(problems, `processors.${index}.`, { country: entry.country }, allProcessors);
        const [parentId] = entry.parentName
          ? resolve(problems, `processors.${index}.parentName`, [entry.parentName], processorIds, 'processor')
          : [];
        parents.set(processorIds.get(entry.name) as string, parentId ?? null);
      });
      const onCycles = entriesOnCycles(parents);
      plan.processors.forEach((entry, index) => {
        if (onCycles.has(processorIds.get(entry.name) as string))
          problems.add(`processors.${index}.parentName`, 'makes a cycle of sub-processors');
      });

      const withEndpoint = new Set(systemRows.filter((row) => row.endpoint_id).map((row) => row.name));
      const systemProcessor = plan.systems.map((entry, index) => {
        checkSystem(problems, `systems.${index}.`, entry, { retentionPolicyIds: knownPolicies });
        if (withEndpoint.has(entry.name) && entry.dataCategories.length === 0)
          problems.add(`systems.${index}.dataCategories`, 'name at least one for a system with an endpoint');
        if (!entry.processorName) return null;
        return (
          resolve(
            problems,
            `systems.${index}.processorName`,
            [entry.processorName],
            processorIds,
            'processor',
          )[0] ?? null
        );
      });

      const measureIds = new Map((await store.listMeasures(tx)).map((row) => [row.name, row.id]));
      const activityLinks = plan.activities.map((entry, index) => {
        const prefix = `activities.${index}.`;
        checkActivity(problems, prefix, entry, {
          ...known,
          systems: new Set(),
          processors: new Set(),
          measures: new Set(),
        });
        checkActivityRole(problems, prefix, entry);
        return {
          systemIds: resolve(problems, `${prefix}systemNames`, entry.systemNames, systemIds, 'system'),
          processorIds: resolve(
            problems,
            `${prefix}processorNames`,
            entry.processorNames,
            processorIds,
            'processor',
          ),
          measureIds: resolve(
            problems,
            `${prefix}measureNames`,
            entry.measureNames,
            measureIds,
            'security measure',
          ),
        };
      });
      problems.throwIfAny('Some entries of the import are not valid; nothing was imported.');

      const now = clock.now();
      const counts: ImportCounts = {
        systems: { created: 0, replaced: 0 },
        processors: { created: 0, replaced: 0 },
        activities: { created: 0, replaced: 0 },
      };
      const tally = (kind: keyof ImportCounts, name: string) => {
        counts[kind][existing[kind].has(name) ? 'replaced' : 'created'] += 1;
        return existing[kind].has(name);
      };

      // Parents are set once every processor of the import exists.
      for (const entry of plan.processors) {
        const id = processorIds.get(entry.name) as string;
        const { parentName: _parent, ...fields } = entry;
        const columns = processorColumnsOf({ ...fields, parentId: null });
        if (tally('processors', entry.name))
          await store.updateProcessor(tx, id, { ...columns, updated_at: now });
        else
          await store.insertProcessor(tx, {
            ...(columns as NewProcessorRow),
            id,
            created_at: now,
            updated_at: now,
          });
      }
      for (const entry of plan.processors) {
        const id = processorIds.get(entry.name) as string;
        await store.updateProcessor(tx, id, { parent_id: parents.get(id) ?? null });
      }
      for (const [index, entry] of plan.systems.entries()) {
        const id = systemIds.get(entry.name) as string;
        const { processorName: _processor, ...fields } = entry;
        const columns = systemColumnsOf({ ...fields, processorId: systemProcessor[index] ?? null });
        if (tally('systems', entry.name)) await store.updateSystem(tx, id, { ...columns, updated_at: now });
        else
          await store.insertSystem(tx, {
            ...(columns as NewSystemRow),
            id,
            endpoint_id: null,
            created_at: now,
            updated_at: now,
          });
      }
      for (const [index, entry] of plan.activities.entries()) {
        const id = activityIds.get(entry.name) as string;
        const { systemNames: _s, processorNames: _p, measureNames: _m, ...fields } = entry;
        const columns = activityColumnsOf(fields);
        if (tally('activities', entry.name))
          await store.updateActivity(tx, id, { ...columns, updated_at: now });
        else
          await store.insertActivity(tx, {
            ...(columns as NewActivityRow),
            id,
            created_at: now,
            updated_at: now,
          });
        await store.setLinks(tx, id, activityLinks[index] as NonNullable<(typeof activityLinks)[number]>);
      }

      await audit.append(tx, context, {
        action: 'inventory.imported',
        outcome: 'success',
        target: { type: 'inventory', id: 'import' },
        details: counts,
      });
      return counts;
    });
  }

  return { applyImport };
}
