import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { registerConfirmed } from '../helpers/privacy-center.js';
import {
  exampleFor,
  type JsonSchema,
  type OpenApiDocument,
  type OpenApiOperation,
  stringPathsOf,
  withBranch,
  withStringAt,
} from '../helpers/schema-examples.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1414);

/** Each probe in the forms it can take: inside JSON (escaped by JSON.stringify) and percent-encoded in a URL. */
const probes = [
  { name: 'a NUL character', text: 'a\u0000b', encoded: 'a%00b' },
  // A lone surrogate has no UTF-8 form; in a URL it can only arrive as its WTF-8/CESU-8 bytes.
  { name: 'a lone surrogate', text: 'a\uD800b', encoded: 'a%ED%A0%80b' },
];

type Probe = {
  route: string;
  where: string;
  probe: string;
  method: string;
  url: string;
  payload?: string;
  type?: string;
};

const drpRoutes = /^\/v1\/(agent|data-rights-request)\b/;

function pathWith(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\}/g, (_whole, name: string) => values[name] ?? 'x');
}

function queryOf(values: Record<string, string>): string {
  const text = Object.entries(values)
    .map(([name, value]) => `${encodeURIComponent(name)}=${value}`)
    .join('&');
  return text ? `?${text}` : '';
}

const encodedExample = (document: OpenApiDocument, schema: JsonSchema | undefined) =>
  encodeURIComponent(String(exampleFor(document, schema) ?? 'x'));

/** Every request the class test sends for one operation: one per string field and probe. */
function probesFor(
  document: OpenApiDocument,
  path: string,
  method: string,
  operation: OpenApiOperation,
): Probe[] {
  const route = `${method.toUpperCase()} ${path}`;
  const parameters = operation.parameters ?? [];
  const pathValues = Object.fromEntries(
    parameters.filter((p) => p.in === 'path').map((p) => [p.name, encodedExample(document, p.schema)]),
  );
  const requiredQuery = Object.fromEntries(
    parameters
      .filter((p) => p.in === 'query' && p.required)
      .map((p) => [p.name, encodedExample(document, p.schema)]),
  );
  const content = operation.requestBody?.content ?? {};
  const jsonSchema = content['application/json']?.schema;
  const body = jsonSchema ? exampleFor(document, jsonSchema) : undefined;
  const requiredOnly = jsonSchema ? exampleFor(document, jsonSchema, { optional: false }) : undefined;
  const validBody =
    requiredOnly === undefined ? {} : { payload: JSON.stringify(requiredOnly), type: 'application/json' };
  const base = { route, method: method.toUpperCase() };
  const found: Probe[] = [];
  for (const probe of probes) {
    for (const parameter of parameters) {
      if (parameter.in === 'path') {
        const url =
          pathWith(path, { ...pathValues, [parameter.name]: probe.encoded }) + queryOf(requiredQuery);
        found.push({ ...base, ...validBody, where: `path ${parameter.name}`, probe: probe.name, url });
      } else if (parameter.in === 'query') {
        const url =
          pathWith(path, pathValues) + queryOf({ ...requiredQuery, [parameter.name]: probe.encoded });
        found.push({ ...base, ...validBody, where: `query ${parameter.name}`, probe: probe.name, url });
      }
    }
    const url = pathWith(path, pathValues) + queryOf(requiredQuery);
    for (const stringPath of body === undefined ? [] : stringPathsOf(body)) {
      // Required fields plus the one probed, so the rest of the body is as valid as can be.
      const payload = JSON.stringify(
        withStringAt(withBranch(requiredOnly, body, stringPath), stringPath, probe.text),
      );
      const where = `body ${stringPath.join('.') || '(root)'}`;
      found.push({ ...base, where, probe: probe.name, url, payload, type: 'application/json' });
    }
    if (content['text/plain']) {
      found.push({
        ...base,
        where: 'body (text)',
        probe: probe.name,
        url,
        payload: probe.text,
        type: 'text/plain',
      });
    }
  }
  return found;
}

describe('text PostgreSQL cannot store, in every input of every route', () => {
  let t: TestApp;
  let document: OpenApiDocument;
  let operator: Record<string, string>;
  let subject: Record<string, string>;

  beforeAll(async () => {
    t = await createTestApp({ env: { CUSTOS_AUTH_RATE_LIMIT: '100000' } });
    document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    operator = await actAs(t, 'admin');
    subject = (
      await registerConfirmed(t, {
        email: faker.internet.email().toLowerCase(),
        password: 'correct horse battery staple 42',
        name: faker.person.fullName(),
      })
    ).headers;
  });
  afterAll(() => t.close());

  it('answers a NUL or a lone surrogate in any string field, query or path parameter with a 4xx problem', {
    timeout: 600_000,
  }, async () => {
    const failures: string[] = [];
    let sent = 0;
    let accessRefused = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      for (const [method, operation] of Object.entries(operations)) {
        for (const probe of probesFor(document, path, method, operation)) {
          const send = (headers: Record<string, string>) =>
            t.app.inject({
              method: probe.method as 'GET',
              url: probe.url,
              headers: { ...headers, ...(probe.type ? { 'content-type': probe.type } : {}) },
              ...(probe.payload !== undefined ? { payload: probe.payload } : {}),
            });
          sent += 1;
          let response: Awaited<ReturnType<typeof send>>;
          try {
            response = await send(operator);
            if (response.statusCode === 403 && path.startsWith('/v1/privacy/'))
              response = await send(subject);
          } catch (error) {
            failures.push(`${probe.route} ${probe.where} (${probe.probe}): ${String(error)}`);
            continue;
          }
          if (response.statusCode === 401 || response.statusCode === 403) accessRefused += 1;
          const label = `${probe.route} ${probe.where} (${probe.probe}): ${response.statusCode}`;
          if (response.statusCode < 400 || response.statusCode >= 500) {
            failures.push(`${label} ${response.body.slice(0, 120)}`);
            continue;
          }
          const type = response.headers['content-type'] ?? '';
          // DRP routes answer the protocol's error objects once routed; before routing, problem documents.
          const problem = String(type).startsWith('application/problem+json');
          const drpError =
            drpRoutes.test(path) && (response.body === '' || String(type).startsWith('application/json'));
          if (!problem && !drpError) failures.push(`${label} as ${type}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(500);
    console.log(`sent ${sent}, access refused ${accessRefused}`);
  });
});

describe('a route added later', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      // Declares no schema at all: the check does not depend on the route remembering it.
      beforeReady: (app) => {
        app.post('/test/notes/:noteId', { config: { access: 'public' } }, async () => ({ stored: true }));
      },
    });
  });
  afterAll(() => t.close());

  it('gets the same refusal without declaring anything, naming each field', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/notes/n1?tag=a%00',
      payload: { title: 'fine', body: { lines: ['ok', 'x\uD83D'] }, 'key\u0000': 1 },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.json()).toMatchObject({
      code: 'invalid_query_parameter',
      errors: [
        { in: 'querystring', path: 'tag' },
        { in: 'body', path: '(a key)' },
        { in: 'body', path: 'body.lines.1' },
      ],
    });
    const path = await t.app.inject({ method: 'POST', url: '/test/notes/%00', payload: {} });
    expect(path.json()).toMatchObject({
      code: 'invalid_path_parameter',
      errors: [{ in: 'params', path: 'noteId' }],
    });
  });
});
