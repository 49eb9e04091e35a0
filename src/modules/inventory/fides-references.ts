/**
 * The checks of a manifest that look across resources: duplicate keys and names, and every reference to a
 * system, dataset, processor, purpose, collection or measure. They read the raw value defensively (a part
 * of the wrong shape is simply skipped: the schema reports it), so that a manifest with both kinds of
 * problem gets both reported in one answer.
 */
import { AppError, type FieldError } from '../../lib/app-error.js';
import type { DataMap } from './inventory-model.js';

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  value !== null && typeof value === 'object' && !Array.isArray(value);
const recordsAt = (value: unknown, key: string): [Raw, number][] => {
  const list = isRecord(value) ? value[key] : undefined;
  return Array.isArray(list)
    ? list.flatMap((item, i) => (isRecord(item) ? [[item, i] as [Raw, number]] : []))
    : [];
};
const stringsAt = (value: Raw, key: string): [string, number][] => {
  const list = value[key];
  return Array.isArray(list)
    ? list.flatMap((item, i) => (typeof item === 'string' ? [[item, i] as [string, number]] : []))
    : [];
};
const textAt = (value: Raw, key: string) =>
  typeof value[key] === 'string' ? (value[key] as string) : undefined;
const error = (path: string, message: string): FieldError => ({ in: 'body', path, message });

/** The one answer to a manifest with problems: every one of them, and nothing imported. */
export function refuse(errors: FieldError[]): AppError {
  const count = `${errors.length} ${errors.length === 1 ? 'problem' : 'problems'}`;
  return new AppError('validation_failed', `The manifest has ${count}; nothing was imported.`, { errors });
}

/** Errors for each value seen before at another position, named at its second and later positions. */
function duplicates(entries: [string | undefined, string][], noun: string): FieldError[] {
  const seen = new Set<string>();
  return entries.flatMap(([value, path]) => {
    if (value === undefined) return [];
    if (seen.has(value)) return [error(path, `repeats the ${noun} of an earlier entry`)];
    seen.add(value);
    return [];
  });
}

/** Errors for each reference (by position) that names nothing in `known`. */
function unknownIn(refs: [string, string][], known: Set<string>, message: string): FieldError[] {
  return refs.filter(([ref]) => !known.has(ref)).map(([, path]) => error(path, message));
}

function systemErrors(manifest: Raw, datasetKeys: Set<string>, processorKeys: Set<string>): FieldError[] {
  const systems = recordsAt(manifest, 'system');
  const systemKeys = new Set(systems.flatMap(([system]) => textAt(system, 'fides_key') ?? []));
  const errors = [
    ...duplicates(
      systems.map(([s, i]) => [textAt(s, 'fides_key'), `system.${i}.fides_key`]),
      'fides_key',
    ),
    ...duplicates(
      systems.map(([s, i]) => [textAt(s, 'name') ?? textAt(s, 'fides_key'), `system.${i}.name`]),
      'name',
    ),
  ];
  for (const [system, i] of systems) {
    const at = `system.${i}`;
    const flowKeys: Record<string, Set<string>> = {};
    for (const direction of ['egress', 'ingress']) {
      const flows = recordsAt(system, direction);
      flowKeys[direction] = new Set(flows.flatMap(([flow]) => textAt(flow, 'fides_key') ?? []));
      for (const [flow, j] of flows) {
        const key = textAt(flow, 'fides_key');
        const type = textAt(flow, 'type');
        const known = type === 'system' ? systemKeys : type === 'dataset' ? datasetKeys : undefined;
        if (key !== undefined && known && !known.has(key)) {
          errors.push(error(`${at}.${direction}.${j}.fides_key`, `names no ${type} of this manifest`));
        }
        if (key !== undefined && (key === 'user') !== (type === 'user')) {
          errors.push(
            error(`${at}.${direction}.${j}.type`, "must be 'user' exactly when fides_key is 'user'"),
          );
        }
      }
    }
    errors.push(
      ...unknownIn(
        stringsAt(system, 'dataset_references').map(([key, j]) => [key, `${at}.dataset_references.${j}`]),
        datasetKeys,
        'names no dataset of this manifest',
      ),
    );
    const meta = isRecord(system.meta) && isRecord(system.meta.custos) ? system.meta.custos : undefined;
    const processor = meta ? textAt(meta, 'processor') : undefined;
    if (processor !== undefined && !processorKeys.has(processor)) {
      errors.push(error(`${at}.meta.custos.processor`, 'names no processor of the custos block'));
    }
    for (const [declaration, j] of recordsAt(system, 'privacy_declarations')) {
      const dat = `${at}.privacy_declarations.${j}`;
      errors.push(
        ...unknownIn(
          stringsAt(declaration, 'dataset_references').map(([key, k]) => [
            key,
            `${dat}.dataset_references.${k}`,
          ]),
          datasetKeys,
          'names no dataset of this manifest',
        ),
      );
      for (const direction of ['egress', 'ingress']) {
        errors.push(
          ...unknownIn(
            stringsAt(declaration, direction).map(([key, k]) => [key, `${dat}.${direction}.${k}`]),
            flowKeys[direction] ?? new Set(),
            `names no ${direction} data flow of its system`,
          ),
        );
      }
    }
  }
  return errors;
}

