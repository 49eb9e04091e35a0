import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { z } from 'zod';
import { parseDuration } from './lib/duration.js';
import { isRole, roles } from './modules/access/permissions.js';
import { decodeKey } from './modules/keys/kek-provider.js';
import { parseMasterKeys } from './modules/keys/key-material.js';
import { parseRetentionPeriod } from './modules/retention/retention-period.js';

/**
 * Every setting Custos reads, in one list: its key in the config file, its environment variable, how it is
 * validated, its default and what it means. The README table is generated from this list
 * (`npm run custos -- config --markdown`) and a test keeps the two in step.
 */
const duration = z
  .string()
  .refine(
    (text) => parseDuration(text) !== undefined,
    'must be a duration such as 500ms, 30s, 30m, 12h or 7d',
  )
  .transform((text) => parseDuration(text) as number);

const bool = z.union([
  z.boolean(),
  z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1'),
]);

const list = z
  .union([z.array(z.string()), z.string()])
  .transform((value) =>
    (Array.isArray(value) ? value : value.split(','))
      .map((item) => item.trim())
      .filter((item) => item.length > 0),
  );

/** A retention period of audit entries: an ISO 8601 period of years, months and days (`P7Y`, `P18M`). */
const auditPeriod = z.string().refine((text) => {
  const period = parseRetentionPeriod(text);
  return period !== undefined && period.years + period.months + period.days > 0;
}, 'must be an ISO 8601 period of years, months and days, such as P7Y, P18M or P90D');

const port = z.coerce.number().int().min(0).max(65535);

/** Checks a key setting by parsing it; the message names what is wrong, never the key. */
function keyCheck(parse: (text: string) => unknown) {
  return (text: string, context: z.RefinementCtx) => {
    try {
      parse(text);
    } catch (error) {
      context.addIssue({ code: 'custom', message: error instanceof Error ? error.message : 'is not valid' });
    }
  };
}
const checkMasterKeys = keyCheck(parseMasterKeys);
const checkIndexKey = keyCheck((text) => decodeKey(text, 'the key'));

type Setting = { env: string; schema: z.ZodType; default?: unknown; description: string };

