import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Operation = { requestBody?: { required?: boolean } };

/** Whether an answer is a complaint about the body (it was missing or empty), not about anything else. */
function refusesTheBody(response: { statusCode: number; json(): unknown }): boolean {
  if (response.statusCode !== 400) return false;
  const problem = response.json() as { code?: string; errors?: { in: string }[] };
  return problem.code === 'empty_body' || (problem.errors ?? []).some((error) => error.in === 'body');
}

describe('routes whose body is optional', () => {
  let t: TestApp;
  let admin: AuthHeaders;
  let optional: { method: string; url: string }[];

  beforeAll(async () => {
    t = await createTestApp();
    admin = await actAs(t, 'admin');
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
      paths: Record<string, Record<string, Operation>>;
    };
    optional = Object.entries(document.paths).flatMap(([path, operations]) =>
      Object.entries(operations)
        .filter(([, operation]) => operation.requestBody && operation.requestBody.required !== true)
        .map(([method, _]) => ({
          method: method.toUpperCase(),
          url: path.replace(/\{[^}]+\}/g, () => randomUUID()),
        })),
    );
  });
  afterAll(() => t.close());

  it('include the erasure of a request', () => {
    expect(optional.map((route) => route.url)).toContainEqual(
      expect.stringMatching(/^\/v1\/requests\/[0-9a-f-]{36}\/erasure$/),
    );
  });

  it('take no body, an empty body labelled JSON, and an empty JSON object alike', async () => {
    for (const route of optional) {
      const method = route.method as 'POST';
      for (const variant of [
        {},
        { headers: { 'content-type': 'application/json' }, payload: '' },
        { headers: { 'content-type': 'application/json' }, payload: '{}' },
      ]) {
        const response = await t.app.inject({
          method,
          url: route.url,
          ...variant,
          headers: { ...admin, ...variant.headers },
        });
        expect(refusesTheBody(response), `${method} ${route.url}: ${response.body}`).toBe(false);
        expect(response.statusCode, `${method} ${route.url}`).toBeLessThan(500);
      }
    }
  });
});
