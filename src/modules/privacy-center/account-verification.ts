import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError, isAppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ConsentService } from '../consent/consent-service.js';
import type { MailService } from '../mail/mail-service.js';
import { type CodeRandom, codeMatches, issueCode } from '../requests/verification-codes.js';
import { alreadyRegisteredNotice, type NoticeSettings, verificationCodeNotice } from './account-notices.js';
import type { SubjectAccountRow, SubjectAccountStore } from './subject-account-store.js';
import { asSubject, type IssuedSubjectSession, type SubjectAccountService } from './subject-accounts.js';

/** How long a registration may wait for its address to be confirmed before it is removed. */
export const verificationWindowMs = 86_400_000;
/** Eight digits: a code lives up to a day, so it gets a hundred times the space of a 15-minute one. */
export const accountCodeDigits = 8;
/** Wrong tries before a code stops working and a new one must be asked for. */
export const maxAccountCodeAttempts = 5;
/** Codes one registration may be sent in a rolling day, the first included (bounds mail to the address). */
export const maxAccountCodesPerDay = 5;
/** At most one "you already have an account" notice per account in this time. */
export const noticeIntervalMs = 3_600_000;
const dayMs = 86_400_000;
/** Expired registrations the job looks at per round. */
const expiryBatch = 100;

const saltBytes = 16;
export const accountCodeRandom: CodeRandom = {
  code: () => String(randomInt(0, 10 ** accountCodeDigits)).padStart(accountCodeDigits, '0'),
  salt: () => randomBytes(saltBytes),
};

type Removed = { records: number; indexes: number; tokens: number };

type Deps = {
  db: Kysely<DB>;
  store: SubjectAccountStore;
  accounts: Pick<SubjectAccountService, 'lockByEmail' | 'isPastDeadline' | 'startSession'>;
  mail: Pick<MailService, 'enqueue'>;
  /** Records the consent choices held with a registration, in the transaction that activates it. */
  consent: Pick<ConsentService, 'recordHeld' | 'announce'>;
  /** The vault's crypto-shredding in the caller's transaction (runs the erasure hooks). */
  vault: { shredWithin(tx: Tx, subjectId: string): Promise<Removed> };
  audit: AuditWriter;
  clock: Clock;
  /** `codeKey`: HMAC key for code digests, held by the server and never stored in the database. */
  settings: NoticeSettings & { codeKey: Buffer };
  random?: CodeRandom;
};

/** One answer for every failed confirmation: no caller learns whether an address has a registration. */
export function invalidCode(): AppError {
  return new AppError(
    'verification_failed',
    `This code does not confirm the address. Check that you typed the e-mail address and the ${accountCodeDigits}-digit code from our latest message; a code stops working after ${maxAccountCodeAttempts} wrong tries, when a newer one is sent, and 24 hours after registering. You can ask for a new code.`,
    { extensions: { reason: 'invalid_code' } },
  );
}

const subjectTarget = (subjectId: string) => ({ type: 'subject', id: subjectId });

/**
 * Confirming a privacy center account's e-mail address: a random eight-digit code, stored as a keyed
 * digest, valid until the registration's deadline (24 hours), burnt after five wrong tries; re-sending is
 * neutral and capped; unconfirmed registrations are crypto-shredded when their deadline passes, their held
 * consent choices with them. Confirming records those choices. Every answer a caller sees is the same
 * whether or not the address has a registration.
 */
