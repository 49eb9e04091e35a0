import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2);

describe('HTTP conventions', () => {
  let t: TestApp;
  const { lines: logLines, stream: logStream } = captureLog();

  beforeAll(async () => {
    t = await createTestApp({
      logStream,
      // Routes that exercise the shared validation and error handling the real routes rely on.
      beforeReady: (app) => {
        app.post(
          '/test/items/:itemId',
          {
            config: { access: 'public' },
            schema: {
              params: z.object({ itemId: z.uuid() }),
              body: z.object({ name: z.string().min(1).max(50), count: z.number().int() }),
            },
          },
          async (request) => {
            request.log.info({ body: request.body }, 'received a body');
            return { ok: true };
          },
        );
        app.post(
          '/test/signup',
          {
            config: { access: 'public' },
            schema: { body: z.object({ email: z.string(), password: z.string() }) },
          },
          async (request) => {
            request.log.info({ body: request.body, headers: request.headers }, 'signup attempt');
            throw new Error('boom');
          },
        );
      },
    });
  });
  afterAll(() => t.close());

  it('answers /health and /ready', async () => {
    const health = await t.app.inject({ method: 'GET', url: '/health' });
    expect(health.statusCode).toBe(200);
    expect(health.json()).toMatchObject({ status: 'ok' });
    const ready = await t.app.inject({ method: 'GET', url: '/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({
      status: 'ready',
      checks: { database: 'ok', migrations: 'ok', notifications: 'ok' },
    });
  });

  it('publishes an OpenAPI 3.1 document listing the routes', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json();
    expect(document.openapi).toBe('3.1.0');
    expect(Object.keys(document.paths)).toEqual(expect.arrayContaining(['/health', '/ready', '/metrics']));
    const docs = await t.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
  });

  it('gives each kind of bad request its own problem code, never a 500', async () => {
    const validId = faker.string.uuid();
    const cases = [
      {
        code: 'malformed_json',
        request: {
          url: `/test/items/${validId}`,
          payload: '{"name": ',
          headers: { 'content-type': 'application/json' },
        },
      },
      {
        code: 'unsupported_media_type',
        request: {
          url: `/test/items/${validId}`,
          payload: 'name=x',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
        },
      },
      {
        code: 'body_too_large',
        request: {
          url: `/test/items/${validId}`,
          payload: JSON.stringify({ name: 'x'.repeat(2 * 1024 * 1024), count: 1 }),
          headers: { 'content-type': 'application/json' },
        },
      },
      { code: 'route_not_found', request: { url: '/no/such/route', payload: {} } },
      {
        code: 'invalid_path_parameter',
        request: { url: '/test/items/not-a-uuid', payload: { name: 'x', count: 1 } },
      },
      { code: 'validation_failed', request: { url: `/test/items/${validId}`, payload: { count: 1 } } },
    ];
    const seen = new Set<string>();
    for (const { code, request } of cases) {
      const response = await t.app.inject({ method: 'POST', ...request });
      expect(response.statusCode, code).toBeGreaterThanOrEqual(400);
      expect(response.statusCode, code).toBeLessThan(500);
      expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
      const problem = response.json();
      expect(problem).toMatchObject({
        code,
        type: `urn:custos:problem:${code}`,
        status: response.statusCode,
      });
      expect(problem.requestId).toBe(response.headers['x-request-id']);
      seen.add(problem.code);
    }
    expect(seen.size).toBe(cases.length);
  });

  it('lists each bad field without echoing its value', async () => {
    const secretish = faker.internet.email();
    const response = await t.app.inject({
      method: 'POST',
      url: `/test/items/${faker.string.uuid()}`,
      payload: { name: secretish.repeat(5), count: 'many' },
    });
    expect(response.statusCode).toBe(400);
    const problem = response.json();
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ in: 'body', path: 'name' }),
        expect.objectContaining({ in: 'body', path: 'count' }),
      ]),
    );
    expect(response.body).not.toContain(secretish);
  });

  it('hides internal errors behind a generic 500 problem', async () => {
    const response = await t.app.inject({
      method: 'POST',
      url: '/test/signup',
      payload: { email: faker.internet.email(), password: faker.internet.password({ length: 20 }) },
    });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'internal_error' });
    expect(response.body).not.toContain('boom');
  });

  it('keeps e-mail addresses, passwords and credentials out of the logs', async () => {
    const email = faker.internet.email();
    const password = faker.internet.password({ length: 24 });
    const bearer = faker.string.alphanumeric(40);
    await t.app.inject({
      method: 'POST',
      url: `/test/signup?email=${encodeURIComponent(email)}`,
      payload: { email, password },
      headers: { authorization: `Bearer ${bearer}`, cookie: `custos_session=${bearer}` },
    });
    const output = logLines.join('');
    expect(output).toContain('signup attempt');
    expect(output).not.toContain(email);
    expect(output).not.toContain(encodeURIComponent(email));
    expect(output).not.toContain(password);
    expect(output).not.toContain(bearer);
  });

  it('keeps a well-formed caller request id and replaces a malformed one', async () => {
    const kept = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'trace-1234abcd' },
    });
    expect(kept.headers['x-request-id']).toBe('trace-1234abcd');
    const replaced = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { 'x-request-id': 'bad id\nx' },
    });
    // A fresh UUID (hex may happen to spell 'bad', so compare with the header, not a substring).
    expect(replaced.headers['x-request-id']).not.toBe('bad id\nx');
    expect(replaced.headers['x-request-id']).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
    );
  });

  it('sends security headers and no CORS headers by default', async () => {
    const response = await t.app.inject({
      method: 'GET',
      url: '/health',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("default-src 'self'");
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['strict-transport-security']).toBeUndefined();
  });

  it('sends the security headers on error responses too', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/no/such/route' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('writes one log line per request, when it completes, without the query string', async () => {
    const marker = faker.string.alphanumeric(12);
    await t.app.inject({
      method: 'GET',
      url: `/openapi.json?probe=${marker}`,
      headers: { 'x-request-id': `req-${marker}` },
    });
    // Probes succeed quietly: orchestrators call them every few seconds.
    await t.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': `probe-${marker}` } });
    const lines = logLines
      .flatMap((chunk) => chunk.split('\n'))
      .filter((line) => line.includes(`req-${marker}`))
      .map((line) => JSON.parse(line));
    expect(lines).toEqual([
      expect.objectContaining({
        msg: 'request completed',
        reqId: `req-${marker}`,
        req: expect.objectContaining({ method: 'GET', path: '/openapi.json' }),
        res: { statusCode: 200 },
        responseTime: expect.any(Number),
      }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(`probe=${marker}`);
    expect(logLines.join('')).not.toContain(`probe-${marker}`);
  });

  it('exposes Prometheus metrics for requests, queries and job queues', async () => {
    await t.app.inject({ method: 'GET', url: '/ready' });
    const response = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatch(/custos_http_request_duration_seconds_bucket\{[^}]*route="\/ready"/);
    expect(response.body).toContain('custos_db_query_duration_seconds');
    expect(response.body).toContain('custos_job_queue_depth');
  });
});
