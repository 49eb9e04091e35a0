import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Keys that never reach a log line with their value. Matched at any depth and in any letter case (request
 * headers, bodies a handler chooses to log, error details). Personal-data field names are included so that a
 * developer who logs a record by mistake still leaks nothing.
 */
export const redactedKeys = [
  'password',
  'newPassword',
  'currentPassword',
  'passwordHash',
  'secret',
  'token',
  'accessToken',
  'refreshToken',
  'apiKey',
  'otp',
  'mfaCode',
  'totpCode',
  'fullName',
  'givenName',
  'familyName',
  'totp',
  'recoveryCode',
  'email',
  'phone',
  'firstName',
  'lastName',
  'displayName',
  'address',
  'birthDate',
  'dateOfBirth',
  'ssn',
  'ip',
];

/** Header names whose values are credentials; censored wherever they appear. */
const credentialHeaders = ['authorization', 'cookie', 'set-cookie', 'x-api-key', 'x-csrf-token'];

const censoredKeys = new Set([...redactedKeys, ...credentialHeaders].map((key) => key.toLowerCase()));
const censor = '[redacted]';
/** Deeper than any object we log on purpose; also where a circular structure stops being walked. */
const maxDepth = 8;

/**
 * What a database error carries that can hold personal data: the statement's parameters (positional, so
 * no key name says what they are), its text (literals), and PostgreSQL's `detail` and `where`, which quote
 * values (`Key (email)=(…) already exists`). Dropped from every logged error, whatever its depth, not
 * censored by name, because none of them is ever needed to diagnose a failure the code, constraint,
 * table and column do not explain.
 */
const droppedErrorKeys = new Set([
  'parameters',
  'params',
  'values',
  'bindings',
  'query',
  'queryoptions',
  'sql',
  'text',
  'detail',
  'where',
  'hint',
  'internalquery',
  'internalposition',
  'position',
  'raw',
]);

/** node-postgres and PGlite errors both carry PostgreSQL's severity and five-character SQLSTATE. */
function isDatabaseError(error: Error): boolean {
  const { code, severity } = error as { code?: unknown; severity?: unknown };
  return typeof severity === 'string' && typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

/**
 * A database error's message without the values PostgreSQL quotes in it (`invalid input syntax for type
 * uuid: "…"`, `Key (…)=(…)`); identifiers in quotes without a colon before them (constraint, table,
 * column names) stay, as they say what failed. Also what a failed job records in the queue's table.
 */
export function errorMessageForLog(error: unknown): string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : 'non-error thrown';
  if (!isDatabaseError(error)) return error.message;
  return error.message.replace(/: ".*"/s, ': [redacted]').replace(/=\(.*?\)/gs, '=([redacted])');
}

/** An error as a log line carries it: type, message, stack, its own safe fields, its cause, its errors. */
function errorForLog(error: Error, depth: number): Record<string, unknown> {
  const message = errorMessageForLog(error);
  const stack = typeof error.stack === 'string' ? error.stack.replace(error.message, message) : undefined;
  const logged: Record<string, unknown> = { type: error.constructor?.name ?? error.name, message, stack };
  if (depth >= maxDepth) return logged;
  for (const key in error) {
    const lower = key.toLowerCase();
    if (key in logged || droppedErrorKeys.has(lower)) continue;
    const value = (error as unknown as Record<string, unknown>)[key];
    logged[key] = censoredKeys.has(lower) ? censor : censorForLog(value, depth + 1);
  }
  if (error.cause !== undefined) logged.cause = censorForLog(error.cause, depth + 1);
  const { errors } = error as { errors?: unknown };
  if (Array.isArray(errors)) logged.errors = censorForLog(errors, depth + 1);
  return logged;
}

/**
 * Returns a copy of a value to be logged with every censored key's value replaced, at any depth and in
 * any letter case. The input is never modified. Errors become plain objects (type, message, stack, their
 * extra properties censored, their cause and aggregated errors likewise) without what database errors
 * carry of the data they failed on.
 *
 * This replaces pino's path-based redaction: that walks every configured path (three depths of every
 * key above) for each line and cost ~50 µs a line, more than everything else a request does; one walk
 * over the (small) logged object costs a few.
 */
export function censorForLog(value: unknown, depth = 0): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Error) return errorForLog(value, depth);
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON === 'function') {
    const json: unknown = toJSON.call(value);
    return typeof json === 'object' && json !== null && json !== value ? censorForLog(json, depth) : json;
  }
  if (depth >= maxDepth) return '[too deep]';
  if (Array.isArray(value)) return value.map((item) => censorForLog(item, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = censoredKeys.has(key.toLowerCase()) ? censor : censorForLog(item, depth + 1);
  }
  return copy;
}

// Keys pino serializes itself; their serializers below already emit only safe fields (or censor).
const serializedKeys = new Set(['req', 'res', 'err']);

function censorLogObject(object: Record<string, unknown>): Record<string, unknown> {
  const copy: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    copy[key] = censoredKeys.has(key.toLowerCase())
      ? censor
      : serializedKeys.has(key)
        ? value
        : censorForLog(value, 1);
  }
  return copy;
}

export type { Logger };

/**
 * Where log lines go: stdout by default. Asynchronous, so a request never waits for a write; lines
 * written while a write is in flight go out together, and pino flushes what is left when the process
 * exits.
 */
export function logDestination(dest: number | string = 1): DestinationStream {
  return pino.destination({ dest, sync: false });
}

export function createLogger(level: string, destination: DestinationStream = logDestination()): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'custos' },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Top-level keys only, which pino checks at no cost; it also covers child-logger bindings, which
    // pino passes through no formatter.
    redact: { paths: [...redactedKeys, ...credentialHeaders], censor },
    formatters: {
      level: (label) => ({ level: label }),
      bindings: censorLogObject,
      log: censorLogObject,
    },
    serializers: {
      err: (error: Error) => censorForLog(error),
      // The query string can carry personal data (search terms, tokens): log the path only.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        id: req.id,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return pino(options, destination);
}
