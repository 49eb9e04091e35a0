/**
 * An activity as the register reads it: what it links to (purposes, collections, systems, processors,
 * measures) turned into the facts Art. 30 asks for, each derived value with the links it came from, so
 * an editor shows what is derived and from where and a person only types in what Custos cannot know.
 * One `mapIndex` per map makes every lookup a key lookup: resolving all activities is linear in the map.
 */

import { thirdCountryTest } from '../../lib/countries.js';
import { isWithin } from '../taxonomy/taxonomy.js';
import type {
  ActivityEntry,
  DataMap,
  MeasureEntry,
  ProcessorEntry,
  ProcessorRole,
  PurposeSummary,
  RetentionSummary,
  SystemEntry,
} from './inventory-model.js';

/** Where a value of a resolved activity comes from. */
export type ValueSource = {
  from: 'collection' | 'system' | 'purpose' | 'processor' | 'retention_policy' | 'manual';
  /** The id or key of what it comes from (`collection:<name>` for collections). */
  ref: string;
};

export type Sourced = { value: string; sources: ValueSource[] };

export type ResolvedPurpose = {
  key: string;
  name: string;
  /** Null when the purpose is not in the map (it was removed after being linked). */
  legalBasis: string | null;
  dataUses: string[];
  automatedDecisions: boolean;
};

export type ResolvedRecipient = {
  processorId: string;
  name: string;
  contact: string;
  country: string;
  role: ProcessorRole;
  /** How the data reaches it: a linked system it operates, a direct link, or its parent processor. */
  sources: ValueSource[];
};

export type ResolvedTransfer = {
  country: string;
  /** The systems and processors located there that the activity's data reaches. */
  via: { type: 'system' | 'processor'; id: string; name: string }[];
  /** The safeguard the activity records for the country; null when none is recorded. */
  safeguard: string | null;
};

export type ResolvedRetention = {
  /** A policy's name, or `<system> (period set on the system)`. */
  name: string;
  /** ISO 8601 duration, or null for a system whose retention names only a policy missing from the map. */
  period: string | null;
  legalBasis: string | null;
  /** What it covers: a collection, a data category or a system. */
  scope: string;
  source: ValueSource;
};

export type ResolvedActivity = {
  activity: ActivityEntry;
  dataCategories: Sourced[];
  dataSubjects: Sourced[];
  purposes: ResolvedPurpose[];
  recipients: ResolvedRecipient[];
  recipientCategories: string[];
  transfers: ResolvedTransfer[];
  retention: ResolvedRetention[];
  /** The activity's own words, for data no policy covers. */
  retentionNote: string;
  measures: MeasureEntry[];
  /** Links to things missing from the map (removed after being linked), by kind. */
  unresolved: {
    purposes: string[];
    collections: string[];
    systems: string[];
    processors: string[];
    measures: string[];
  };
};

/** The map's entries by key, built once per map. */
export type MapIndex = {
  map: DataMap;
  systems: Map<string, SystemEntry>;
  processors: Map<string, ProcessorEntry>;
  /** Sub-processors by the processor that engaged them. */
  subProcessors: Map<string, ProcessorEntry[]>;
  purposes: Map<string, PurposeSummary>;
  measures: Map<string, MeasureEntry>;
  policies: Map<string, RetentionSummary>;
  /** Retention policies scoped to a collection, by collection name. */
  collectionPolicies: Map<string, RetentionSummary[]>;
  /** Retention policies scoped to a data category (few: compared with each activity's categories). */
  categoryPolicies: RetentionSummary[];
  isThirdCountry: (country: string) => boolean;
};

export function collectionSystemId(collectionName: string): string {
  return `collection:${collectionName}`;
}

export function mapIndex(map: DataMap): MapIndex {
  const subProcessors = new Map<string, ProcessorEntry[]>();
  for (const processor of map.processors) {
    if (processor.parentId === null) continue;
    const siblings = subProcessors.get(processor.parentId) ?? [];
    siblings.push(processor);
    subProcessors.set(processor.parentId, siblings);
  }
  const collectionPolicies = new Map<string, RetentionSummary[]>();
  for (const policy of map.retention) {
    if (policy.collection === null) continue;
    collectionPolicies.set(policy.collection, [...(collectionPolicies.get(policy.collection) ?? []), policy]);
  }
  return {
    map,
    systems: new Map(map.systems.map((system) => [system.id, system])),
    processors: new Map(map.processors.map((processor) => [processor.id, processor])),
    subProcessors,
    purposes: new Map(map.purposes.map((purpose) => [purpose.key, purpose])),
    measures: new Map(map.measures.map((measure) => [measure.id, measure])),
    policies: new Map(map.retention.map((policy) => [policy.id, policy])),
    collectionPolicies,
    categoryPolicies: map.retention.filter(
      (policy) => policy.collection === null && policy.dataCategory !== null,
    ),
    isThirdCountry: thirdCountryTest(map.organization.country),
  };
}

