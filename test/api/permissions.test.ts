import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import type { LightMyRequestResponse } from 'fastify';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAccessDeclarations } from '../../src/http/route-access.js';
import { type Role, rolePermissions, roles } from '../../src/modules/access/permissions.js';
import { permissionsMarkdown } from '../../src/modules/access/permissions-doc.js';
import { actAs } from '../helpers/auth.js';
import {
  type ExampleRequest,
  exampleRequest,
  type OpenApiDocument,
  openApiPathOf,
} from '../helpers/example-request.js';
import { createOperator } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(4);

type Principal = { kind: 'operator' | 'api_key'; role: Role };

/** Every operator role with a session, and an API key holding everything an API key can hold. */
const principals: Principal[] = (Object.keys(roles) as Role[]).map((role) =>
  role === 'service' ? { kind: 'api_key', role } : { kind: 'operator', role },
);

/** What the matrix says a principal gets on a route of the given access. */
function expectedFor(principal: Principal, access: string): boolean {
  if (access === 'public') return true;
  if (access === 'authenticated') return true;
  if (access === 'session' || access === 'operator') return principal.kind === 'operator';
  if (access === 'subject') return false;
  return (rolePermissions[principal.role] as readonly string[]).includes(access);
}

/**
 * Whether an answer is a refusal of access: 401 or 403 with one of the access codes and no business
 * `reason` (a wrong current password is a 401 with reason `invalid_credentials`, and passed the access
 * check). A 403 from a handler that refuses a kind of caller its route declares allowed counts as a
 * refusal, so such a route fails this test.
 */
function problemOf(response: LightMyRequestResponse): { code?: string; reason?: string; detail?: string } {
  return String(response.headers['content-type']).startsWith('application/problem+json')
    ? response.json()
    : {};
}

function refused(response: LightMyRequestResponse): boolean {
  if (response.statusCode !== 401 && response.statusCode !== 403) return false;
  const body = problemOf(response);
  return ['forbidden', 'unauthenticated', 'mfa_required'].includes(body.code ?? '') && !body.reason;
}

type Body = Record<string, unknown> & { fields?: Record<string, unknown>[] };

/**
 * What the generator cannot know from a schema: values checked by refinements (taxonomy keys, key
 * formats) and bodies that are not JSON. A route whose generated request its schema refuses needs an
 * entry here; the valid-example test fails until it has one.
 */
const fixes: Record<string, (example: ExampleRequest) => ExampleRequest> = {
  'POST /v1/collections': (example) => withCategory(example),
  'PUT /v1/collections/:name': (example) => withCategory(example),
  'POST /v1/consent/purposes': (example) => withDataUse(example),
  'PUT /v1/consent/purposes/:key': (example) => withDataUse(example),
  'POST /v1/requests/:id/rectification': (example) => ({
    ...example,
    payload: { corrections: [{ recordId: faker.string.uuid(), fields: { email: 'x@example.com' } }] },
  }),
  'POST /v1/drp/agents': (example) => ({
    ...example,
    payload: { ...(example.payload as Body), verifyKey: Buffer.alloc(32, 7).toString('base64') },
  }),
  'POST /v1/collections/:name/import': (example) => ndjson(example, { subjectId: faker.string.uuid() }),
  'POST /v1/consent/filter': (example) => ndjson(example, faker.string.uuid()),
  'POST /v1/inventory/fides': (example) => ({
    ...example,
    query: { dryRun: 'true' },
    payload: 'system: []\n',
    headers: { 'content-type': 'application/yaml' },
  }),
};

function withCategory(example: ExampleRequest): ExampleRequest {
  const body = example.payload as Body;
  const fields = (body.fields ?? []).map((field) => ({ ...field, category: 'user.contact.email' }));
  return { ...example, payload: { ...body, fields } };
}

function withDataUse(example: ExampleRequest): ExampleRequest {
  return {
    ...example,
    payload: { ...(example.payload as Body), dataUses: ['marketing.communications.email'] },
  };
}

function ndjson(example: ExampleRequest, line: unknown): ExampleRequest {
  return {
    ...example,
    payload: `${JSON.stringify(line)}\n`,
    headers: { 'content-type': 'application/x-ndjson' },
  };
}

/** A request valid against the route's schema: generated from /openapi.json, fixed where listed. */
function validRequest(doc: OpenApiDocument, route: { method: string; url: string }): ExampleRequest {
  const generated = exampleRequest(doc, route.method, route.url);
  return fixes[`${route.method} ${route.url}`]?.(generated) ?? generated;
}

async function send(t: TestApp, route: { method: string }, example: ExampleRequest, headers: object) {
  return t.app.inject({
    method: route.method as 'GET',
    url: example.url,
    query: example.query,
    headers: { ...headers, ...example.headers },
    ...(example.payload === undefined ? {} : { payload: example.payload as object }),
  });
}

/** Schema rejections: what an invalid example request would get before the handler runs. */
function rejectedBySchema(response: LightMyRequestResponse): boolean {
  const body = problemOf(response);
  if (['empty_body', 'malformed_json', 'unsupported_media_type'].includes(body.code ?? '')) return true;
  return response.statusCode === 400 && /invalid in the request/.test(body.detail ?? '');
}

