import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { type SessionDeadlines, type SessionProblem, sessionKit } from '../../lib/session-kit.js';
import type { SecurityAlerts } from '../alerts/security-alerts.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type LoginThrottle, loginKeysFor } from './login-throttle.js';
import type { OperatorRow, OperatorStore } from './operator-store.js';
import {
  type Argon2Params,
  assertStrongPassword,
  dummyHashFor,
  hashPassword,
  needsRehash,
  verifyPassword,
} from './passwords.js';
import { isRole, type Role } from './permissions.js';
import type { SessionStore } from './session-store.js';

export type AuthSettings = {
  argon2: Argon2Params;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  mfaRequiredRoles: readonly string[];
  loginMaxFailures: number;
  loginMaxFailuresPerIp: number;
  /** The organization's name, guessable in its people's passwords. */
  brandName: string;
};

/** What the caller must do next after a password login. */
export type NextStep = 'mfa_verify' | 'mfa_enroll' | null;

export type IssuedSession = SessionDeadlines & { token: string; csrfToken: string; nextStep: NextStep };

/**
 * A session's second factor: `satisfied` when the session may act (MFA passed, or not needed by the
 * operator's roles and not enrolled); `verifiedAt` only when a TOTP or recovery code was checked in it.
 */
export type SessionMfa = { satisfied: boolean; verifiedAt: Date | null };

export type ActiveSession = SessionDeadlines & {
  sessionId: string;
  operatorId: string;
  roles: Role[];
  mfaSatisfied: boolean;
  /** When a second factor was checked in this session; null when none was (see the grant policy). */
  mfaVerifiedAt: Date | null;
  nextStep: NextStep;
  csrfToken: string;
};

type Deps = {
  db: Kysely<DB>;
  operators: OperatorStore;
  sessions: SessionStore;
  throttle: LoginThrottle;
  audit: AuditWriter;
  clock: Clock;
  settings: AuthSettings;
  /** Alerts raised when an account's or a client's logins get backed off. */
  alerts?: Pick<SecurityAlerts, 'accountLocked' | 'clientThrottled'> | undefined;
};

const invalidCredentials = 'The e-mail address or password is incorrect.';

export function rolesOf(row: Pick<OperatorRow, 'roles'>): Role[] {
  return row.roles.filter(isRole);
}

