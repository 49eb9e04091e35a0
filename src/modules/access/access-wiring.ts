import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { type Config, keysDirOf } from '../../config.js';
import { loadOrCreateKeyFile } from '../../lib/key-file.js';
import { sealedBox } from '../../lib/sealed-box.js';
import type { Platform } from '../../wiring/platform.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditService } from '../audit/audit-service.js';
import { apiKeyService } from './api-key-service.js';
import { apiKeyStore } from './api-key-store.js';
import { authService } from './auth-service.js';
import { loginThrottle } from './login-throttle.js';
import { mfaService } from './mfa-service.js';
import { operatorService } from './operator-service.js';
import { operatorStore } from './operator-store.js';
import { hashPassword } from './passwords.js';
import { sessionStore } from './session-store.js';

/** The 256-bit key that seals TOTP seeds, from the keys directory (created on first start, mode 0600). */
function mfaKey(config: Config): Buffer {
  const file = loadOrCreateKeyFile(join(keysDirOf(config), 'mfa-seal.key'), () =>
    randomBytes(32).toString('base64'),
  );
  return Buffer.from(file.toString('utf8').trim(), 'base64');
}

/** Operators, their sessions and MFA, API keys, and the login throttle the privacy center shares. */
export function accessModule(
  { config, database, db, clock }: Platform,
  { audit, raiseAlert }: { audit: AuditService; raiseAlert: SecurityAlerts },
) {
  const operatorRows = operatorStore();
  const sessionRows = sessionStore();
  const throttle = loginThrottle(sessionRows);
  const argon2 = {
    memoryKib: config.argon2MemoryKib,
    timeCost: config.argon2TimeCost,
    parallelism: config.argon2Parallelism,
  };
  // Hashing through one object, so a test can see which requests hash a password.
  const passwordHasher = { hash: (password: string) => hashPassword(password, argon2) };
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
      brandName: config.brandName,
    },
    alerts: raiseAlert,
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
      brandName: config.brandName,
      publicUrl: config.publicUrl,
    },
  });
  const apiKeys = apiKeyService({ db, store: apiKeyStore(), audit, clock, listen: database.listen });
  return {
    auth,
    mfa,
    operators,
    apiKeys,
    throttle,
    argon2,
    passwordHasher,
    background: {
      jobs: [],
      prune: [
        { name: 'sessions', prune: auth.pruneExpired },
        { name: 'setup_tokens', prune: operators.pruneExpiredTokens },
      ],
    },
  };
}
