import { readFile } from 'node:fs/promises';
import { faker } from '@faker-js/faker';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireAccessDeclarations } from '../../src/http/route-access.js';
import { type Role, rolePermissions, roles } from '../../src/modules/access/permissions.js';
import { permissionsMarkdown } from '../../src/modules/access/permissions-doc.js';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(4);

/** A concrete URL for a route pattern: every path parameter becomes a fresh UUID. */
function concrete(url: string): string {
  return url.replaceAll(/:[A-Za-z]+/g, () => faker.string.uuid());
}

function expectedFor(role: Role, access: string): boolean {
  if (access === 'public' || access === 'authenticated') return true;
  if (access === 'session') return role !== 'service';
  return (rolePermissions[role] as readonly string[]).includes(access);
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

  it('gives every role exactly what the matrix says on every route', async () => {
    const routes = t.app.routeAccessTable.filter(
      (route) => route.access !== 'public' && route.method !== 'HEAD',
    );
    const mismatches: string[] = [];
    for (const role of Object.keys(roles) as Role[]) {
      for (const route of routes) {
        const headers = await actAs(t, role);
        const response = await t.app.inject({
          method: route.method as 'GET',
          url: concrete(route.url),
          headers,
          ...(route.method === 'GET' || route.method === 'DELETE' ? {} : { payload: {} }),
        });
        const allowed = response.statusCode !== 403 && response.statusCode !== 401;
        const expected = expectedFor(role, route.access);
        if (allowed !== expected) {
          mismatches.push(
            `${role} ${route.method} ${route.url} (${route.access}): got ${response.statusCode}`,
          );
        }
        if (!expected) expect(response.json().code, `${role} ${route.method} ${route.url}`).toBe('forbidden');
      }
    }
    expect(mismatches).toEqual([]);
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
