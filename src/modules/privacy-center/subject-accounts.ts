import { createHmac, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { type SessionDeadlines, type SessionProblem, sessionKit } from '../../lib/session-kit.js';
import { tooManyAttempts } from '../access/auth-service.js';
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
import type { SubjectAccountRow, SubjectAccountStore, SubjectSessionStore } from './subject-account-store.js';

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
export type SubjectSession = SessionDeadlines & {
  sessionId: string;
  accountId: string;
  subjectId: string;
  /** The account's address was confirmed with an e-mailed code (accounts older than confirmation were not). */
  addressConfirmed: boolean;
  csrfToken: string;
};

export type IssuedSubjectSession = SessionDeadlines & { token: string; csrfToken: string; subjectId: string };

type Deps = {
  db: Kysely<DB>;
  store: SubjectAccountStore;
  sessions: SubjectSessionStore;
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

export function asSubject(context: AuditContext, subjectId: string): AuditContext {
  return { ...context, actor: { type: 'subject', id: subjectId } };
}

/**
 * Data subjects' privacy center accounts: the account row (found by a keyed hash of the e-mail address),
 * password login with the operators' backoff, sessions with their own cookie and CSRF token, and the
 * clean-up when the subject is erased.
 */
export function subjectAccountService({
  db,
  store,
  sessions,
  throttle,
  audit,
  clock,
  subjects,
  settings,
}: Deps) {
  let dummyHash: Promise<string> | undefined;
  const kit = sessionKit({ store: sessions, clock, timeouts: settings });

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
    const started = await kit.start(tx, { account_id: account.id });
    return { ...started, subjectId: account.subjectId };
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

  /** The live session for a cookie token, or why there is none (the session kit's timeouts). */
  function authenticateSession(
    token: string,
  ): Promise<{ session: SubjectSession } | { problem: SessionProblem }> {
    return kit.authenticate(db, token, {
      present: (row) => ({
        sessionId: row.id,
        accountId: row.account_id,
        subjectId: row.subject_id,
        addressConfirmed: row.verified_at !== null,
        csrfToken: row.csrf_token,
      }),
    });
  }

  async function logout(context: AuditContext, session: SubjectSession): Promise<void> {
    await db.transaction().execute(async (tx) => {
      await kit.revoke(tx, session.sessionId);
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
    return kit.prune(db);
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
