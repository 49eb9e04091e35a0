/**
 * What the map already says, in the shape of an import plan, and what applying a plan would change: the
 * answer of a dry run, and the check that importing the map's own export changes nothing.
 */
import type { DataMap, InventoryImport, SystemEntry } from './inventory-model.js';

/** What the map says, as an import plan: what importing its own export must give back. */
export function planOf(map: DataMap): InventoryImport {
  const systemById = new Map(map.systems.map((system) => [system.id, system]));
  const processorById = new Map(map.processors.map((processor) => [processor.id, processor]));
  const measureById = new Map(map.measures.map((measure) => [measure.id, measure]));
  const registered = map.systems.filter((system: SystemEntry) => system.origin === 'registered');
  const { updatedAt, ...organization } = map.organization;
  return {
    ...(updatedAt ? { organization } : {}),
    systems: registered.map(
      ({ id, origin, fulfilment, fields, processorId, createdAt, updatedAt, ...rest }) => ({
        ...rest,
        processorName: processorId ? (processorById.get(processorId)?.name ?? null) : null,
      }),
    ),
    processors: map.processors.map(({ id, parentId, systemIds, createdAt, updatedAt, ...rest }) => ({
      ...rest,
      parentName: parentId ? (processorById.get(parentId)?.name ?? null) : null,
    })),
    activities: map.activities.map(
      ({ id, systemIds, processorIds, measureIds, createdAt, updatedAt, ...rest }) => ({
        ...rest,
        systemNames: systemIds.flatMap((systemId) => systemById.get(systemId)?.name ?? []),
        processorNames: processorIds.flatMap((processorId) => processorById.get(processorId)?.name ?? []),
        measureNames: measureIds.flatMap((measureId) => measureById.get(measureId)?.name ?? []),
      }),
    ),
  };
}

export type PlanDifference = {
  kind: 'organization' | 'system' | 'processor' | 'activity';
  name: string;
  change: 'create' | 'replace' | 'unchanged';
  /** For a replacement: the names of the fields whose value changes. */
  fields: string[];
};

function differencesIn<T extends { name: string }>(
  kind: PlanDifference['kind'],
  planned: T[],
  current: T[],
): PlanDifference[] {
  const byName = new Map(current.map((entry) => [entry.name, entry]));
  return planned.map((entry) => {
    const existing = byName.get(entry.name) as Record<string, unknown> | undefined;
    if (!existing) return { kind, name: entry.name, change: 'create', fields: [] };
    const fields = Object.entries(entry)
      .filter(([field, value]) => JSON.stringify(value) !== JSON.stringify(existing[field]))
      .map(([field]) => field);
    return { kind, name: entry.name, change: fields.length > 0 ? 'replace' : 'unchanged', fields };
  });
}

/** What applying the plan would change in the map, entry by entry (matched by name, as the import does). */
export function differencesOf(map: DataMap, plan: InventoryImport): PlanDifference[] {
  const current = planOf(map);
  // The profile is one entry, named `organization`: created when none was saved, else replaced or not.
  return [
    ...differencesIn(
      'organization',
      plan.organization ? [{ ...plan.organization, name: 'organization' }] : [],
      current.organization ? [{ ...current.organization, name: 'organization' }] : [],
    ),
    ...differencesIn('system', plan.systems, current.systems),
    ...differencesIn('processor', plan.processors, current.processors),
    ...differencesIn('activity', plan.activities, current.activities),
  ];
}