export const settings = {
  host: {
    env: 'CUSTOS_HOST',
    schema: z.string().min(1),
    default: '127.0.0.1',
    description: 'Address to listen on (`0.0.0.0` in a container).',
  },
  port: {
    env: 'CUSTOS_PORT',
    schema: port,
    default: 8080,
    description: 'TCP port for the API, console and privacy center.',
  },
  publicUrl: {
    env: 'CUSTOS_PUBLIC_URL',
    schema: z.url().optional(),
    description:
      'External base URL, used in links Custos prints and sends (setup links, download links, e-mails). Unset: `http(s)://<CUSTOS_HOST>:<CUSTOS_PORT>`, with `localhost` for a wildcard or loopback host (`0.0.0.0`, `::`, `127.0.0.1`).',
  },
  dpoContact: {
    env: 'DPO_CONTACT',
    schema: z.string().trim().min(1).max(500).optional(),
    description:
      'How to reach the data protection officer (an address or URL): the default DPO contact of the organization profile, until it is saved.',
  },
  dataDir: {
    env: 'CUSTOS_DATA_DIR',
    schema: z.string().min(1),
    default: './data',
    description: 'Directory for the embedded database and generated development keys.',
  },
  databaseUrl: {
    env: 'DATABASE_URL',
    schema: z
      .string()
      .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
      .optional(),
    description:
      'PostgreSQL connection URL. When unset, Custos uses the embedded database (PGlite) in `CUSTOS_DATA_DIR`.',
  },
  databasePoolSize: {
    env: 'CUSTOS_DATABASE_POOL_SIZE',
    schema: z.coerce.number().int().min(1).max(200),
    default: 10,
    description: 'Maximum PostgreSQL connections per process (ignored for PGlite, which has one).',
  },
  logLevel: {
    env: 'CUSTOS_LOG_LEVEL',
    schema: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    default: 'info',
    description: 'Log level; logs are JSON lines on stdout with personal data and secrets redacted.',
  },
  bodyLimit: {
    env: 'CUSTOS_BODY_LIMIT',
    schema: z.coerce
      .number()
      .int()
      .min(1024)
      .max(1024 * 1024 * 1024),
    default: 1_048_576,
    description: 'Largest accepted request body in bytes (streaming imports have their own limit).',
  },
  requestTimeout: {
    env: 'CUSTOS_REQUEST_TIMEOUT',
    schema: duration,
    default: '30s',
    description: 'Time a client has to send a whole request.',
  },
  corsOrigins: {
    env: 'CUSTOS_CORS_ORIGINS',
    schema: list,
    default: [],
    description: 'Comma-separated origins allowed by CORS. Empty (default) turns CORS off.',
  },
  trustProxy: {
    env: 'CUSTOS_TRUST_PROXY',
    schema: list,
    default: [],
    description:
      'Comma-separated addresses or CIDR ranges of reverse proxies whose `X-Forwarded-For` is trusted. Empty: trust none.',
  },
  tlsCertFile: {
    env: 'CUSTOS_TLS_CERT_FILE',
    schema: z.string().min(1).optional(),
    description:
      'PEM certificate (chain) file; with `CUSTOS_TLS_KEY_FILE`, Custos serves HTTPS itself (TLS 1.2+, HSTS).',
  },
  tlsKeyFile: {
    env: 'CUSTOS_TLS_KEY_FILE',
    schema: z.string().min(1).optional(),
    description: 'PEM private key file for `CUSTOS_TLS_CERT_FILE`.',
  },
  hstsMaxAge: {
    env: 'CUSTOS_HSTS_MAX_AGE',
    schema: z.coerce.number().int().min(0),
    default: 31_536_000,
    description:
      'HSTS max-age in seconds, sent when serving HTTPS or behind a trusted TLS-terminating proxy.',
  },
  jobs: {
    env: 'CUSTOS_JOBS',
    schema: bool,
    default: true,
    description:
      '`custos serve` runs background jobs in-process. Set `false` when separate `custos worker` processes run them.',
  },
  jobConcurrency: {
    env: 'CUSTOS_JOB_CONCURRENCY',
    schema: z.coerce.number().int().min(1).max(64),
    default: 2,
    description: 'Jobs of each queue a process works on at once.',
  },
  jobLease: {
    env: 'CUSTOS_JOB_LEASE',
    schema: duration.pipe(z.number().min(1000, 'must be at least 1s')),
    default: '30s',
    description:
      'How long a running job stays held by its process without renewal (renewed every third of it); the job of a process that died goes back in the queue, for another process to take up, once its lease runs out.',
  },
  systemTaskResendAfter: {
    env: 'CUSTOS_SYSTEM_TASK_RESEND_AFTER',
    schema: duration,
    default: '1h',
    description:
      'A downstream system task left unanswered this long (its webhook delivered) is sent again with a new callback link, up to 5 sends in all; `0s` turns this off.',
  },
  shutdownTimeout: {
    env: 'CUSTOS_SHUTDOWN_TIMEOUT',
    schema: duration,
    default: '10s',
    description: 'How long a graceful shutdown waits for requests and jobs to finish.',
  },
  auditCheckpointEvery: {
    env: 'CUSTOS_AUDIT_CHECKPOINT_EVERY',
    schema: z.coerce.number().int().min(1).max(1_000_000),
    default: 1000,
    description:
      "The audit log signs a checkpoint (over every chain's head) whenever a chain reaches a multiple of this many entries; verification flags more than three times this many entries of a chain that no checkpoint covers.",
  },
  auditCheckpointInterval: {
    env: 'CUSTOS_AUDIT_CHECKPOINT_INTERVAL',
    schema: duration,
    default: '5m',
    description:
      'The audit log also signs a checkpoint when this long has passed since the last one and entries were added (checked every minute); verification flags an entry left unsigned for longer than this plus two minutes. Bounds what a cut after the last checkpoint can hide.',
  },
  auditSigningKeyFile: {
    env: 'CUSTOS_AUDIT_SIGNING_KEY_FILE',
    schema: z.string().min(1).optional(),
    description:
      'Ed25519 private key (PEM) that signs audit checkpoints; created (mode 0600) on first start. Default: `<CUSTOS_KEYS_DIR>/audit-signing-key.pem`. Every instance must use the same key.',
  },
  auditVerifyKeyFiles: {
    env: 'CUSTOS_AUDIT_VERIFY_KEY_FILES',
    schema: list,
    default: [],
    description:
      'Comma-separated PEM public keys of retired audit signing keys, so checkpoints they signed keep verifying after a rotation.',
  },
  auditWitnessDir: {
    env: 'CUSTOS_AUDIT_WITNESS_DIR',
    schema: z.string().min(1).optional(),
    description:
      'A directory (ideally one a witness controls: another host, a write-once mount) the checkpoint job copies every signed audit checkpoint to, one file each, never overwritten; `custos audit verify --witness <dir>` checks the database against it.',
  },
  auditVerifySchedule: {
    env: 'CUSTOS_AUDIT_VERIFY_SCHEDULE',
    schema: z
      .string()
      .regex(
        /^(off|\S+( \S+){4})$/,
        'must be a cron expression with five fields, e.g. `15 2 * * *`, or `off`',
      )
      .transform((text) => (text === 'off' ? null : text)),
    default: '15 2 * * *',
    description:
      'When the whole audit log is verified (cron, UTC), raising a critical alert if it fails; `off` turns the scheduled verification off.',
  },
  metricsToken: {
    env: 'CUSTOS_METRICS_TOKEN',
    schema: z.string().min(16).optional(),
    description: 'When set, `/metrics` requires `Authorization: Bearer <token>`.',
  },
  keysDir: {
    env: 'CUSTOS_KEYS_DIR',
    schema: z.string().min(1).optional(),
    description:
      'Directory of key files (mode 0600), generated on first start. Default: `<CUSTOS_DATA_DIR>/keys`. Every instance must see the same keys.',
  },
  masterKey: {
    env: 'CUSTOS_MASTER_KEY',
    schema: z.string().min(1).superRefine(checkMasterKeys).optional(),
    description:
      'Master keys (KEKs) that wrap the data keys, instead of `kek-v<N>.key` files: comma-separated `<version>:<base64 of 32 random bytes>`, e.g. `1:<key>,2:<key>`. No key file is then written; to rotate, add the next version on every instance, restart, then run `custos keys rotate`. Needs `CUSTOS_INDEX_KEY`.',
  },
  indexKey: {
    env: 'CUSTOS_INDEX_KEY',
    schema: z.string().min(1).superRefine(checkIndexKey).optional(),
    description:
      'Root of the blind-index and token keys (base64 of 32 random bytes), instead of the `index.key` file. Never changes: a new one makes every stored lookup unfindable.',
  },
  dekCacheSize: {
    env: 'CUSTOS_DEK_CACHE_SIZE',
    schema: z.coerce.number().int().min(0).max(10_000_000),
    default: 10_000,
    description:
      'Unwrapped data keys kept in memory per process (least recently used go first); 0 turns the cache off.',
  },
  dekCacheTtl: {
    env: 'CUSTOS_DEK_CACHE_TTL',
    schema: duration,
    default: '5m',
    description:
      'How long a cached data key is used without asking the database. Bounds how long another process can still decrypt a subject after it was shredded here.',
  },
  rewrapBatchSize: {
    env: 'CUSTOS_REWRAP_BATCH_SIZE',
    schema: z.coerce.number().int().min(1).max(10_000),
    default: 500,
    description: 'Data keys rewrapped per transaction after a master key rotation.',
  },
  sessionIdleTimeout: {
    env: 'CUSTOS_SESSION_IDLE_TIMEOUT',
    schema: duration,
    default: '30m',
    description: 'An operator session ends after this long without a request.',
  },
  sessionAbsoluteTimeout: {
    env: 'CUSTOS_SESSION_ABSOLUTE_TIMEOUT',
    schema: duration,
    default: '12h',
    description: 'An operator session ends this long after login, however active.',
  },
  mfaRequiredRoles: {
    env: 'CUSTOS_MFA_REQUIRED_ROLES',
    schema: list.refine(
      (items) => items.every(isRole),
      `must list roles from: ${Object.keys(roles).join(', ')}`,
    ),
    default: ['admin', 'dpo'],
    description: 'Roles whose operators must use TOTP MFA before they can do anything else.',
  },
  argon2MemoryKib: {
    env: 'CUSTOS_ARGON2_MEMORY_KIB',
    schema: z.coerce.number().int().min(19_456).max(4_194_304),
    default: 19_456,
    description:
      'argon2id memory cost in KiB (at least 19456, OWASP). Raising it re-hashes passwords at next login.',
  },
  argon2TimeCost: {
    env: 'CUSTOS_ARGON2_TIME_COST',
    schema: z.coerce.number().int().min(2).max(20),
    default: 2,
    description: 'argon2id iterations (at least 2).',
  },
  argon2Parallelism: {
    env: 'CUSTOS_ARGON2_PARALLELISM',
    schema: z.coerce.number().int().min(1).max(16),
    default: 1,
    description: 'argon2id lanes.',
  },
  setupTokenTtl: {
    env: 'CUSTOS_SETUP_TOKEN_TTL',
    schema: duration,
    default: '1h',
    description: 'How long the one-time first-admin setup token is valid.',
  },
  invitationTtl: {
    env: 'CUSTOS_INVITATION_TTL',
    schema: duration,
    default: '72h',
    description: 'How long an operator invitation link is valid.',
  },
  loginMaxFailures: {
    env: 'CUSTOS_LOGIN_MAX_FAILURES',
    schema: z.coerce.number().int().min(1).max(100),
    default: 5,
    description:
      'Failed logins per account from one client network (/24, /64; 15-minute window) before that network backs off; past twice this across networks, each network backs off after one.',
  },
  loginMaxFailuresPerIp: {
    env: 'CUSTOS_LOGIN_MAX_FAILURES_PER_IP',
    schema: z.coerce.number().int().min(1).max(10_000),
    default: 20,
    description: 'Failed logins per client IP (15-minute window) before exponential backoff starts.',
  },
  authRateLimit: {
    env: 'CUSTOS_AUTH_RATE_LIMIT',
    schema: z.coerce.number().int().min(1).max(100_000),
    default: 30,
    description: 'Requests per minute per client IP on each authentication route.',
  },
  alertDedupeWindow: {
    env: 'CUSTOS_ALERT_DEDUPE_WINDOW',
    schema: duration,
    default: '1h',
    description:
      'A repeat of an unresolved alert (same kind and target) last seen within this long raises its count instead of a new alert.',
  },
  revealAlertThreshold: {
    env: 'CUSTOS_REVEAL_ALERT_THRESHOLD',
    schema: z.coerce.number().int().min(0).max(1_000_000),
    default: 100,
    description:
      'A critical alert (`vault.mass_reveal`) is raised when one operator or API key reads the records of more distinct subjects than this in clear within an hour (UTC), counted by the monitoring job from the audit log of every process; 0 turns the rule off.',
  },
  readPurposes: {
    env: 'CUSTOS_READ_PURPOSES',
    schema: list.refine(
      (items) => items.length > 0 && items.every((item) => /^[a-z][a-z0-9_]{0,63}$/.test(item)),
      'must list purpose keys (lower-case letters, digits, _)',
    ),
    default: ['support', 'billing', 'dsr_fulfilment', 'fraud_prevention', 'restricted_processing'],
    description:
      'Purposes a reader may state to read personal data from the vault (audited with every read). A restricted subject (GDPR Art. 18) is read only for `restricted_processing`.',
  },
  instanceLocation: {
    env: 'CUSTOS_INSTANCE_LOCATION',
    schema: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
      .optional(),
    description:
      'Country where this instance stores its data (e.g. `DE`). Residency policies that say where subjects of their region may be stored are checked against it at start-up and on every subject created; webhook endpoints with no location of their own are taken to be here. Unset: such policies refuse those subjects (the location cannot be shown).',
  },
  phoneRegion: {
    env: 'CUSTOS_PHONE_REGION',
    schema: z
      .string()
      .regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 country code')
      .optional(),
    description:
      'Country for phone numbers given without a +country prefix (e.g. `GB`); unset: only international numbers are accepted.',
  },
  collectionsFile: {
    env: 'CUSTOS_COLLECTIONS_FILE',
    schema: z.string().min(1).optional(),
    description:
      'JSON file declaring collections, applied at start (created or updated; a change that would lose data stops the start).',
  },
  importBodyLimit: {
    env: 'CUSTOS_IMPORT_BODY_LIMIT',
    schema: z.coerce.number().int().min(1024),
    default: 5 * 1024 ** 3,
    description: 'Largest streamed import (`POST /v1/collections/{name}/import`) in bytes.',
  },
  consentCacheSize: {
    env: 'CUSTOS_CONSENT_CACHE_SIZE',
    schema: z.coerce.number().int().min(0).max(10_000_000),
    default: 100_000,
    description:
      'Subjects whose consent state each process keeps in memory for checks (least recently used go first); 0 turns the cache off.',
  },
  consentCacheTtl: {
    env: 'CUSTOS_CONSENT_CACHE_TTL',
    schema: duration,
    default: '10m',
    description:
      'How long cached consent state is used without asking the database. A backstop only: changes reach every process at once through PostgreSQL LISTEN/NOTIFY.',
  },
  consentFilterBodyLimit: {
    env: 'CUSTOS_CONSENT_FILTER_BODY_LIMIT',
    schema: z.coerce.number().int().min(1024),
    default: 1024 ** 3,
    description: 'Largest streamed list of subject ids (`POST /v1/consent/filter`) in bytes.',
  },
  gpcLastUpdate: {
    env: 'CUSTOS_GPC_LAST_UPDATE',
    schema: z.iso.date(),
    default: '2026-11-23',
    description:
      'The date `/.well-known/gpc.json` gives as `lastUpdate`: when this deployment last changed how it honours Global Privacy Control.',
  },
  consentBannerDemo: {
    env: 'CUSTOS_CONSENT_BANNER_DEMO',
    schema: bool,
    default: false,
    description: 'Serve a sample site showing the consent banner at `/consent-demo`. For development only.',
  },
  brandName: {
    env: 'CUSTOS_BRAND_NAME',
    schema: z.string().trim().min(1).max(100),
    default: 'Custos',
    description: 'Organization name shown in the privacy center and the console (page titles, headers).',
  },
  brandColor: {
    env: 'CUSTOS_BRAND_COLOR',
    schema: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour written #rrggbb'),
    default: '#1f4e8c',
    description:
      'Accent colour of the privacy center (`#rrggbb`); text on it is drawn black or white, whichever contrasts more.',
  },
  brandLogoUrl: {
    env: 'CUSTOS_BRAND_LOGO_URL',
    schema: z
      .string()
      .max(2000)
      .refine(
        (text) => /^\/[^/]/.test(text) || /^https:\/\/[^\s]+$/.test(text),
        'must be an https:// URL or a path on this server starting with /',
      )
      .optional(),
    description:
      'Logo in the privacy center header: an `https://` URL (its origin is added to the pages’ Content-Security-Policy) or a path on this server.',
  },
  privacyPolicyUrl: {
    env: 'CUSTOS_PRIVACY_POLICY_URL',
    schema: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    description: 'Your privacy policy, linked from every privacy center page and from its registration form.',
  },
  privacySessionIdleTimeout: {
    env: 'CUSTOS_PRIVACY_SESSION_IDLE_TIMEOUT',
    schema: duration,
    default: '30m',
    description: 'A data subject’s privacy center session ends after this long without a request.',
  },
  privacySessionAbsoluteTimeout: {
    env: 'CUSTOS_PRIVACY_SESSION_ABSOLUTE_TIMEOUT',
    schema: duration,
    default: '12h',
    description: 'A data subject’s privacy center session ends this long after sign-in, however active.',
  },
  smtpUrl: {
    env: 'SMTP_URL',
    schema: z
      .string()
      .regex(/^smtps?:\/\/[^/\s]+\/?(\?\S*)?$/, 'must be an smtp:// or smtps:// URL')
      .optional(),
    description:
      'SMTP server for outgoing mail (verification codes, notices to subjects, reminders), e.g. `smtp://user:password@mail.example.org:587` (STARTTLS when offered) or `smtps://…:465`. Unset: mail is held in the outbox (`GET /v1/outbox`) for operators to pass on.',
  },
  mailFrom: {
    env: 'CUSTOS_MAIL_FROM',
    schema: z
      .string()
      .regex(
        /^([^<>\r\n]{1,100} <[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/,
        'must be an address, or a name and an address: `Privacy Team <privacy@example.org>`',
      ),
    default: 'Custos <custos@localhost>',
    description: 'Sender of the mail Custos sends.',
  },
  mailRetention: {
    env: 'CUSTOS_MAIL_RETENTION',
    schema: duration,
    default: '30d',
    description:
      'How long outbox messages are kept (delivered ones keep only their metadata; held ones their content) before they are deleted.',
  },
  requestReminderDays: {
    env: 'CUSTOS_REQUEST_REMINDER_DAYS',
    schema: z.coerce.number().int().min(0).max(60),
    default: 7,
    description:
      'The daily reminder tells each assignee about their open requests that are overdue or due within this many days.',
  },
  auditRetentionSecurity: {
    env: 'CUSTOS_AUDIT_RETENTION_SECURITY',
    schema: auditPeriod,
    default: 'P7Y',
    description:
      'How long audit entries of the `security` class (sign-ins, sessions, operators, keys, API keys, alerts, the log itself) are kept before pruning archives and deletes them (ISO 8601 period, see docs/SECURITY.md).',
  },
  auditRetentionAccess: {
    env: 'CUSTOS_AUDIT_RETENTION_ACCESS',
    schema: auditPeriod,
    default: 'P1Y',
    description:
      'How long audit entries of the `access` class (reads, searches, detokenizations, downloads and exports) are kept before pruning.',
  },
  auditRetentionCompliance: {
    env: 'CUSTOS_AUDIT_RETENTION_COMPLIANCE',
    schema: auditPeriod,
    default: 'P10Y',
    description:
      'How long audit entries of the `compliance` class (requests, consent, retention, changes to personal data, and any action not classified otherwise) are kept before pruning.',
  },
  auditPruneSchedule: {
    env: 'CUSTOS_AUDIT_PRUNE_SCHEDULE',
    schema: z
      .string()
      .regex(
        /^(off|\S+( \S+){4})$/,
        'must be a cron expression with five fields, e.g. `45 2 * * *`, or `off`',
      )
      .transform((text) => (text === 'off' ? null : text)),
    default: '45 2 * * *',
    description:
      "When audit-log pruning runs (cron, UTC): entries past their class's retention are written to a signed archive segment, then deleted; `off` keeps the whole log.",
  },
  auditArchiveDir: {
    env: 'CUSTOS_AUDIT_ARCHIVE_DIR',
    schema: z.string().min(1).optional(),
    description:
      'Where audit-log pruning writes its archive segments (keep them: they are the only copy of pruned entries; `custos audit verify --archive` checks them). Default: `<CUSTOS_DATA_DIR>/audit-archive`.',
  },
  requestReminderSchedule: {
    env: 'CUSTOS_REQUEST_REMINDER_SCHEDULE',
    schema: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'must be a cron expression with five fields, e.g. `0 7 * * *`'),
    default: '0 7 * * *',
    description: 'When the deadline reminder runs (cron, UTC).',
  },
  retentionSweepSchedule: {
    env: 'CUSTOS_RETENTION_SWEEP_SCHEDULE',
    schema: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'must be a cron expression with five fields, e.g. `30 3 * * *`'),
    default: '30 3 * * *',
    description:
      'When the retention sweep runs (cron, UTC): it deletes records whose retention ended and shreds subjects erasure kept once nothing is left to keep.',
  },
  retentionReviewSchedule: {
    env: 'CUSTOS_RETENTION_REVIEW_SCHEDULE',
    schema: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'must be a cron expression with five fields, e.g. `0 2 * * *`'),
    default: '0 2 * * *',
    description:
      'When the daily retention review runs (cron, UTC): records whose retention rule is due are deleted, or their subject crypto-shredded; what falls due soon is reported.',
  },
  retentionAnonymizationSchedule: {
    env: 'CUSTOS_RETENTION_ANONYMIZATION_SCHEDULE',
    schema: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'must be a cron expression with five fields, e.g. `0 3 * * 0`'),
    default: '0 3 * * 0',
    description: 'When the weekly retention anonymization runs (cron, UTC): rules whose action is anonymize.',
  },
  retentionBatchSize: {
    env: 'CUSTOS_RETENTION_BATCH_SIZE',
    schema: z.coerce.number().int().min(1).max(50_000),
    default: 5000,
    description:
      'Records a retention run decides per transaction, in id order, or oldest first taking only those that may be due where every rule counts from creation (in collections with a crypto-shredding rule: at most 100); smaller batches keep other traffic more responsive.',
  },
  retentionParallelism: {
    env: 'CUSTOS_RETENTION_PARALLELISM',
    schema: z.coerce.number().int().min(1).max(16),
    default: 2,
    description:
      'Collections a retention run works side by side, each on a connection of its own (collections with a crypto-shredding rule go one at a time); 1 works them one after the other.',
  },
  retentionDueSoonDays: {
    env: 'CUSTOS_RETENTION_DUE_SOON_DAYS',
    schema: z.coerce.number().int().min(0).max(365),
    default: 30,
    description:
      'Retention runs and the preview report what falls due within this many days (nothing is touched).',
  },
  requestExportTtl: {
    env: 'CUSTOS_REQUEST_EXPORT_TTL',
    schema: duration,
    default: '7d',
    description:
      'How long the download links of an access package or portability archive work; the files are deleted after.',
  },
  drpBusinessId: {
    env: 'CUSTOS_DRP_BUSINESS_ID',
    schema: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1 to 100 letters, digits, _ . or -')
      .optional(),
    description:
      'This business’s id in the Data Rights Protocol network (the `business-id` agents sign for). Unset: the DRP endpoints (`/v1/agent/…`, `/v1/data-rights-request`) answer 404.',
  },
  drpAgentsFile: {
    env: 'CUSTOS_DRP_AGENTS_FILE',
    schema: z.string().min(1).optional(),
    description:
      'DRP service-directory JSON file of trusted authorized agents (`id`, `name`, `verify_key`, …), applied at start (created or updated).',
  },
  drpStatusRetention: {
    env: 'CUSTOS_DRP_STATUS_RETENTION',
    schema: duration.refine((ms) => ms >= 7 * 86_400_000, 'must be at least 7d (DRP §3.02)'),
    default: '60d',
    description:
      'How long after a DRP request closes its status is kept for the agent (`expires_at`); after that it reads `expired`.',
  },
  webhookAllowHttp: {
    env: 'CUSTOS_WEBHOOK_ALLOW_HTTP',
    schema: bool,
    default: false,
    description:
      'Accept `http://` webhook endpoint URLs. Off: endpoints must use HTTPS. For development and tests only.',
  },
  webhookAllowPrivateNetworks: {
    env: 'CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS',
    schema: bool,
    default: false,
    description:
      'Let webhooks reach loopback, private, link-local and other internal addresses (checked on every resolved address). Off guards against requests into your own network.',
  },
  webhookTimeout: {
    env: 'CUSTOS_WEBHOOK_TIMEOUT',
    schema: duration,
    default: '10s',
    description: 'How long a webhook receiver has to answer an attempt before it counts as failed.',
  },
  webhookMaxAttempts: {
    env: 'CUSTOS_WEBHOOK_MAX_ATTEMPTS',
    schema: z.coerce.number().int().min(1).max(30),
    default: 8,
    description:
      'Attempts per webhook delivery (the first and its retries) before it is dead-lettered; a manual redelivery starts a new round.',
  },
  webhookRetryDelay: {
    env: 'CUSTOS_WEBHOOK_RETRY_DELAY',
    schema: duration,
    default: '1m',
    description:
      'Wait before the first retry of a failed webhook delivery; every further retry waits twice as long.',
  },
  webhookRetryMaxDelay: {
    env: 'CUSTOS_WEBHOOK_RETRY_MAX_DELAY',
    schema: duration,
    default: '6h',
    description: 'Longest wait between two attempts of a webhook delivery.',
  },
  webhookSecretGrace: {
    env: 'CUSTOS_WEBHOOK_SECRET_GRACE',
    schema: duration,
    default: '24h',
    description:
      'After a webhook secret is rotated, messages are signed with the new and the previous secret for this long.',
  },
  webhookLogRetention: {
    env: 'CUSTOS_WEBHOOK_LOG_RETENTION',
    schema: duration,
    default: '30d',
    description:
      'Webhook messages whose deliveries are all finished are deleted, with their delivery log, after this long.',
  },
  chromiumPath: {
    env: 'CUSTOS_CHROMIUM_PATH',
    schema: z.string().min(1),
    default: '/usr/bin/chromium',
    description:
      'Chromium (or Chrome) that prints documents (the RoPA) to PDF, run headless. Without it, PDF downloads answer 503 `pdf_unavailable`; HTML, JSON and CSV still work.',
  },
  pdfTimeout: {
    env: 'CUSTOS_PDF_TIMEOUT',
    schema: duration,
    default: '2m',
    description:
      'How long Chromium may take to print one document to PDF before it is stopped (a RoPA of hundreds of activities is hundreds of pages).',
  },
} as const satisfies Record<string, Setting>;