describe('the permission matrix', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('declares access on every route; a route without one stops the server', async () => {
    expect(t.app.routeAccessTable.length).toBeGreaterThan(10);
    for (const entry of t.app.routeAccessTable)
      expect(entry.access, `${entry.method} ${entry.url}`).toBeTruthy();
    const bare = Fastify();
    requireAccessDeclarations(bare);
    expect(() => bare.get('/undeclared', async () => 'x')).toThrow(/declares no access/);
  });

  async function openApi(): Promise<OpenApiDocument> {
    return (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
  }

  const matrixRoutes = () =>
    t.app.routeAccessTable.filter((route) => route.access !== 'public' && route.method !== 'HEAD');

  it('has a valid example request for every route it checks, so access is decided on a valid request', async () => {
    const doc = await openApi();
    const invalid: string[] = [];
    for (const route of matrixRoutes().filter((r) => r.access !== 'subject')) {
      const response = await send(t, route, validRequest(doc, route), await actAs(t, 'admin'));
      if (rejectedBySchema(response)) invalid.push(`${route.method} ${route.url}: ${response.body}`);
    }
    expect(invalid).toEqual([]);
  }, 120_000);

  // One test per role: each walks every route, so each has its own time budget as routes are added.
  it.each(principals)(
    'gives the $role role, as an $kind, exactly what the matrix says on every route',
    async (principal) => {
      const doc = await openApi();
      const mismatches: string[] = [];
      for (const route of matrixRoutes()) {
        const response = await send(t, route, validRequest(doc, route), await actAs(t, principal.role));
        const allowed = !refused(response);
        const expected = expectedFor(principal, route.access);
        if (allowed !== expected) {
          mismatches.push(
            `${principal.kind} ${principal.role} ${route.method} ${route.url} (${route.access}): got ${response.statusCode} ${response.body.slice(0, 120)}`,
          );
        }
        if (!expected && !allowed)
          expect(response.json().permission, `${principal.role} ${route.method} ${route.url}`).toBe(
            route.access,
          );
      }
      expect(mismatches).toEqual([]);
    },
    120_000,
  );

  it('names every route’s access in /openapi.json: x-custos-permission and a line in the description', async () => {
    const doc = await openApi();
    const problems: string[] = [];
    for (const route of t.app.routeAccessTable.filter((r) => r.method !== 'HEAD')) {
      const operation = doc.paths[openApiPathOf(route.url)]?.[route.method.toLowerCase()];
      if (!operation) {
        // Only public pages (the web apps, the docs UI) stay out of the API document.
        if (route.access !== 'public') problems.push(`${route.method} ${route.url} is not documented`);
        continue;
      }
      if (operation['x-custos-permission'] !== route.access)
        problems.push(
          `${route.method} ${route.url}: x-custos-permission ${operation['x-custos-permission']}`,
        );
      if (!operation.description?.includes(`\`${route.access}\``))
        problems.push(`${route.method} ${route.url}: description does not name ${route.access}`);
    }
    expect(problems).toEqual([]);
  });

  it('keeps docs/PERMISSIONS.md in step with the matrix', async () => {
    const onDisk = await readFile(new URL('../../docs/PERMISSIONS.md', import.meta.url), 'utf8');
    expect(onDisk, 'run `npm run custos -- permissions --markdown > docs/PERMISSIONS.md`').toBe(
      permissionsMarkdown(),
    );
  });
});

const allRoles = Object.keys(roles) as Role[];

/**
 * Whether `grantor` may give `granted`, worked out from the matrix alone: it needs operators.manage, every
 * permission of the granted role, and for `admin` a session that passed MFA.
 */
function mayGrant(grantor: Role, granted: Role, mfaVerified: boolean): boolean {
  return (
    rolePermissions[grantor].includes('operators.manage') &&
    covers(grantor, granted) &&
    (granted !== 'admin' || (grantor !== 'service' && mfaVerified))
  );
}

function covers(grantor: Role, other: Role): boolean {
  return rolePermissions[other].every((permission) => rolePermissions[grantor].includes(permission));
}

/**
 * Whom the role change starts from: an operator the grantor may manage who does not hold the granted role
 * yet (the grantor's own role, or another it covers), so only the granted role decides.
 */
function startingRoleFor(grantor: Role, granted: Role): Role {
  if (grantor !== granted) return grantor === 'service' ? 'auditor' : grantor;
  return allRoles.find((role) => role !== granted && covers(grantor, role)) ?? grantor;
}

describe('granting roles', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  const grantors = [
    ...allRoles.map((role) => ({ role, mfaVerified: true })),
    { role: 'admin' as Role, mfaVerified: false },
  ];

  it('lets every role grant exactly the roles whose permissions it holds, by invitation and by role change', async () => {
    const mismatches: string[] = [];
    for (const { role, mfaVerified } of grantors) {
      const headers = await actAs(t, role, { mfaVerified });
      for (const granted of allRoles) {
        const expected = mayGrant(role, granted, mfaVerified);
        const invited = await t.app.inject({
          method: 'POST',
          url: '/v1/operators',
          headers,
          payload: { email: faker.internet.email().toLowerCase(), displayName: 'Invitee', roles: [granted] },
        });
        const target = await createOperator(t, { roles: [startingRoleFor(role, granted)] });
        const changed = await t.app.inject({
          method: 'PATCH',
          url: `/v1/operators/${target.id}`,
          headers,
          payload: { roles: [...new Set([...target.roles, granted])] },
        });
        for (const [path, response, success] of [
          ['invite', invited, 201],
          ['role change', changed, 200],
        ] as const) {
          const got = response.statusCode === success;
          if (got !== expected || (!expected && response.statusCode !== 403))
            mismatches.push(
              `${role}${mfaVerified ? '' : ' (no MFA)'} ${path} ${granted}: got ${response.statusCode}`,
            );
        }
      }
    }
    expect(mismatches).toEqual([]);
  });
});