/** The first processor (by position) whose parent chain comes back to itself. */
function cycleErrors(processors: [Raw, number][]): FieldError[] {
  const parentOf = new Map(
    processors.flatMap(([p]) => {
      const key = textAt(p, 'fides_key');
      return key ? [[key, textAt(p, 'parent')] as const] : [];
    }),
  );
  return processors.flatMap(([p, i]) => {
    const start = textAt(p, 'fides_key');
    const seen = new Set<string>();
    for (let at = start; at !== undefined; at = parentOf.get(at)) {
      if (seen.has(at)) {
        return at === start
          ? [error(`custos.processors.${i}.parent`, 'makes a chain of processors that loops')]
          : [];
      }
      seen.add(at);
    }
    return [];
  });
}

function custosBlockErrors(manifest: Raw, map: DataMap, registeredSystemKeys: Set<string>): FieldError[] {
  const block = isRecord(manifest.custos) ? manifest.custos : {};
  const processors = recordsAt(block, 'processors');
  const processorKeys = new Set(processors.flatMap(([p]) => textAt(p, 'fides_key') ?? []));
  const purposes = new Set(map.purposes.map((purpose) => purpose.key));
  const collections = new Set(map.systems.filter((s) => s.origin === 'collection').map((s) => s.name));
  const measures = new Set(map.measures.map((measure) => measure.name));
  const errors = [
    ...duplicates(
      processors.map(([p, i]) => [textAt(p, 'fides_key'), `custos.processors.${i}.fides_key`]),
      'fides_key',
    ),
    ...duplicates(
      processors.map(([p, i]) => [textAt(p, 'name'), `custos.processors.${i}.name`]),
      'name',
    ),
    ...cycleErrors(processors),
  ];
  for (const [processor, i] of processors) {
    const parent = textAt(processor, 'parent');
    if (parent !== undefined && !processorKeys.has(parent)) {
      errors.push(error(`custos.processors.${i}.parent`, 'names no processor of the custos block'));
    }
  }
  const activities = recordsAt(block, 'activities');
  errors.push(
    ...duplicates(
      activities.map(([a, i]) => [textAt(a, 'name'), `custos.activities.${i}.name`]),
      'name',
    ),
  );
  const checks: [string, Set<string>, string][] = [
    ['systems', registeredSystemKeys, 'names no registered system of this manifest'],
    ['processors', processorKeys, 'names no processor of the custos block'],
    ['purposes', purposes, 'names no consent purpose'],
    ['collections', collections, 'names no vault collection'],
    ['measures', measures, 'names no security measure of the register'],
  ];
  for (const [activity, i] of activities) {
    for (const [key, known, message] of checks) {
      errors.push(
        ...unknownIn(
          stringsAt(activity, key).map(([ref, j]) => [ref, `custos.activities.${i}.${key}.${j}`]),
          known,
          message,
        ),
      );
    }
  }
  return errors;
}

/** Keys of the systems an import may link activities to: every system but Custos and its collections. */
function registeredSystemKeysOf(manifest: Raw): Set<string> {
  return new Set(
    recordsAt(manifest, 'system').flatMap(([system]) => {
      const meta = isRecord(system.meta) && isRecord(system.meta.custos) ? system.meta.custos : {};
      const derived = meta.origin === 'custos' || meta.origin === 'collection';
      return derived ? [] : (textAt(system, 'fides_key') ?? []);
    }),
  );
}

/** Every cross-resource problem of a manifest (a raw, not yet validated value). */
export function referenceErrorsOf(manifest: unknown, map: DataMap): FieldError[] {
  if (!isRecord(manifest)) return [];
  const datasets = recordsAt(manifest, 'dataset');
  const datasetKeys = new Set(datasets.flatMap(([d]) => textAt(d, 'fides_key') ?? []));
  const block = isRecord(manifest.custos) ? manifest.custos : {};
  const processorKeys = new Set(
    recordsAt(block, 'processors').flatMap(([p]) => textAt(p, 'fides_key') ?? []),
  );
  return [
    ...duplicates(
      datasets.map(([d, i]) => [textAt(d, 'fides_key'), `dataset.${i}.fides_key`]),
      'fides_key',
    ),
    ...systemErrors(manifest, datasetKeys, processorKeys),
    ...custosBlockErrors(manifest, map, registeredSystemKeysOf(manifest)),
  ];
}
