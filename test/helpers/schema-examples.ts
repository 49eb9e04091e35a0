import { randomUUID } from 'node:crypto';

/** A JSON schema as /openapi.json carries it (OpenAPI 3.1: JSON Schema 2020-12 with `$ref`s). */
export type JsonSchema = {
  $ref?: string;
  type?: string | string[];
  format?: string;
  pattern?: string;
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  additionalProperties?: boolean | JsonSchema;
};

export type OpenApiDocument = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};

export type OpenApiOperation = {
  parameters?: { in: string; name: string; required?: boolean; schema?: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};

/** A string path into a value: property names and array indexes. */
export type ValuePath = (string | number)[];

const stringCandidates = [
  'example',
  'example_name',
  'a',
  '123456',
  '123-456',
  'a.b',
  'example.org',
  'person@example.org',
  '2026-01-01T00:00:00.000Z',
];

function exampleString(schema: JsonSchema): string {
  switch (schema.format) {
    case 'uuid':
      return randomUUID();
    case 'email':
      return 'person@example.org';
    case 'date-time':
      return '2026-01-01T00:00:00.000Z';
    case 'uri':
      return 'https://example.org/path';
  }
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Number.POSITIVE_INFINITY;
  const pattern = schema.pattern ? new RegExp(schema.pattern) : null;
  const fits = (text: string) => text.length >= min && text.length <= max && (!pattern || pattern.test(text));
  const candidate = stringCandidates.find(fits);
  if (candidate) return candidate;
  return 'x'.repeat(Math.max(min, 1));
}

/**
 * Builds, from the schemas of an OpenAPI document, a small value that fits a schema: every property
 * present (optional ones too, unless `optional: false`), the first choice of each
 * union, the first enum value, numbers at their minimum. Good enough to get past validation to whatever
 * a test wants to probe; not a general JSON Schema sampler.
 */
export function exampleFor(
  document: OpenApiDocument,
  schema: JsonSchema | undefined,
  options: { optional?: boolean } = {},
  depth = 0,
): unknown {
  if (!schema || depth > 12) return undefined;
  const next = (inner: JsonSchema | undefined) => exampleFor(document, inner, options, depth + 1);
  if (schema.$ref) return next(resolveRef(document, schema.$ref));
  if (schema.const !== undefined) return schema.const;
  if (schema.enum) return schema.enum[0];
  if (schema.default !== undefined) return schema.default;
  const choice = schema.anyOf ?? schema.oneOf;
  if (choice) {
    const nonNull = choice.find((option) => option.type !== 'null') ?? choice[0];
    return next(nonNull);
  }
  if (schema.allOf) {
    return Object.assign({}, ...schema.allOf.map(next));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return exampleString(schema);
    case 'integer':
    case 'number':
      return schema.minimum ?? (schema.exclusiveMinimum !== undefined ? schema.exclusiveMinimum + 1 : 1);
    case 'boolean':
      return false;
    case 'array':
      return Array.from({ length: Math.max(schema.minItems ?? 1, 1) }, () => next(schema.items));
    case 'null':
      return null;
    default: {
      const object: Record<string, unknown> = {};
      const required = new Set(schema.required ?? []);
      for (const [name, property] of Object.entries(schema.properties ?? {})) {
        if (options.optional !== false || required.has(name)) object[name] = next(property);
      }
      // A record (`z.record`) gets one entry, so its values are reached too.
      if (!schema.properties && typeof schema.additionalProperties === 'object') {
        object.example = next(schema.additionalProperties);
      }
      return object;
    }
  }
}

export function resolveRef(document: OpenApiDocument, ref: string): JsonSchema | undefined {
  const name = ref.replace('#/components/schemas/', '');
  return document.components?.schemas?.[name];
}

/** The paths of every string in a value (nested objects and arrays included). */
export function stringPathsOf(value: unknown, path: ValuePath = []): ValuePath[] {
  if (typeof value === 'string') return [path];
  if (Array.isArray(value)) return value.flatMap((item, index) => stringPathsOf(item, [...path, index]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([key, item]) => stringPathsOf(item, [...path, key]));
  }
  return [];
}

/** A copy of `value` with the string at `path` replaced. */
export function withStringAt(value: unknown, path: ValuePath, replacement: string): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path as [string | number, ...ValuePath];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as object) }) as Record<
    string | number,
    unknown
  >;
  copy[head] = withStringAt(copy[head], rest, replacement);
  return copy;
}

/**
 * `base` with the branch of `full` that leads to `path` grafted in where `base` lacks it: a body with
 * only its required fields, plus the optional field a test wants to reach (and what holds it).
 */
export function withBranch(base: unknown, full: unknown, path: ValuePath): unknown {
  if (path.length === 0) return base === undefined ? full : base;
  if (typeof base !== 'object' || base === null) return full;
  const [head, ...rest] = path as [string | number, ...ValuePath];
  const copy = (Array.isArray(base) ? [...base] : { ...base }) as Record<string | number, unknown>;
  const fullAt = (full as Record<string | number, unknown>)[head];
  copy[head] = head in copy ? withBranch(copy[head], fullAt, rest) : fullAt;
  return copy;
}
