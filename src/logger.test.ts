import { Writable } from 'node:stream';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { censorForLog, createLogger, errorMessageForLog } from './logger.js';

faker.seed(5);

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { logger: createLogger('info', stream), text: () => lines.join('') };
}

describe('log redaction', () => {
  it('censors personal data and credentials at any depth and in any letter case', () => {
    const email = faker.internet.email();
    const password = faker.internet.password({ length: 20 });
    const token = faker.string.alphanumeric(32);
    const { logger, text } = capture();
    logger.info(
      {
        body: { customer: { Email: email, history: [{ password }] } },
        headers: { Authorization: `Bearer ${token}`, 'user-agent': 'curl' },
      },
      'something happened',
    );
    const output = text();
    expect(output).toContain('something happened');
    expect(output).toContain('curl');
    for (const secret of [email, password, token]) expect(output).not.toContain(secret);
  });

  it('censors what an error carries besides its message', () => {
    const email = faker.internet.email();
    const { logger, text } = capture();
    logger.error({ err: Object.assign(new Error('lookup failed'), { email }) }, 'failed');
    expect(text()).toContain('lookup failed');
    expect(text()).not.toContain(email);
  });

  it('censors child-logger bindings', () => {
    const email = faker.internet.email();
    const { logger, text } = capture();
    logger.child({ email }).info('bound');
    expect(text()).not.toContain(email);
  });

  it('leaves the logged object itself untouched and stops at circular references', () => {
    const record: Record<string, unknown> = { password: 'kept', nested: { token: 'kept' } };
    record.self = record;
    const censored = censorForLog(record) as Record<string, unknown>;
    expect(censored.password).toBe('[redacted]');
    expect(record.password).toBe('kept');
    expect((record.nested as Record<string, unknown>).token).toBe('kept');
    expect(JSON.stringify(censored)).toContain('[too deep]');
  });

  /** Shaped like node-postgres's DatabaseError (PGlite's carries the same fields, plus `params`). */
  function databaseError(message: string, fields: Record<string, unknown>): Error {
    return Object.assign(new Error(message), { severity: 'ERROR', code: '23505', ...fields });
  }

  it('drops the parameters, statement and detail of a database error, and the values in its message', () => {
    const email = faker.internet.email();
    const error = databaseError(`invalid input syntax for type uuid: "${email}"`, {
      detail: `Key (lower(email))=(${email}) already exists.`,
      where: `unnamed portal parameter $1 = '${email}'`,
      query: `insert into operators (email) values ('${email}')`,
      parameters: [email],
      params: [email],
      constraint: 'operators_email_idx',
    });
    const { logger, text } = capture();
    logger.error({ err: new Error('request failed', { cause: error }) }, 'failed');
    logger.warn({ error }, 'job failed');
    expect(text()).toContain('operators_email_idx');
    expect(text()).toContain('invalid input syntax for type uuid: [redacted]');
    expect(text()).not.toContain(email);
    expect(errorMessageForLog(error)).toBe('invalid input syntax for type uuid: [redacted]');
  });

  it('keeps the message of an error that is not a database error', () => {
    expect(errorMessageForLog(new Error('the key file "kek-2.key" is missing'))).toBe(
      'the key file "kek-2.key" is missing',
    );
  });
});
