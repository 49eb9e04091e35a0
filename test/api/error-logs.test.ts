import { randomUUID } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOperator } from '../helpers/factories.js';
import { captureLog } from '../helpers/log-capture.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(606);

describe('database errors in logs and answers', () => {
  let t: TestApp;
  const { lines, stream } = captureLog();
  const email = faker.internet.email().toLowerCase();

  /** A second operator with a known address: the unique index refuses it, quoting the address. */
  const insertDuplicate = (address: string) =>
    t.runtime.database.db
      .insertInto('operators')
      .values({ id: randomUUID(), email: address, display_name: 'Duplicate', roles: [], status: 'active' })
      .execute();

  beforeAll(async () => {
    t = await createTestApp({
      logStream: stream,
      beforeReady: (app) => {
        app.post('/test/duplicate-operator', { config: { access: 'public' } }, async () => {
          await insertDuplicate(email);
          return { ok: true };
        });
        app.get('/test/cast-address', { config: { access: 'public' } }, async () => {
          await sql`select ${email}::uuid`.execute(t.runtime.database.db);
          return { ok: true };
        });
      },
    });
    await createOperator(t, { email });
  });
  afterAll(() => t.close());

  const logText = () => lines.join('');

  it('logs a unique violation on an e-mail address without the address, in the log or the answer', async () => {
    const response = await t.app.inject({ method: 'POST', url: '/test/duplicate-operator' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain(email);
    await vi.waitFor(() => expect(logText()).toContain('operators_email_idx'));
    expect(logText()).toContain('"code":"23505"');
    expect(logText()).not.toContain(email);
    expect(logText()).not.toContain(email.split('@')[0]);
  });

  it('logs a value PostgreSQL quotes in its message without the value', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/test/cast-address' });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain(email);
    await vi.waitFor(() => expect(logText()).toContain('invalid input syntax for type uuid'));
    expect(logText()).not.toContain(email);
  });

  it('drops parameters, statement text and detail of a database error logged under any key or as a cause', async () => {
    const error = await insertDuplicate(email).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    const logger = t.runtime.logger;
    logger.error({ err: error }, 'as err');
    logger.error({ error, queue: 'test' }, 'under another key');
    logger.error({ err: new Error('wrapped', { cause: error }) }, 'as a cause');
    logger.error({ err: new AggregateError([error], 'several') }, 'aggregated');
    await vi.waitFor(() => expect(logText()).toContain('aggregated'));
    for (const line of lines.filter((text) => /as err|another key|as a cause|aggregated/.test(text))) {
      expect(line).toContain('23505');
      expect(line).not.toContain(email);
      expect(line).not.toMatch(/"(parameters|params|query|detail)"/);
      expect(line).not.toContain('insert into');
    }
  });
});
