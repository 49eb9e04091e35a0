/**
 * The data map as a graph: Custos's collections, Custos, the registered systems and the processors as
 * nodes, countries where data is kept last, and flows of data categories as edges (collection → Custos →
 * system → processor → sub-processor → country), each with the processing activities it serves. Both the
 * picture and its table are drawn from this one description, so they always say the same.
 */
import type { ActivityEntry, DataMap, SystemEntry } from '../types';
import { countryName } from './countries';

export type MapNodeKind = 'collection' | 'custos' | 'system' | 'processor' | 'country';

export type MapNode = { id: string; kind: MapNodeKind; label: string; column: number };

export type MapFlow = {
  id: string;
  from: string;
  to: string;
  /** Data categories carried; empty for "kept in" (a node to its country). */
  categories: string[];
  /** Names of the processing activities the flow serves. */
  activities: string[];
};

export type MapGraph = { nodes: MapNode[]; flows: MapFlow[] };

const custosId = 'custos';

function union(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())].sort();
}

/** The categories an activity moves: its collections', its systems' and those a person added. */
function activityCategories(activity: ActivityEntry, systemsById: Map<string, SystemEntry>): string[] {
  const collections = activity.collectionNames.map(
    (name) => systemsById.get(`collection:${name}`)?.dataCategories ?? [],
  );
  const systems = activity.systemIds.map((id) => systemsById.get(id)?.dataCategories ?? []);
  return union(...collections, ...systems, activity.extraDataCategories);
}

/** Columns by longest path from the sources, so every flow points onwards; countries come last. */
function layer(nodes: MapNode[], flows: MapFlow[]): void {
  const byId = new Map(nodes.map((node) => [node.id, node]));
  // The map has no cycles (sub-processor chains never form one); the bound guards a bad answer anyway.
  for (let round = 0; round < nodes.length; round += 1) {
    let moved = false;
    for (const flow of flows) {
      const from = byId.get(flow.from);
      const to = byId.get(flow.to);
      if (!from || !to || to.kind === 'country' || to.column > from.column) continue;
      to.column = from.column + 1;
      moved = true;
    }
    if (!moved) break;
  }
  const last = Math.max(0, ...nodes.filter((node) => node.kind !== 'country').map((node) => node.column));
  for (const node of nodes) if (node.kind === 'country') node.column = last + 1;
}

/** A sub-processor receives what the processor engaging it receives, down the whole chain. */
function passOnToSubProcessors(map: DataMap, flows: Map<string, MapFlow>): void {
  for (let round = 0; round < map.processors.length; round += 1) {
    for (const processor of map.processors) {
      const chainFlow = processor.parentId ? flows.get(`${processor.parentId}->${processor.id}`) : undefined;
      if (!chainFlow) continue;
      const received = [...flows.values()].filter((flow) => flow.to === processor.parentId);
      chainFlow.categories = union(...received.map((flow) => flow.categories));
      chainFlow.activities = union(...received.map((flow) => flow.activities));
    }
  }
}

export function graphOf(map: DataMap): MapGraph {
  const nodes = new Map<string, MapNode>();
  const flows = new Map<string, MapFlow>();
  const systemsById = new Map(map.systems.map((system) => [system.id, system]));
  const processorsById = new Map(map.processors.map((processor) => [processor.id, processor]));
  const activitiesOf = (linked: (activity: ActivityEntry) => boolean) =>
    map.activities.filter(linked).map((activity) => activity.name);

  const addNode = (id: string, kind: MapNodeKind, label: string) => {
    if (!nodes.has(id)) nodes.set(id, { id, kind, label, column: 0 });
  };
  const addFlow = (
    from: string,
    to: string,
    categories: readonly string[],
    activities: readonly string[],
  ) => {
    const id = `${from}->${to}`;
    const existing = flows.get(id);
    flows.set(id, {
      id,
      from,
      to,
      categories: union(existing?.categories ?? [], categories),
      activities: union(existing?.activities ?? [], activities),
    });
  };
  const keptIn = (id: string, countries: readonly string[]) => {
    for (const country of countries) {
      addNode(`country:${country}`, 'country', countryName(country));
      addFlow(id, `country:${country}`, [], []);
    }
  };

  addNode(custosId, 'custos', map.systems.find((system) => system.origin === 'custos')?.name ?? 'Custos');
  for (const system of map.systems) {
    if (system.origin === 'custos') keptIn(custosId, system.locations);
    if (system.origin === 'collection') {
      const name = system.id.replace(/^collection:/, '');
      addNode(system.id, 'collection', system.name);
      addFlow(
        system.id,
        custosId,
        system.dataCategories,
        activitiesOf((a) => a.collectionNames.includes(name)),
      );
    }
    if (system.origin !== 'registered') continue;
    const serving = activitiesOf((activity) => activity.systemIds.includes(system.id));
    addNode(system.id, 'system', system.name);
    addFlow(custosId, system.id, system.dataCategories, serving);
    keptIn(system.id, system.locations);
    const operator = system.processorId ? processorsById.get(system.processorId) : undefined;
    if (operator) {
      addNode(operator.id, 'processor', operator.name);
      addFlow(system.id, operator.id, system.dataCategories, serving);
    }
  }
  for (const processor of map.processors) {
    addNode(processor.id, 'processor', processor.name);
    keptIn(processor.id, [processor.country]);
    const parent = processor.parentId ? processorsById.get(processor.parentId) : undefined;
    if (parent) addFlow(parent.id, processor.id, [], []);
  }
  for (const activity of map.activities) {
    const categories = activityCategories(activity, systemsById);
    for (const processorId of activity.processorIds) {
      if (processorsById.has(processorId)) addFlow(custosId, processorId, categories, [activity.name]);
    }
  }
  passOnToSubProcessors(map, flows);

  const graph = { nodes: [...nodes.values()], flows: [...flows.values()] };
  layer(graph.nodes, graph.flows);
  return graph;
}

export const nodeKindLabels: Record<MapNodeKind, string> = {
  collection: 'Collection',
  custos: 'Custos',
  system: 'System',
  processor: 'Processor',
  country: 'Country',
};