/** Collects values with their sources, keeping the order values were first seen. */
function sourcedCollector() {
  const values = new Map<string, ValueSource[]>();
  return {
    add(value: string, source: ValueSource) {
      const sources = values.get(value);
      if (!sources) values.set(value, [source]);
      else if (!sources.some((known) => known.from === source.from && known.ref === source.ref))
        sources.push(source);
    },
    list: (): Sourced[] => [...values].map(([value, sources]) => ({ value, sources })),
  };
}

/** Every data category of a system: its own list and, for a collection, its fields' categories. */
export function systemCategories(system: SystemEntry): string[] {
  const fieldCategories = system.fields?.map((field) => field.dataCategory) ?? [];
  return [...new Set([...system.dataCategories, ...fieldCategories])];
}

type LinkedSystems = {
  linked: { system: SystemEntry; source: ValueSource }[];
  missingCollections: string[];
  missingSystems: string[];
};

function linkedSystems(index: MapIndex, activity: ActivityEntry): LinkedSystems {
  const linked: LinkedSystems['linked'] = [];
  const missingCollections: string[] = [];
  const missingSystems: string[] = [];
  for (const name of activity.collectionNames) {
    const system = index.systems.get(collectionSystemId(name));
    if (system) linked.push({ system, source: { from: 'collection', ref: system.id } });
    else missingCollections.push(name);
  }
  for (const id of activity.systemIds) {
    const system = index.systems.get(id);
    if (system) linked.push({ system, source: { from: 'system', ref: id } });
    else missingSystems.push(id);
  }
  return { linked, missingCollections, missingSystems };
}

function resolvePurposes(index: MapIndex, activity: ActivityEntry) {
  const purposes: ResolvedPurpose[] = [];
  const missing: string[] = [];
  for (const key of activity.purposeKeys) {
    const purpose = index.purposes.get(key);
    if (!purpose) {
      missing.push(key);
      purposes.push({ key, name: key, legalBasis: null, dataUses: [], automatedDecisions: false });
      continue;
    }
    purposes.push({
      key,
      name: purpose.name,
      legalBasis: purpose.legalBasis || null,
      dataUses: purpose.dataUses,
      automatedDecisions: purpose.automatedDecisions,
    });
  }
  return { purposes, missing };
}

/**
 * The processors an activity's data reaches: those operating its linked systems, those linked directly,
 * and, down every chain, the sub-processors they engaged (a chain is walked once even if it loops).
 */
function resolveRecipients(index: MapIndex, activity: ActivityEntry, systems: LinkedSystems['linked']) {
  const reached = new Map<string, { processor: ProcessorEntry; sources: ValueSource[] }>();
  const missing: string[] = [];
  const queue: { id: string; source: ValueSource }[] = [
    ...systems.flatMap(({ system }) =>
      system.processorId
        ? [{ id: system.processorId, source: { from: 'system' as const, ref: system.id } }]
        : [],
    ),
    ...activity.processorIds.map((id) => ({ id, source: { from: 'manual' as const, ref: id } })),
  ];
  while (queue.length > 0) {
    const { id, source } = queue.shift() as { id: string; source: ValueSource };
    const known = reached.get(id);
    if (known) {
      if (!known.sources.some((s) => s.from === source.from && s.ref === source.ref))
        known.sources.push(source);
      continue;
    }
    const processor = index.processors.get(id);
    if (!processor) {
      if (source.from === 'manual') missing.push(id);
      continue;
    }
    reached.set(id, { processor, sources: [source] });
    for (const sub of index.subProcessors.get(id) ?? [])
      queue.push({ id: sub.id, source: { from: 'processor', ref: id } });
  }
  const recipients: ResolvedRecipient[] = [...reached.values()].map(({ processor, sources }) => ({
    processorId: processor.id,
    name: processor.name,
    contact: processor.contact,
    country: processor.country,
    role: processor.role,
    sources,
  }));
  return { recipients, missing };
}

function resolveTransfers(
  index: MapIndex,
  activity: ActivityEntry,
  systems: LinkedSystems['linked'],
  recipients: ResolvedRecipient[],
): ResolvedTransfer[] {
  const byCountry = new Map<string, ResolvedTransfer['via']>();
  const note = (country: string, via: ResolvedTransfer['via'][number]) => {
    const code = country.toUpperCase();
    if (!index.isThirdCountry(code)) return;
    const list = byCountry.get(code) ?? [];
    if (!list.some((known) => known.type === via.type && known.id === via.id)) list.push(via);
    byCountry.set(code, list);
  };
  for (const { system } of systems)
    for (const location of system.locations)
      note(location, { type: 'system', id: system.id, name: system.name });
  for (const recipient of recipients)
    note(recipient.country, { type: 'processor', id: recipient.processorId, name: recipient.name });
  const safeguards = new Map(
    activity.transferSafeguards.map((entry) => [entry.country.toUpperCase(), entry.safeguard.trim()]),
  );
  return [...byCountry].map(([country, via]) => ({
    country,
    via,
    safeguard: safeguards.get(country) || null,
  }));
}