type Settings = typeof settings;
type SettingValue<K extends keyof Settings> = z.output<Settings[K]['schema']>;
export type Config = { [K in Exclude<keyof Settings, 'publicUrl'>]: SettingValue<K> } & {
  /** Always set: the configured URL, or the one the listener is reached at (`defaultPublicUrl`). */
  publicUrl: string;
  configFile: string | undefined;
};

/**
 * Where this process is reached when no public URL is configured: its own scheme, host and port. A
 * wildcard address (all interfaces) is not one a browser can open, and a loopback one is this machine,
 * so both become `localhost` (the default host and port give `http://localhost:8080`).
 */
export function defaultPublicUrl(config: { host: string; port: number; tls: boolean }): string {
  const scheme = config.tls ? 'https' : 'http';
  const bare = config.host.replace(/^\[(.*)\]$/, '$1');
  const local = ['', '0.0.0.0', '::', '::0', '::1'].includes(bare) || /^127\./.test(bare);
  const host = local ? 'localhost' : bare.includes(':') ? `[${bare}]` : bare;
  const standard = config.port === (config.tls ? 443 : 80);
  return `${scheme}://${host}${standard ? '' : `:${config.port}`}`;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new ConfigError([`CUSTOS_CONFIG: cannot read the config file ${path}`]);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new ConfigError([`CUSTOS_CONFIG: ${path} is not valid JSON`]);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError([`CUSTOS_CONFIG: ${path} must hold a JSON object`]);
  }
  const unknownKeys = Object.keys(parsed).filter((key) => !(key in settings));
  if (unknownKeys.length > 0) {
    throw new ConfigError(unknownKeys.map((key) => `${path}: unknown setting "${key}"`));
  }
  return parsed as Record<string, unknown>;
}

