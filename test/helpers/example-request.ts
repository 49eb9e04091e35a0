import { faker } from '@faker-js/faker';

/** The parts of an OpenAPI 3.1 document this helper reads. */
export type OpenApiDocument = {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
};
export type OpenApiOperation = {
  description?: string;
  'x-custos-permission'?: string;
  parameters?: { in: string; name: string; required?: boolean; schema: JsonSchema }[];
  requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
};
type JsonSchema = Record<string, unknown>;

/** A request that satisfies a route's schemas: concrete path, query string and body. */
export type ExampleRequest = {
  url: string;
  query: Record<string, string>;
  payload: unknown;
  headers?: Record<string, string>;
};

/** Candidate values for strings with a pattern and no format; the first that matches is used. */
const patternCandidates = ['example', '123456', 'f'.repeat(64), 'example.purpose', 'ex_1'];

function resolve(schema: JsonSchema, doc: OpenApiDocument): JsonSchema {
  const ref = schema.$ref;
  if (typeof ref !== 'string') return schema;
  const name = ref.replace('#/components/schemas/', '');
  const target = doc.components?.schemas?.[name];
  if (!target) throw new Error(`unresolved ${ref}`);
  return resolve(target, doc);
}

function stringExample(schema: JsonSchema): string {
  const formatted: Record<string, () => string> = {
    email: () => faker.internet.email().toLowerCase(),
    uuid: () => faker.string.uuid(),
    'date-time': () => new Date(Date.now() + 86_400_000).toISOString(),
    date: () => '2026-01-15',
    uri: () => 'https://example.com/hook',
    ipv4: () => '192.0.2.1',
    ipv6: () => '2001:db8::1',
  };
  const format = typeof schema.format === 'string' ? formatted[schema.format] : undefined;
  if (format) return format();
  const minLength = typeof schema.minLength === 'number' ? schema.minLength : 1;
  const maxLength = typeof schema.maxLength === 'number' ? schema.maxLength : 1_000;
  const fits = (value: string) =>
    value.length >= minLength &&
    value.length <= maxLength &&
    (typeof schema.pattern !== 'string' || new RegExp(schema.pattern, 'u').test(value));
  const padded = 'example'.padEnd(minLength, 'x');
  return [padded, ...patternCandidates].find(fits) ?? padded;
}

function numberExample(schema: JsonSchema): number {
  const minimum =
    typeof schema.minimum === 'number'
      ? schema.minimum
      : typeof schema.exclusiveMinimum === 'number'
        ? schema.exclusiveMinimum + 1
        : 1;
  return typeof schema.maximum === 'number' ? Math.min(minimum, schema.maximum) : minimum;
}

function objectExample(schema: JsonSchema, doc: OpenApiDocument): Record<string, unknown> {
  const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
  const required = Array.isArray(schema.required) ? (schema.required as string[]) : [];
  // With nothing required (a PATCH), send the first field: "change something" is the valid request.
  const names = required.length > 0 ? required : Object.keys(properties).slice(0, 1);
  return Object.fromEntries(names.map((name) => [name, exampleOf(properties[name] ?? {}, doc)]));
}

/** A value valid against a JSON Schema (as the OpenAPI document gives it): required fields only. */
export function exampleOf(raw: JsonSchema, doc: OpenApiDocument): unknown {
  const schema = resolve(raw, doc);
  if ('const' in schema) return schema.const;
  if (Array.isArray(schema.enum)) return schema.enum[0];
  if ('default' in schema && schema.default !== undefined) return schema.default;
  for (const key of ['anyOf', 'oneOf'] as const) {
    const options = schema[key];
    if (Array.isArray(options)) {
      const usable = (options as JsonSchema[]).find((option) => resolve(option, doc).type !== 'null');
      return exampleOf(usable ?? {}, doc);
    }
  }
  if (Array.isArray(schema.allOf)) {
    return Object.assign({}, ...(schema.allOf as JsonSchema[]).map((part) => exampleOf(part, doc)));
  }
  const type = Array.isArray(schema.type) ? schema.type.find((t) => t !== 'null') : schema.type;
  switch (type) {
    case 'string':
      return stringExample(schema);
    case 'integer':
    case 'number':
      return numberExample(schema);
    case 'boolean':
      return true;
    case 'array': {
      const count = Math.max(1, typeof schema.minItems === 'number' ? schema.minItems : 1);
      return Array.from({ length: count }, () => exampleOf((schema.items ?? {}) as JsonSchema, doc));
    }
    case 'object':
      return objectExample(schema, doc);
    default:
      return schema.properties ? objectExample(schema, doc) : {};
  }
}

/** The OpenAPI path of a Fastify route pattern: `/v1/operators/:id` is `/v1/operators/{id}`. */
export function openApiPathOf(url: string): string {
  return url.replaceAll(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** A request valid against the route's documented parameters and body (JSON). */
export function exampleRequest(doc: OpenApiDocument, method: string, url: string): ExampleRequest {
  const operation = doc.paths[openApiPathOf(url)]?.[method.toLowerCase()];
  if (!operation) throw new Error(`${method} ${url} is not in the OpenAPI document`);
  const parameters = operation.parameters ?? [];
  const pathValue = (name: string) => {
    const parameter = parameters.find((p) => p.in === 'path' && p.name === name);
    return String(parameter ? exampleOf(parameter.schema, doc) : faker.string.uuid());
  };
  const concrete = url.replaceAll(/:([A-Za-z0-9_]+)/g, (_match, name: string) =>
    encodeURIComponent(pathValue(name)),
  );
  const query = Object.fromEntries(
    parameters
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => [p.name, String(exampleOf(p.schema, doc))]),
  );
  const bodySchema = operation.requestBody?.content?.['application/json']?.schema;
  return { url: concrete, query, payload: bodySchema ? exampleOf(bodySchema, doc) : undefined };
}
