import { hkdfSync, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Config, keysDirOf } from './config.js';
import type { Database } from './db/database.js';
import { maintenanceJob, type PruneTask } from './jobs/maintenance.js';
import type { JobDefinition } from './jobs/queue.js';
import { aead } from './lib/aead.js';
import type { Clock } from './lib/clock.js';
import { loadOrCreateKeyFile } from './lib/key-file.js';
import { sealedBox } from './lib/sealed-box.js';
import type { Logger } from './logger.js';
import { apiKeyService } from './modules/access/api-key-service.js';
import { apiKeyStore } from './modules/access/api-key-store.js';
import { authService } from './modules/access/auth-service.js';
import { loginThrottle } from './modules/access/login-throttle.js';
import { mfaService } from './modules/access/mfa-service.js';
import { operatorService } from './modules/access/operator-service.js';
import { operatorStore } from './modules/access/operator-store.js';
import { sessionStore } from './modules/access/session-store.js';
import { auditCheckpointJob } from './modules/audit/audit-jobs.js';
import { auditKeyFilesOf, lazyAuditKeys } from './modules/audit/audit-keys.js';
import { auditService } from './modules/audit/audit-service.js';
import { auditStore } from './modules/audit/audit-store.js';
import { keyMaterialFrom } from './modules/keys/key-material.js';
import { rewrapJob } from './modules/keys/keys-jobs.js';
import { keysService } from './modules/keys/keys-service.js';
import { keysStore } from './modules/keys/keys-store.js';
import { instanceService } from './modules/operations/instance-service.js';
import { instanceStore } from './modules/operations/instance-store.js';
import { collectionService } from './modules/vault/collection-service.js';
import { importService } from './modules/vault/import-service.js';
import { recordService } from './modules/vault/record-service.js';
import { tokenService } from './modules/vault/token-service.js';
import { collectionStore, importStore, subjectStore } from './modules/vault/vault-store.js';

export type ServiceDeps = {
  config: Config;
  database: Database;
  clock: Clock;
  logger: Logger;
  version: string;
};

/** The 256-bit key that seals TOTP seeds, from the keys directory (created on first start, mode 0600). */
function mfaKey(config: Config): Buffer {
  const file = loadOrCreateKeyFile(join(keysDirOf(config), 'mfa-seal.key'), () =>
    randomBytes(32).toString('base64'),
  );
  return Buffer.from(file.toString('utf8').trim(), 'base64');
}

/**
 * The wiring root for data access and services: stores are created here and handed to the services that
 * own them; services reach each other only through what is passed in. Both the HTTP app and the worker
 * are built from this one object.
 */
export function createServices({ config, database, clock, logger, version }: ServiceDeps) {
  const db = database.db;
  const instances = instanceService({ db, store: instanceStore(), clock, version });
  const audit = auditService({
    db,
    store: auditStore(),
    keys: lazyAuditKeys(auditKeyFilesOf(config)),
    clock,
    settings: {
      checkpointEvery: config.auditCheckpointEvery,
      checkpointIntervalMs: config.auditCheckpointInterval,
    },
  });

  const operatorRows = operatorStore();
  const sessionRows = sessionStore();
  const throttle = loginThrottle(sessionRows);
  const argon2 = {
    memoryKib: config.argon2MemoryKib,
    timeCost: config.argon2TimeCost,
    parallelism: config.argon2Parallelism,
  };
  const auth = authService({
    db,
    operators: operatorRows,
    sessions: sessionRows,
    throttle,
    audit,
    clock,
    settings: {
      argon2,
      idleTimeoutMs: config.sessionIdleTimeout,
      absoluteTimeoutMs: config.sessionAbsoluteTimeout,
      mfaRequiredRoles: config.mfaRequiredRoles,
      loginMaxFailures: config.loginMaxFailures,
      loginMaxFailuresPerIp: config.loginMaxFailuresPerIp,
    },
  });
  const mfa = mfaService({
    db,
    operators: operatorRows,
    auth,
    throttle,
    audit,
    clock,
    box: sealedBox(mfaKey(config)),
    issuer: 'Custos',
    maxFailures: config.loginMaxFailures,
  });
  const operators = operatorService({
    db,
    operators: operatorRows,
    sessions: sessionRows,
    mfa,
    audit,
    clock,
    settings: {
      argon2,
      setupTokenTtlMs: config.setupTokenTtl,
      invitationTtlMs: config.invitationTtl,
      publicUrl: config.publicUrl,
    },
  });
  const apiKeys = apiKeyService({ db, store: apiKeyStore(), audit, clock });
  // Key files (master key v1, blind-index root) are created here on first start, unless CUSTOS_MASTER_KEY is set.
  const keyMaterial = keyMaterialFrom({ ...config, keysDir: keysDirOf(config) });
  const keys = keysService({
    db,
    store: keysStore(),
    ...keyMaterial,
    audit,
    clock,
    settings: {
      dekCacheSize: config.dekCacheSize,
      dekCacheTtlMs: config.dekCacheTtl,
      rewrapBatchSize: config.rewrapBatchSize,
    },
  });

  const collectionRows = collectionStore();
  const subjectRows = subjectStore();
  const collections = collectionService({ db, store: collectionRows, audit, clock });
  const vaultSettings = {
    purposes: config.readPurposes,
    phoneRegion: config.phoneRegion,
    // Keyed-hash masking gets its own key, derived so that it matches neither tokens nor blind indexes.
    maskKey: Buffer.from(hkdfSync('sha256', keys.tokenKey(), Buffer.alloc(0), 'custos.masking.v1', 32)),
  };
  const records = recordService({
    db,
    subjects: subjectRows,
    collectionRows,
    collections,
    keys,
    aead,
    audit,
    clock,
    settings: vaultSettings,
  });
  const imports = importService({
    db,
    store: importStore(),
    collections,
    keys,
    aead,
    audit,
    clock,
    settings: vaultSettings,
    databaseKind: database.kind,
  });
  const tokens = tokenService({
    db,
    subjects: subjectRows,
    collections,
    keys,
    aead,
    audit,
    settings: vaultSettings,
  });

  const pruneTasks: PruneTask[] = [
    { name: 'instances', prune: instances.pruneStale },
    { name: 'sessions', prune: auth.pruneExpired },
    { name: 'setup_tokens', prune: operators.pruneExpiredTokens },
  ];
  const jobDefinitions: JobDefinition[] = [
    maintenanceJob(pruneTasks, logger),
    auditCheckpointJob(audit, logger),
    rewrapJob(keys, logger),
  ];

  return {
    instances,
    audit,
    auth,
    mfa,
    operators,
    apiKeys,
    keys,
    collections,
    records,
    tokens,
    imports,
    pruneTasks,
    jobDefinitions,
  };
}

export type Services = ReturnType<typeof createServices>;