/**
 * Reads settings from the environment, over an optional JSON config file (`CUSTOS_CONFIG`), over defaults.
 * Problems name the variable (or file key) and what is wrong, never the value, which may be a secret.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const configFile = env.CUSTOS_CONFIG?.trim() || undefined;
  const fileValues = configFile ? readConfigFile(configFile) : {};
  const problems: string[] = [];
  const result: Record<string, unknown> = { configFile };

  for (const [key, setting] of Object.entries(settings) as [keyof Settings, Setting][]) {
    const fromEnv = env[setting.env];
    const [source, raw] =
      fromEnv !== undefined && fromEnv !== ''
        ? [setting.env, fromEnv]
        : key in fileValues
          ? [`${configFile}: ${key}`, fileValues[key]]
          : ['default', setting.default];
    const parsed = setting.schema.safeParse(raw);
    if (!parsed.success) {
      const reason = parsed.error.issues.map((issue) => issue.message).join('; ');
      problems.push(`${source === 'default' ? setting.env : source}: ${reason}`);
      continue;
    }
    result[key] = parsed.data;
  }

  if (result.masterKey && !result.indexKey) {
    problems.push('CUSTOS_INDEX_KEY must be set with CUSTOS_MASTER_KEY (no key file is written then)');
  }
  if (Boolean(result.tlsCertFile) !== Boolean(result.tlsKeyFile)) {
    problems.push('CUSTOS_TLS_CERT_FILE and CUSTOS_TLS_KEY_FILE must be set together');
  }
  if (problems.length > 0) throw new ConfigError(problems);

  const dataDir = result.dataDir as string;
  result.dataDir = isAbsolute(dataDir) ? dataDir : resolve(dataDir);
  result.publicUrl ??= defaultPublicUrl({
    host: result.host as string,
    port: result.port as number,
    tls: Boolean(result.tlsCertFile),
  });
  return result as Config;
}

/** The settings table for the README. */
export function settingsMarkdown(): string {
  const rows = Object.entries(settings).map(([key, setting]: [string, Setting]) => {
    const fallback =
      setting.default === undefined
        ? '—'
        : `\`${Array.isArray(setting.default) ? setting.default.join(',') || '(empty)' : String(setting.default)}\``;
    return `| \`${setting.env}\` | \`${key}\` | ${fallback} | ${setting.description} |`;
  });
  return ['| Variable | Config file key | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n');
}

/** Where key files live: CUSTOS_KEYS_DIR, or `keys/` inside the data directory. */
export function keysDirOf(config: Pick<Config, 'keysDir' | 'dataDir'>): string {
  return config.keysDir ? resolve(config.keysDir) : resolve(config.dataDir, 'keys');
}
