import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { digestSecret, randomSecret } from '../../lib/secrets.js';
import { idleDeadlineOf, tooManyAttempts } from '../access/auth-service.js';
import { type LoginKeys, type LoginThrottle, loginKeysFor } from '../access/login-throttle.js';
import {
  type Argon2Params,
  dummyHashFor,
  hashPassword,
  needsRehash,
  verifyPassword,
} from '../access/passwords.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { HeldChoices } from '../consent/held-choices.js';
import { normalizeEmail } from '../vault/collection-schema.js';
import type { SubjectAccountRow, SubjectAccountStore } from './subject-account-store.js';

export type SubjectAccountSettings = {
  argon2: Argon2Params;
  /** Key of the e-mail lookup hash (derived for this use alone). */
  emailKey: Buffer;
  idleTimeoutMs: number;
  absoluteTimeoutMs: number;
  loginMaxFailures: number;
  loginMaxFailuresPerIp: number;
};

/** A signed-in data subject, as the authentication hook sees them. */
export type SubjectSession = {
  sessionId: string;
  accountId: string;
  subjectId: string;
  /** The account's address was confirmed with an e-mailed code (accounts older than confirmation were not). */
  addressConfirmed: boolean;
  csrfToken: string;
  expiresAt: Date;
  /** When the session ends unless another request comes first (idle timeout, capped at `expiresAt`). */
  idleExpiresAt: Date;
  /** The instant (of the service's clock) the deadlines were worked out at. */
  checkedAt: Date;
};

export type IssuedSubjectSession = {
  token: string;
  csrfToken: string;
  expiresAt: Date;
  idleExpiresAt: Date;
  checkedAt: Date;
  subjectId: string;
};

type Deps = {
  db: Kysely<DB>;
  store: SubjectAccountStore;
  throttle: LoginThrottle;
  audit: AuditWriter;
  clock: Clock;
  /** The vault's subject lookup: an erased subject has no account left to sign in to. */
  subjects: { getSubject(id: string): Promise<unknown> };
  settings: SubjectAccountSettings;
};

const invalidCredentials = 'The e-mail address or password is incorrect.';
const emailUnverified =
  'Confirm your e-mail address first: enter the code we e-mailed you when you registered, or ask for a new one.';
const touchEveryMs = 60_000;

export function asSubject(context: AuditContext, subjectId: string): AuditContext {
  return { ...context, actor: { type: 'subject', id: subjectId } };
}

/**
 * Data subjects' privacy center accounts: the account row (found by a keyed hash of the e-mail address),
 * password login with the operators' backoff, sessions with their own cookie and CSRF token, and the
 * clean-up when the subject is erased.
 */