/** Password login, operator sessions (create, look up, rotate, revoke) and password changes. */
export function authService({ db, operators, sessions, throttle, audit, clock, settings, alerts }: Deps) {
  let dummyHash: Promise<string> | undefined;
  const kit = sessionKit({ store: sessions, clock, timeouts: settings });

  function mfaRequiredFor(roles: readonly string[]): boolean {
    return roles.some((role) => settings.mfaRequiredRoles.includes(role));
  }

  function nextStepFor(
    operator: Pick<OperatorRow, 'roles' | 'mfa_enabled'>,
    mfaSatisfied: boolean,
  ): NextStep {
    if (mfaSatisfied) return null;
    if (operator.mfa_enabled) return 'mfa_verify';
    return mfaRequiredFor(operator.roles) ? 'mfa_enroll' : null;
  }

  /** Creates a fresh session (new token, new CSRF token). Every login and privilege change gets one. */
  async function startSession(
    tx: Executor,
    operator: Pick<OperatorRow, 'id' | 'roles' | 'mfa_enabled'>,
    mfa: SessionMfa,
  ): Promise<IssuedSession> {
    const started = await kit.start(tx, {
      operator_id: operator.id,
      mfa_satisfied: mfa.satisfied,
      mfa_verified_at: mfa.verifiedAt,
    });
    return { ...started, nextStep: nextStepFor(operator, mfa.satisfied) };
  }

  /** Replaces the caller's session with a new one (rotation at privilege change). */
  async function rotateSession(
    tx: Executor,
    oldSessionId: string,
    operator: Pick<OperatorRow, 'id' | 'roles' | 'mfa_enabled'>,
    mfa: SessionMfa,
  ): Promise<IssuedSession> {
    await kit.revoke(tx, oldSessionId);
    return startSession(tx, operator, mfa);
  }

  /** Checks e-mail and password; on success opens a session. One generic error for every failure. */
  async function login(
    context: AuditContext,
    input: { email: string; password: string },
  ): Promise<IssuedSession> {
    const now = clock.now();
    const keys = loginKeysFor('account', input.email, context.ip, settings);
    const waitMs = await throttle.loginBlockedFor(db, keys, now);
    if (waitMs > 0) {
      await audit.record(context, { action: 'operator.login.throttled', outcome: 'denied' });
      throw tooManyAttempts(waitMs);
    }

    const operator = await operators.findByEmail(db, input.email);
    const usable = operator?.status === 'active' && operator.password_hash ? operator : undefined;
    dummyHash ??= dummyHashFor(settings.argon2);
    const valid = await verifyPassword(usable?.password_hash ?? (await dummyHash), input.password);

    if (!usable || !valid) {
      const target = operator ? { type: 'operator', id: operator.id } : undefined;
      const blocked = await db.transaction().execute(async (tx) => {
        const counted = await throttle.recordLoginFailure(tx, keys, now);
        const nowBlocked = counted.blocked;
        // Alerts before the audit entries: an append holds its chain's lock until the commit.
        if (operator && (counted.pairBlocked || counted.accountSlowed)) {
          await alerts?.accountLocked(tx, operator.id);
        }
        if (context.ip && counted.clientBlocked) await alerts?.clientThrottled(tx, context.ip);
        await audit.append(tx, context, {
          action: 'operator.login.failed',
          outcome: 'failure',
          target,
          details: {
            reason: operator
              ? usable
                ? 'wrong_password'
                : `operator_${operator.status}`
              : 'unknown_account',
          },
        });
        if (nowBlocked)
          await audit.append(tx, context, { action: 'operator.login.locked', outcome: 'denied', target });
        return nowBlocked;
      });
      if (blocked) throw tooManyAttempts(await throttle.loginBlockedFor(db, keys, now));
      throw new AppError('unauthenticated', invalidCredentials, {
        extensions: { reason: 'invalid_credentials' },
      });
    }

    const rehash = needsRehash(usable.password_hash ?? '', settings.argon2)
      ? await hashPassword(input.password, settings.argon2)
      : undefined;
    return db.transaction().execute(async (tx) => {
      // Only this network's count: the account-wide one keeps slowing an attack from elsewhere.
      await throttle.clear(tx, keys.pair);
      await operators.update(
        tx,
        usable.id,
        { last_login_at: now, ...(rehash ? { password_hash: rehash } : {}) },
        now,
      );
      const issued = await startSession(tx, usable, {
        satisfied: nextStepFor(usable, false) === null,
        verifiedAt: null,
      });
      await audit.append(tx, asOperator(context, usable.id), {
        action: 'operator.login.succeeded',
        outcome: 'success',
        target: { type: 'operator', id: usable.id },
        details: { nextStep: issued.nextStep, rehashed: Boolean(rehash) },
      });
      return issued;
    });
  }

  /**
   * The live session for a cookie token, or why there is none (the session kit's timeouts); a disabled
   * operator's session is invalid.
   */
  function authenticateSession(
    token: string,
  ): Promise<{ session: ActiveSession } | { problem: SessionProblem }> {
    return kit.authenticate(db, token, {
      usable: (row) => row.operator.status === 'active',
      present: (row) => ({
        sessionId: row.id,
        operatorId: row.operator_id,
        roles: rolesOf(row.operator),
        mfaSatisfied: row.mfa_satisfied,
        mfaVerifiedAt: row.mfa_verified_at,
        nextStep: nextStepFor(row.operator, row.mfa_satisfied),
        csrfToken: row.csrf_token,
      }),
    });
  }

  /** Ends the caller's session. */
  async function logout(context: AuditContext, sessionId: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await kit.revoke(tx, sessionId);
      await audit.append(tx, context, {
        action: 'session.revoked',
        outcome: 'success',
        details: { scope: 'current' },
      });
    });
  }

  /** Ends every session of the operator, on every device. */
  async function logoutEverywhere(context: AuditContext, operatorId: string): Promise<number> {
    return db.transaction().execute(async (tx) => {
      const count = await sessions.revokeAllOf(tx, operatorId, clock.now());
      await audit.append(tx, context, {
        action: 'session.revoked',
        outcome: 'success',
        target: { type: 'operator', id: operatorId },
        details: { scope: 'all', count },
      });
      return count;
    });
  }

  /** Changes the operator's own password; every other session of theirs ends and this one rotates. */
  async function changePassword(
    context: AuditContext,
    current: ActiveSession,
    input: { currentPassword: string; newPassword: string },
  ): Promise<IssuedSession> {
    const operator = await operators.findById(db, current.operatorId);
    if (!operator?.password_hash || !(await verifyPassword(operator.password_hash, input.currentPassword))) {
      await audit.record(context, { action: 'operator.password.change_failed', outcome: 'failure' });
      throw new AppError('unauthenticated', 'The current password is incorrect.', {
        extensions: { reason: 'invalid_credentials' },
      });
    }
    assertStrongPassword(input.newPassword, {
      name: operator.display_name,
      email: operator.email,
      brand: settings.brandName,
    });
    const passwordHash = await hashPassword(input.newPassword, settings.argon2);
    return db.transaction().execute(async (tx) => {
      const now = clock.now();
      await operators.update(tx, operator.id, { password_hash: passwordHash, password_changed_at: now }, now);
      await sessions.revokeAllOf(tx, operator.id, now);
      const issued = await startSession(tx, operator, {
        satisfied: current.mfaSatisfied,
        verifiedAt: current.mfaVerifiedAt,
      });
      await audit.append(tx, context, {
        action: 'operator.password.changed',
        outcome: 'success',
        target: { type: 'operator', id: operator.id },
      });
      return issued;
    });
  }

  /** Prunes sessions that ended more than a day ago and stale throttle rows. */
  async function pruneExpired(): Promise<number> {
    const cutoff = kit.pruneCutoff();
    return (await sessions.deleteEnded(db, cutoff)) + (await sessions.deleteStaleThrottles(db, cutoff));
  }

  return {
    login,
    authenticateSession,
    logout,
    logoutEverywhere,
    changePassword,
    startSession,
    rotateSession,
    mfaRequiredFor,
    nextStepFor,
    pruneExpired,
  };
}

export function asOperator(context: AuditContext, operatorId: string): AuditContext {
  return { ...context, actor: { type: 'operator', id: operatorId } };
}

export function tooManyAttempts(waitMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(waitMs / 1000));
  return new AppError('rate_limited', `Too many failed attempts. Try again in ${seconds} seconds.`, {
    headers: { 'retry-after': String(seconds) },
    extensions: { retryAfterSeconds: seconds },
  });
}

export type AuthService = ReturnType<typeof authService>;