function policyCoversCategory(policy: RetentionSummary, categories: string[]): boolean {
  const scope = policy.dataCategory;
  if (scope === null) return false;
  return categories.some((category) => isWithin(category, scope) || isWithin(scope, category));
}

/** Retention periods: policies covering linked collections or declared categories, and periods set on systems. */
function resolveRetention(
  index: MapIndex,
  activity: ActivityEntry,
  systems: LinkedSystems['linked'],
  categories: string[],
): ResolvedRetention[] {
  const found: ResolvedRetention[] = [];
  const seenPolicies = new Set<string>();
  const addPolicy = (policy: RetentionSummary) => {
    if (seenPolicies.has(policy.id)) return;
    seenPolicies.add(policy.id);
    found.push({
      // A rule without a period acts when its trigger fires: its name says when.
      name:
        policy.duration === null
          ? `${policy.name} (until ${policy.trigger.replaceAll('_', ' ')})`
          : policy.name,
      period: policy.duration,
      legalBasis: policy.legalBasis || null,
      scope:
        policy.collection !== null
          ? `collection ${policy.collection}`
          : `data category ${policy.dataCategory}`,
      source: { from: 'retention_policy', ref: policy.id },
    });
  };
  for (const name of activity.collectionNames)
    for (const policy of index.collectionPolicies.get(name) ?? []) addPolicy(policy);
  for (const policy of index.categoryPolicies)
    if (policyCoversCategory(policy, categories)) addPolicy(policy);
  for (const { system, source } of systems) {
    const retention = system.retention;
    if (!retention) continue;
    const policy = retention.policyId ? index.policies.get(retention.policyId) : undefined;
    if (policy) addPolicy(policy);
    else if (retention.period)
      found.push({
        name: system.name,
        period: retention.period,
        legalBasis: null,
        scope: `system ${system.name}`,
        source,
      });
  }
  return found;
}

/** One activity resolved against an indexed map. */
export function resolveActivity(index: MapIndex, activity: ActivityEntry): ResolvedActivity {
  const systems = linkedSystems(index, activity);
  const { purposes, missing: missingPurposes } = resolvePurposes(index, activity);
  const categories = sourcedCollector();
  const subjects = sourcedCollector();
  for (const { system, source } of systems.linked) {
    for (const category of systemCategories(system)) categories.add(category, source);
    for (const subject of system.dataSubjects) subjects.add(subject, source);
  }
  for (const key of activity.purposeKeys)
    for (const category of index.purposes.get(key)?.dataCategories ?? [])
      categories.add(category, { from: 'purpose', ref: key });
  for (const category of activity.extraDataCategories)
    categories.add(category, { from: 'manual', ref: activity.id });
  for (const subject of activity.extraDataSubjects)
    subjects.add(subject, { from: 'manual', ref: activity.id });
  const dataCategories = categories.list();
  const { recipients, missing: missingProcessors } = resolveRecipients(index, activity, systems.linked);
  const measures = activity.measureIds.flatMap((id) => index.measures.get(id) ?? []);
  return {
    activity,
    dataCategories,
    dataSubjects: subjects.list(),
    purposes,
    recipients,
    recipientCategories: activity.recipientCategories,
    transfers: resolveTransfers(index, activity, systems.linked, recipients),
    retention: resolveRetention(
      index,
      activity,
      systems.linked,
      dataCategories.map((category) => category.value),
    ),
    retentionNote: activity.retentionNote.trim(),
    measures,
    unresolved: {
      purposes: missingPurposes,
      collections: systems.missingCollections,
      systems: systems.missingSystems,
      processors: missingProcessors,
      measures: activity.measureIds.filter((id) => !index.measures.has(id)),
    },
  };
}

/** Every activity of the map, resolved, in the map's order. */
export function resolveAll(index: MapIndex): ResolvedActivity[] {
  return index.map.activities.map((activity) => resolveActivity(index, activity));
}

/** Every data category some processing activity declares, derived or added by hand. */
export function declaredCategories(map: DataMap): Set<string> {
  return new Set(
    resolveAll(mapIndex(map)).flatMap((activity) =>
      activity.dataCategories.map((category) => category.value),
    ),
  );
}
