/**
 * Reading a fideslang manifest (YAML or JSON) into an import plan. Everything wrong with a manifest is
 * found before anything is planned, and reported at once as one `validation_failed` problem naming every
 * bad path (`system.2.privacy_declarations.0.data_categories.1`), never a submitted value: shape and
 * unknown keys, taxonomy keys, country codes, duplicate keys and names, references to systems, datasets,
 * processors, purposes, collections or measures that do not exist, and processor chains that loop.
 */
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { AppError, type FieldError } from '../../lib/app-error.js';
import { unstorableStringPaths, unstorableTextMessage } from '../../lib/storable-text.js';
import { type Manifest, manifestLimits, ZManifest } from './fides-manifest-schema.js';
import { type ManifestWarning, planFromManifest } from './fides-plan.js';
import { referenceErrorsOf, refuse } from './fides-references.js';
import type { DataMap, InventoryImport } from './inventory-model.js';

export const manifestMediaTypes = {
  json: ['application/json'],
  yaml: ['application/yaml', 'application/x-yaml', 'text/yaml', 'text/x-yaml'],
} as const;

export type ParsedManifest = { plan: InventoryImport; warnings: ManifestWarning[] };

const bodyError = (path: string, message: string): FieldError => ({ in: 'body', path, message });

function formatOf(contentType: string): 'json' | 'yaml' {
  const type = contentType.split(';')[0]?.trim().toLowerCase() ?? '';
  if ((manifestMediaTypes.json as readonly string[]).includes(type)) return 'json';
  if ((manifestMediaTypes.yaml as readonly string[]).includes(type)) return 'yaml';
  throw new AppError(
    'unsupported_media_type',
    `Send the manifest as ${[...manifestMediaTypes.yaml, ...manifestMediaTypes.json].join(', ')}.`,
  );
}

/** The text as a value; a syntax error names its line, never the text around it. */
function decode(text: string, format: 'json' | 'yaml'): unknown {
  try {
    if (format === 'json') return JSON.parse(text);
    // Aliases are few in real manifests; a bound keeps a "billion laughs" document from expanding.
    return parseYaml(text, { maxAliasCount: 100, uniqueKeys: true, prettyErrors: false });
  } catch (error) {
    const line = (error as { linePos?: { line: number }[] }).linePos?.[0]?.line;
    const where = line ? ` (line ${line})` : '';
    throw refuse([bodyError('(root)', `is not valid ${format.toUpperCase()}${where}`)]);
  }
}

/** How deeply the value nests, counted without recursion so that no depth can overflow the stack. */
function depthOf(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [item, depth] = pending.pop() as [unknown, number];
    deepest = Math.max(deepest, depth);
    if (item !== null && typeof item === 'object') {
      for (const child of Object.values(item)) pending.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** Zod's issues as field errors, one per unknown key. */
function shapeErrorsOf(issues: z.core.$ZodIssue[]): FieldError[] {
  return issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => bodyError(path ? `${path}.${key}` : key, 'is not a known field'));
    }
    return [bodyError(path || '(root)', issue.message)];
  });
}

/** The manifest's value checked in full: every problem, or the typed manifest. */
function validated(value: unknown, map: DataMap): Manifest {
  // Datasets nest fields within fields (8 deep at most); the rest of a manifest is far shallower.
  if (depthOf(value) > manifestLimits.fieldDepth * 2 + 8) {
    throw refuse([bodyError('(root)', 'nests deeper than a manifest can')]);
  }
  const unstorable = unstorableStringPaths(value).map((path) => bodyError(path, unstorableTextMessage));
  const shape = ZManifest.safeParse(value);
  const errors = [
    ...unstorable,
    ...(shape.success ? [] : shapeErrorsOf(shape.error.issues)),
    ...referenceErrorsOf(value, map),
  ];
  if (errors.length > 0 || !shape.success) throw refuse(errors);
  return shape.data;
}

/**
 * A fideslang manifest as an import plan against the current map (whose purposes, collections and
 * measures it may name), with what the plan could not carry as warnings. Pure; throws a `validation_failed`
 * AppError listing every bad path, or `unsupported_media_type`.
 */
export function parseManifest(text: string, contentType: string, map: DataMap): ParsedManifest {
  const format = formatOf(contentType);
  if (Buffer.byteLength(text, 'utf8') > manifestLimits.bytes) {
    throw new AppError('body_too_large', `Manifests are limited to ${manifestLimits.bytes} bytes.`);
  }
  if (text.trim() === '') throw refuse([bodyError('(root)', 'is empty')]);
  // Editors on some systems begin files with a byte order mark; JSON.parse would refuse it.
  const value = decode(text.replace(/^\uFEFF/, ''), format);
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw refuse([bodyError('(root)', 'must be a mapping of resource kinds (system, dataset, …)')]);
  }
  return planFromManifest(validated(value, map), map);
}
