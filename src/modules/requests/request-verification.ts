import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { MailService } from '../mail/mail-service.js';
import { invalidTransition } from './request-lifecycle.js';
import { verificationCodeNotice } from './request-notices.js';
import type { RequestRow, RequestStore } from './request-store.js';
import type { ManualVerificationMethod, VerificationMethod } from './request-types.js';
import { type RequestView, viewOf } from './request-views.js';
import type { RequestWorkflow, Work } from './request-workflow.js';
import {
  type CodeRandom,
  codeMatches,
  codeTtlMs,
  issueCode,
  maxCodeAttempts,
  maxCodesPerDay,
  systemCodeRandom,
} from './verification-codes.js';

type Deps = {
  db: Kysely<DB>;
  store: RequestStore;
  clock: { now(): Date };
  workflow: RequestWorkflow;
  mail: Pick<MailService, 'enqueue'>;
  /** HMAC key for code digests: held by the server, never stored in the database. */
  codeKey: Buffer;
  random?: CodeRandom;
};

type ConfirmOutcome = { ok: true; row: RequestRow } | { ok: false; error: AppError };

const dayMs = 86_400_000;

/**
 * Identity verification of requests: a one-time code e-mailed to the contact address (hashed, valid
 * 15 minutes, burnt after 5 wrong tries), or an operator's record of a manual check.
 */
export function requestVerification({
  db,
  store,
  clock,
  workflow,
  mail,
  codeKey,
  random = systemCodeRandom,
}: Deps) {
  const { inTransaction, locked, addEvent, moveTo } = workflow;
  const target = (id: string) => ({ type: 'request', id });

  function markVerified(
    work: Work,
    context: AuditContext,
    row: RequestRow,
    method: VerificationMethod,
    note?: string,
  ): Promise<RequestRow> {
    return moveTo(work, context, row, 'verified', {
      changes: { verified_at: work.now, verification_method: method },
      details: { method },
      note,
    });
  }

  /**
   * Sends a new code to the request's contact address (the request moves to `verifying`); any earlier
   * code stops working. At most five codes per request a day.
   */
  async function sendCode(
    context: AuditContext,
    id: string,
  ): Promise<{ request: RequestView; expiresAt: Date }> {
    const result = await inTransaction(context, async (work) => {
      let row = await locked(work.tx, id);
      if (row.state !== 'verifying' && row.state !== 'received')
        throw invalidTransition(row.state, 'verifying');
      const contact = workflow.decryptContact(row);
      if (!contact) {
        throw new AppError('conflict', 'This request has no contact e-mail address to send a code to.');
      }
      const since = new Date(work.now.getTime() - dayMs);
      if ((await store.countCodesSince(work.tx, id, since)) >= maxCodesPerDay) {
        throw new AppError('rate_limited', `A request can be sent at most ${maxCodesPerDay} codes a day.`);
      }
      if (row.state === 'received') row = await moveTo(work, context, row, 'verifying');
      await store.spendCodes(work.tx, id, work.now);
      const { code, stored } = issueCode(codeKey, id, random);
      const expiresAt = new Date(work.now.getTime() + codeTtlMs);
      await store.insertCode(work.tx, {
        id: randomUUID(),
        request_id: id,
        salt: stored.salt,
        digest: stored.digest,
        expires_at: expiresAt,
        created_at: work.now,
      });
      await mail.enqueue(work.tx, verificationCodeNotice(row, contact, code));
      const details = { expiresAt: expiresAt.toISOString() };
      await addEvent(work, context, row, { kind: 'verification_code_sent', details });
      work.audit.push({
        action: 'request.verification.code_sent',
        outcome: 'success',
        target: target(id),
        details,
      });
      return { row, expiresAt };
    });
    return { request: viewOf(result.row, clock.now(), workflow), expiresAt: result.expiresAt };
  }

  async function checkCode(
    work: Work,
    context: AuditContext,
    row: RequestRow,
    code: string,
  ): Promise<ConfirmOutcome> {
    const current = await store.unspentCode(work.tx, row.id);
    if (!current) {
      return { ok: false, error: expired('used_up', 'There is no usable code: send a new one.') };
    }
    if (work.now.getTime() > current.expires_at.getTime()) {
      return { ok: false, error: expired('expired', 'The code has expired: send a new one.') };
    }
    if (codeMatches(codeKey, current, row.id, code)) {
      await store.spendCodes(work.tx, row.id, work.now);
      return { ok: true, row: await markVerified(work, context, row, 'email_code') };
    }
    const attempts = current.attempts + 1;
    const attemptsLeft = Math.max(0, maxCodeAttempts - attempts);
    await store.recordFailedAttempt(work.tx, current.id, attemptsLeft === 0 ? work.now : null);
    await addEvent(work, context, row, { kind: 'verification_failed', details: { attemptsLeft } });
    work.audit.push({
      action: 'request.verification.failed',
      outcome: 'failure',
      target: target(row.id),
      details: { attemptsLeft },
    });
    return {
      ok: false,
      error: new AppError(
        'verification_failed',
        attemptsLeft > 0
          ? 'The code is not correct.'
          : 'The code is not correct, and it has now been used up: send a new one.',
        { extensions: { attemptsLeft } },
      ),
    };
  }

  /**
   * Checks a code the requester typed. A wrong code counts against the five attempts and is recorded
   * (committed) before the error is returned; the right one verifies the request.
   */
  async function confirmCode(context: AuditContext, id: string, code: string): Promise<RequestView> {
    const outcome = await inTransaction(context, async (work): Promise<ConfirmOutcome> => {
      const row = await locked(work.tx, id);
      if (row.state === 'received') {
        const error = new AppError(
          'conflict',
          'No verification code was sent for this request; send one first.',
          {
            extensions: { state: row.state },
          },
        );
        return { ok: false, error };
      }
      if (row.state !== 'verifying') return { ok: false, error: invalidTransition(row.state, 'verified') };
      return checkCode(work, context, row, code);
    });
    if (!outcome.ok) throw outcome.error;
    return viewOf(outcome.row, clock.now(), workflow);
  }

  /** Records an identity check an operator made outside Custos (a document, a call), with a note. */
  async function verifyManually(
    context: AuditContext,
    id: string,
    input: { method: ManualVerificationMethod; note?: string | undefined },
  ): Promise<RequestView> {
    const row = await inTransaction(context, async (work) => {
      const current = await locked(work.tx, id);
      const verified = await markVerified(work, context, current, input.method, input.note);
      await store.spendCodes(work.tx, id, work.now);
      return verified;
    });
    return viewOf(row, clock.now(), workflow);
  }

  return {
    sendCode,
    confirmCode,
    verifyManually,
    /** Deletes codes made over a day ago, all long expired (maintenance prune task). */
    pruneCodes: () => store.deleteCodesCreatedBefore(db, new Date(clock.now().getTime() - dayMs)),
  };
}

function expired(reason: 'expired' | 'used_up', detail: string): AppError {
  return new AppError('verification_expired', detail, { extensions: { reason } });
}

export type RequestVerification = ReturnType<typeof requestVerification>;