export function subjectAccountService({ db, store, throttle, audit, clock, subjects, settings }: Deps) {
  let dummyHash: Promise<string> | undefined;

  /** The keyed hash an account is found by; the address itself is never stored here. */
  function emailIndexFor(email: string): Buffer {
    return createHmac('sha256', settings.emailKey).update(normalizeEmail(email), 'utf8').digest();
  }

  function throttleKeys(email: string, ip: string | null): LoginKeys {
    return loginKeysFor('subject', normalizeEmail(email), ip, settings);
  }

  /** The account registered for an address, if any (found by its keyed hash). */
  function findByEmail(email: string): Promise<SubjectAccountRow | undefined> {
    return store.findByEmailIndex(db, emailIndexFor(email));
  }

  /** The same, locked for the caller's transaction. */
  function lockByEmail(tx: Executor, email: string): Promise<SubjectAccountRow | undefined> {
    return store.lockByEmailIndex(tx, emailIndexFor(email));
  }

  /**
   * Inserts the account of a freshly created vault subject, waiting for its address to be confirmed by
   * `verifyBy`, with the consent choices that are recorded only then. A concurrent twin loses with a `conflict` (reason `account_exists`) that registration
   * turns into its neutral answer; it never reaches the client.
   */
  async function createPendingAccount(
    tx: Executor,
    input: {
      subjectId: string;
      email: string;
      passwordHash: string;
      verifyBy: Date;
      pendingConsents: HeldChoices | null;
    },
  ): Promise<string> {
    const id = randomUUID();
    const now = clock.now();
    try {
      await store.insert(tx, {
        id,
        subject_id: input.subjectId,
        email_index: emailIndexFor(input.email),
        password_hash: input.passwordHash,
        status: 'pending_verification',
        verify_by: input.verifyBy,
        pending_consents: input.pendingConsents,
        created_at: now,
        updated_at: now,
      });
    } catch (error) {
      if (/unique|duplicate/i.test(String((error as Error).message))) {
        throw new AppError('conflict', 'An account with this e-mail address exists already.', {
          extensions: { reason: 'account_exists' },
        });
      }
      throw error;
    }
    return id;
  }

  /** A fresh session (new token, new CSRF token) for an account. */
  async function startSession(
    tx: Executor,
    account: { id: string; subjectId: string },
  ): Promise<IssuedSubjectSession> {
    const now = clock.now();
    const token = randomSecret(32);
    const csrfToken = randomSecret(24);
    const expiresAt = new Date(now.getTime() + settings.absoluteTimeoutMs);
    await store.insertSession(tx, {
      id: digestSecret(token),
      account_id: account.id,
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    });
    return {
      token,
      csrfToken,
      expiresAt,
      idleExpiresAt: idleDeadlineOf(now, expiresAt, settings.idleTimeoutMs),
      checkedAt: now,
      subjectId: account.subjectId,
    };
  }

  async function isErased(subjectId: string): Promise<boolean> {
    try {
      await subjects.getSubject(subjectId);
      return false;
    } catch (error) {
      if (isAppError(error) && (error.code === 'subject_erased' || error.code === 'not_found')) return true;
      throw error;
    }
  }

  /** An unverified registration past its deadline counts as gone, even before the job removes it. */
  function isPastDeadline(account: SubjectAccountRow, now: Date): boolean {
    return (
      account.status === 'pending_verification' &&
      (account.verify_by === null || account.verify_by.getTime() <= now.getTime())
    );
  }

  /**
   * Checks e-mail and password; one message and the same work for every failure, with backoff. An account
   * whose address is not confirmed yet is refused with its own reason only when the password is right.
   */
  async function login(
    context: AuditContext,
    input: { email: string; password: string },
  ): Promise<IssuedSubjectSession> {
    const now = clock.now();
    const keys = throttleKeys(input.email, context.ip);
    const waitMs = await throttle.loginBlockedFor(db, keys, now);
    if (waitMs > 0) {
      await audit.record(context, { action: 'subject.login.throttled', outcome: 'denied' });
      throw tooManyAttempts(waitMs);
    }
    const found = await store.findByEmailIndex(db, emailIndexFor(input.email));
    dummyHash ??= dummyHashFor(settings.argon2);
    const valid = await verifyPassword(found?.password_hash ?? (await dummyHash), input.password);
    const failure = !found
      ? 'unknown_account'
      : !valid
        ? 'wrong_password'
        : isPastDeadline(found, now)
          ? 'registration_expired'
          : (await isErased(found.subject_id))
            ? 'subject_erased'
            : undefined;
    if (!found || failure) {
      const blocked = await db.transaction().execute(async (tx) => {
        const nowBlocked = (await throttle.recordLoginFailure(tx, keys, now)).blocked;
        await audit.append(tx, context, {
          action: 'subject.login.failed',
          outcome: 'failure',
          details: { reason: failure },
        });
        return nowBlocked;
      });
      if (blocked) throw tooManyAttempts(await throttle.loginBlockedFor(db, keys, now));
      throw new AppError('unauthenticated', invalidCredentials, {
        extensions: { reason: 'invalid_credentials' },
      });
    }
    const account = found;
    if (account.status === 'pending_verification') {
      // Only someone who knows the password learns that the address still waits for confirmation.
      await audit.record(asSubject(context, account.subject_id), {
        action: 'subject.login.failed',
        outcome: 'denied',
        target: { type: 'subject', id: account.subject_id },
        details: { reason: 'email_unverified' },
      });
      throw new AppError('forbidden', emailUnverified, { extensions: { reason: 'email_unverified' } });
    }
    const rehash = needsRehash(account.password_hash, settings.argon2)
      ? await hashPassword(input.password, settings.argon2)
      : undefined;
    return db.transaction().execute(async (tx) => {
      await throttle.clear(tx, keys.pair);
      await store.setLastLogin(tx, account.id, now, rehash);
      const issued = await startSession(tx, { id: account.id, subjectId: account.subject_id });
      await audit.append(tx, asSubject(context, account.subject_id), {
        action: 'subject.login.succeeded',
        outcome: 'success',
        target: { type: 'subject', id: account.subject_id },
        details: { rehashed: Boolean(rehash) },
      });
      return issued;
    });
  }

  /** The live session for a cookie token, or why there is none; enforces the idle and absolute timeouts. */
  async function authenticateSession(
    token: string,
  ): Promise<{ session: SubjectSession } | { problem: 'session_expired' | 'session_invalid' }> {
    const now = clock.now();
    const row = await store.findLiveSession(db, digestSecret(token));
    if (!row) return { problem: 'session_invalid' };
    const idleDeadline = row.last_seen_at.getTime() + settings.idleTimeoutMs;
    if (row.expires_at.getTime() <= now.getTime() || idleDeadline <= now.getTime()) {
      return { problem: 'session_expired' };
    }
    const touched = now.getTime() - row.last_seen_at.getTime() >= touchEveryMs;
    if (touched) await store.touchSession(db, row.id, now);
    const lastSeenAt = touched ? now : row.last_seen_at;
    return {
      session: {
        sessionId: row.id,
        accountId: row.account_id,
        subjectId: row.subject_id,
        addressConfirmed: row.verified_at !== null,
        csrfToken: row.csrf_token,
        expiresAt: row.expires_at,
        idleExpiresAt: idleDeadlineOf(lastSeenAt, row.expires_at, settings.idleTimeoutMs),
        checkedAt: now,
      },
    };
  }

  async function logout(context: AuditContext, session: SubjectSession): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await store.revokeSession(tx, session.sessionId, clock.now());
      await audit.append(tx, context, {
        action: 'subject.session.revoked',
        outcome: 'success',
        target: { type: 'subject', id: session.subjectId },
      });
    });
  }

  /** Erasure hook: the account (its e-mail hash and password hash) and its sessions go with the subject. */
  async function forgetSubject(tx: Executor, subjectId: string): Promise<number> {
    return store.deleteBySubject(tx, subjectId);
  }

  /** Prunes sessions that ended more than a day ago. */
  async function pruneSessions(): Promise<number> {
    return store.deleteEndedSessions(db, new Date(clock.now().getTime() - 24 * 3_600_000));
  }

  return {
    findByEmail,
    lockByEmail,
    isPastDeadline,
    createPendingAccount,
    startSession,
    login,
    authenticateSession,
    logout,
    forgetSubject,
    pruneSessions,
  };
}

export type SubjectAccountService = ReturnType<typeof subjectAccountService>;