export function accountVerification({
  db,
  store,
  accounts,
  mail,
  consent,
  vault,
  audit,
  clock,
  settings,
  random = accountCodeRandom,
}: Deps) {
  /** A new code (earlier ones stop working), stored as a digest and e-mailed in the caller's transaction. */
  async function sendCode(
    tx: Executor,
    account: Pick<SubjectAccountRow, 'id' | 'subject_id'> & { verify_by: Date },
    email: string,
  ): Promise<void> {
    const now = clock.now();
    await store.spendCodes(tx, account.id, now);
    const { code, stored } = issueCode(settings.codeKey, account.id, random);
    await store.insertCode(tx, {
      id: randomUUID(),
      account_id: account.id,
      salt: stored.salt,
      digest: stored.digest,
      expires_at: account.verify_by,
      created_at: now,
    });
    await mail.enqueue(
      tx,
      verificationCodeNotice(settings, {
        subjectId: account.subject_id,
        to: email,
        code,
        validUntil: account.verify_by,
        maxAttempts: maxAccountCodeAttempts,
      }),
    );
  }

  /** The deadline of a registration made now. */
  function deadlineFrom(now: Date): Date {
    return new Date(now.getTime() + verificationWindowMs);
  }

  /**
   * A registration with an address that has an account: tells the address owner (at most once an hour),
   * creates nothing, and audits the attempt against the existing subject. `within` runs first in the
   * same transaction (the registration job deletes its pending registration there).
   */
  async function notifyExisting(
    context: AuditContext,
    account: SubjectAccountRow,
    email: string,
    within?: (tx: Tx) => Promise<void>,
  ) {
    await db.transaction().execute(async (tx) => {
      await within?.(tx);
      const now = clock.now();
      const notified = await store.claimNotice(
        tx,
        account.id,
        now,
        new Date(now.getTime() - noticeIntervalMs),
      );
      if (notified) {
        const pendingUntil = account.status === 'pending_verification' ? account.verify_by : null;
        await mail.enqueue(
          tx,
          alreadyRegisteredNotice(settings, { subjectId: account.subject_id, to: email, pendingUntil }),
        );
      }
      await audit.append(tx, context, {
        action: 'subject.account.registration_repeated',
        outcome: 'failure',
        target: subjectTarget(account.subject_id),
        details: { status: account.status, notified },
      });
    });
  }

  /**
   * Checks a code for an address: the right one activates the account, records the consent choices held
   * since registration (proven now that the address is) and starts a session, in one transaction. A wrong
   * one counts against the code's tries and is recorded (committed) before the one generic error is thrown.
   */
  async function verify(
    context: AuditContext,
    input: { email: string; code: string },
  ): Promise<IssuedSubjectSession> {
    const confirmed = await db.transaction().execute(async (tx) => {
      const now = clock.now();
      const account = await accounts.lockByEmail(tx, input.email);
      if (account?.status !== 'pending_verification' || accounts.isPastDeadline(account, now)) {
        await audit.append(tx, context, {
          action: 'subject.account.verification_failed',
          outcome: 'failure',
          details: { reason: 'no_pending_registration' },
        });
        return undefined;
      }
      const target = subjectTarget(account.subject_id);
      const current = await store.unspentCode(tx, account.id);
      const matches = current ? codeMatches(settings.codeKey, current, account.id, input.code) : false;
      const expired = current ? now.getTime() >= current.expires_at.getTime() : false;
      if (!current || expired || !matches) {
        let attemptsLeft: number | undefined;
        if (current && !expired) {
          attemptsLeft = Math.max(0, maxAccountCodeAttempts - (current.attempts + 1));
          await store.recordFailedAttempt(tx, current.id, attemptsLeft === 0 ? now : null);
        }
        const reason = !current ? 'no_usable_code' : expired ? 'expired' : 'wrong_code';
        await audit.append(tx, context, {
          action: 'subject.account.verification_failed',
          outcome: 'failure',
          target,
          details: { reason, ...(attemptsLeft === undefined ? {} : { attemptsLeft }) },
        });
        return undefined;
      }
      const own = asSubject(context, account.subject_id);
      await store.activate(tx, account.id, now);
      await store.deleteCodes(tx, account.id);
      await store.setLastLogin(tx, account.id, now);
      const held = account.pending_consents
        ? await consent.recordHeld(tx, own, account.subject_id, account.pending_consents)
        : undefined;
      await audit.append(tx, own, {
        action: 'subject.account.verified',
        outcome: 'success',
        target,
        details: held ? { consentEvents: held.events, lapsed: held.lapsed } : { consentEvents: 0 },
      });
      const session = await accounts.startSession(tx, { id: account.id, subjectId: account.subject_id });
      return { session, consentRecorded: (held?.events ?? 0) > 0 };
    });
    if (!confirmed) throw invalidCode();
    const { session, consentRecorded } = confirmed;
    // Committed: every process forgets the consent state it may have read while the account waited.
    if (consentRecorded) await consent.announce([session.subjectId]);
    return session;
  }

  /**
   * Sends a new code when the address has a registration waiting for one, within the daily cap; says
   * nothing either way, so it cannot be used to learn about an address.
   */
  async function resendCode(context: AuditContext, email: string): Promise<void> {
    await db.transaction().execute(async (tx) => {
      const now = clock.now();
      const account = await accounts.lockByEmail(tx, email);
      const verifyBy = account?.status === 'pending_verification' ? account.verify_by : null;
      if (!account || !verifyBy || accounts.isPastDeadline(account, now)) {
        await audit.append(tx, context, {
          action: 'subject.account.code_withheld',
          outcome: 'denied',
          details: { reason: 'no_pending_registration' },
        });
        return;
      }
      const target = subjectTarget(account.subject_id);
      const since = new Date(now.getTime() - dayMs);
      if ((await store.countCodesSince(tx, account.id, since)) >= maxAccountCodesPerDay) {
        await audit.append(tx, context, {
          action: 'subject.account.code_withheld',
          outcome: 'denied',
          target,
          details: { reason: 'daily_limit' },
        });
        return;
      }
      await sendCode(tx, { ...account, verify_by: verifyBy }, email);
      await audit.append(tx, context, { action: 'subject.account.code_sent', outcome: 'success', target });
    });
  }

  /** Removes one unconfirmed registration past its deadline: shreds the subject, deletes the account. */
  async function expireOne(context: AuditContext, accountId: string): Promise<boolean> {
    return db.transaction().execute(async (tx) => {
      const account = await store.lockDuePending(tx, accountId, clock.now());
      if (!account) return false;
      let removed: Removed = { records: 0, indexes: 0, tokens: 0 };
      try {
        removed = await vault.shredWithin(tx, account.subject_id);
      } catch (error) {
        // Erased already (by an operator): only the account is left to delete.
        if (!isAppError(error) || (error.code !== 'subject_erased' && error.code !== 'not_found'))
          throw error;
      }
      await store.deleteBySubject(tx, account.subject_id);
      await audit.append(tx, context, {
        action: 'subject.account.registration_expired',
        outcome: 'success',
        target: subjectTarget(account.subject_id),
        details: { ...removed },
      });
      return true;
    });
  }

  /** The scheduled job's work: every registration past its deadline, each in its own transaction. */
  async function expireDue(context: AuditContext): Promise<number> {
    let expired = 0;
    for (;;) {
      const due = await store.duePending(db, clock.now(), expiryBatch);
      let progressed = 0;
      for (const row of due) if (await expireOne(context, row.id)) progressed += 1;
      expired += progressed;
      if (due.length < expiryBatch || progressed === 0) return expired;
    }
  }

  return { deadlineFrom, sendCode, notifyExisting, verify, resendCode, expireOne, expireDue };
}

export type AccountVerification = ReturnType<typeof accountVerification>;
