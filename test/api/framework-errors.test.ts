import { connect } from 'node:net';
import type { InjectOptions } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Answer = { status: number; headers: Record<string, unknown>; body: string };

/** What every error answer carries, whoever produced it: problem+json, security headers, a request id. */
function expectProblem(answer: Answer, status: number, code: string) {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  expect(answer.headers['x-content-type-options']).toBe('nosniff');
  expect(answer.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(answer.headers['cache-control']).toBe('no-store');
  const problem = JSON.parse(answer.body);
  expect(problem).toMatchObject({ status, code, type: `urn:custos:problem:${code}` });
  expect(problem.requestId).toBeTruthy();
  expect(answer.headers['x-request-id']).toBe(problem.requestId);
}

/** Sends raw bytes to the listening server and parses the one answer it gets before closing. */
function rawRequest(port: number, request: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...headerLines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of headerLines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers, body });
    });
    socket.end(request);
  });
}

describe('answers made before a route runs', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await createTestApp();
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const address = t.app.server.address();
    port = typeof address === 'object' && address ? address.port : 0;
  });
  afterAll(() => t.close());

  const inject = async (options: InjectOptions): Promise<Answer> => {
    const response = await t.app.inject(options);
    return { status: response.statusCode, headers: response.headers, body: response.body };
  };

  it('answers a URL that does not decode to UTF-8 with a 400 problem', async () => {
    expectProblem(await inject({ method: 'GET', url: '/v1/operators/%ED%A0%80' }), 400, 'bad_request');
  });

  it('answers a path parameter over the length limit with a 414 problem', async () => {
    const url = `/v1/operators/${'a'.repeat(300)}`;
    expectProblem(await inject({ method: 'GET', url }), 414, 'uri_too_long');
  });

  it('answers a request target over 8 KiB with a 414 problem', async () => {
    const url = `/v1/audit/entries?actorId=${'a'.repeat(9000)}`;
    expectProblem(
      await rawRequest(port, `GET ${url} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`),
      414,
      'uri_too_long',
    );
  });

  it('answers headers too large for Node with a 431 problem, not a bare status line', async () => {
    const answer = await rawRequest(
      port,
      `GET /health HTTP/1.1\r\nHost: x\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`,
    );
    expectProblem(answer, 431, 'headers_too_large');
  });

  it('answers bytes that are not HTTP with a 400 problem', async () => {
    expectProblem(await rawRequest(port, 'NOT HTTP AT ALL\r\n\r\n'), 400, 'bad_request');
  });

  it('answers malformed JSON, a wrong content type and a body too large with problems', async () => {
    const headers = await actAs(t, 'admin');
    const post = (type: string, payload: string) =>
      inject({ method: 'POST', url: '/v1/api-keys', headers: { ...headers, 'content-type': type }, payload });
    expectProblem(await post('application/json', '{"name":'), 400, 'malformed_json');
    expectProblem(await post('application/xml', '<key/>'), 415, 'unsupported_media_type');
    const limit = t.runtime.config.bodyLimit;
    expectProblem(await post('application/json', `"${'x'.repeat(limit)}"`), 413, 'body_too_large');
  });

  it('answers an unknown route and an unknown method on a known path with a 404 problem', async () => {
    expectProblem(await inject({ method: 'GET', url: '/v1/nothing-here' }), 404, 'route_not_found');
    expectProblem(await inject({ method: 'PATCH', url: '/v1/audit/entries' }), 404, 'route_not_found');
  });
});
