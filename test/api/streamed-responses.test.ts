import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { sendStreamed } from '../../src/http/streamed-response.js';
import { AppError } from '../../src/lib/app-error.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

const formats = ['ndjson', 'csv', 'json'] as const;

/** Two good chunks, then the database (say) fails. */
async function* failingAfterTwoChunks(format: (typeof formats)[number]): AsyncGenerator<string> {
  yield format === 'csv' ? 'seq,action\r\n' : format === 'json' ? '{"items":[\n' : '{"seq":1}\n';
  yield format === 'csv' ? '1,created\r\n' : format === 'json' ? '{"seq":1}' : '{"seq":2}\n';
  throw new Error('connection terminated unexpectedly');
}

/** Like a history export whose subject check fails before the header is produced. */
async function* failingBeforeFirstChunk(subjectFound: () => Promise<boolean>): AsyncGenerator<string> {
  if (!(await subjectFound())) throw new AppError('not_found', 'Subject not found.');
  yield '{"events":[]}';
}

describe('streamed responses', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp({
      beforeReady: (app) => {
        app.get(
          '/test/stream/:format',
          { config: { access: 'public' }, schema: { params: z.object({ format: z.enum(formats) }) } },
          async (request, reply) => {
            const { format } = request.params as { format: (typeof formats)[number] };
            return sendStreamed(reply, failingAfterTwoChunks(format), format);
          },
        );
        app.get('/test/stream-refused', { config: { access: 'public' } }, async (_request, reply) =>
          sendStreamed(
            reply,
            failingBeforeFirstChunk(async () => false),
            'ndjson',
          ),
        );
      },
    });
  });
  afterAll(() => t.close());

  it('ends an NDJSON stream that fails mid-way with an error line, never a silent cut', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/stream/ndjson' });
    expect(response.statusCode).toBe(200);
    const lines = response.body
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line));
    expect(lines.slice(0, 2)).toEqual([{ seq: 1 }, { seq: 2 }]);
    expect(lines.at(-1)).toMatchObject({
      error: { status: 500, code: 'internal_error', requestId: response.headers['x-request-id'] },
    });
    expect(response.body).not.toContain('connection terminated');
  });

  it('ends a CSV stream that fails mid-way with the #error trailer row', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/stream/csv' });
    const rows = response.body.trimEnd().split('\r\n');
    expect(rows.slice(0, 2)).toEqual(['seq,action', '1,created']);
    expect(rows.at(-1)).toMatch(new RegExp(`^#error,internal_error,${response.headers['x-request-id']},"`));
  });

  it('leaves a streamed JSON document that fails mid-way unclosed, followed by the error line', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/stream/json' });
    expect(() => JSON.parse(response.body)).toThrow();
    expect(JSON.parse(response.body.trimEnd().split('\n').at(-1) ?? '')).toMatchObject({
      error: { code: 'internal_error' },
    });
  });

  it('answers a failure before the first byte as an ordinary problem', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/stream-refused' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
  });

  it('refuses an audit export with an unstorable filter before its first byte', async () => {
    const headers = await actAs(t, 'admin');
    const response = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/export?format=ndjson&targetType=%00',
      headers,
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({
      code: 'invalid_query_parameter',
      errors: [{ in: 'querystring', path: 'targetType' }],
    });
  });

  it('sends every streamed response of every module through sendStreamed', () => {
    const modules = join(import.meta.dirname, '../../src/modules');
    const routeFiles = readdirSync(modules, { recursive: true, encoding: 'utf8' }).filter((file) =>
      file.endsWith('-routes.ts'),
    );
    const streaming = routeFiles.filter((file) =>
      /Readable\.from\(|\.send\(\s*[\w.]*[sS]tream/.test(readFileSync(join(modules, file), 'utf8')),
    );
    expect(streaming).toEqual([]);
    const usingHelper = routeFiles.filter((file) =>
      readFileSync(join(modules, file), 'utf8').includes('sendStreamed('),
    );
    expect(usingHelper).toEqual(
      expect.arrayContaining(['audit/audit-routes.ts', 'consent/consent-routes.ts']),
    );
  });
});
