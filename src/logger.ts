import { type DestinationStream, type Logger, type LoggerOptions, pino } from 'pino';

/**
 * Keys that never reach a log line with their value. Matched at any depth we log (request headers,
 * bodies a handler chooses to log, error details). Personal-data field names are included so that a
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

const headerPaths = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
];

export const redactPaths = [
  ...headerPaths,
  ...redactedKeys.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]),
];

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'custos' },
    redact: { paths: redactPaths, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: {
      err: pino.stdSerializers.err,
      // The query string can carry personal data (search terms, tokens): log the path only.
      req: (req: { method: string; url: string; id: string }) => ({
        method: req.method,
        path: req.url.split('?')[0],
        id: req.id,
      }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
