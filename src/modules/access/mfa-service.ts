import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { SealedBox } from '../../lib/sealed-box.js';
import { digestSecret } from '../../lib/secrets.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type ActiveSession, type AuthService, type IssuedSession, tooManyAttempts } from './auth-service.js';
import { type LoginThrottle, mfaThrottleKey } from './login-throttle.js';
import type { OperatorRow, OperatorStore } from './operator-store.js';
import { verifyPassword } from './passwords.js';
import { enrolmentFor, matchTotpStep, newTotpSecret } from './totp.js';

export const recoveryCodeCount = 10;

type Deps = {
  db: Kysely<DB>;
  operators: OperatorStore;
  auth: Pick<AuthService, 'rotateSession' | 'mfaRequiredFor'>;
  throttle: LoginThrottle;
  audit: AuditWriter;
  clock: Clock;
  box: SealedBox;
  issuer: string;
  maxFailures: number;
};

/** Ten codes like `k7qm-2xwd-9fhp`: 60 bits each, for an operator who lost their authenticator. */
function newRecoveryCodes(): string[] {
  const alphabet = '23456789abcdefghjkmnpqrstuvwxyz';
  return Array.from({ length: recoveryCodeCount }, () => {
    const bytes = randomBytes(12);
    const chars = Array.from(bytes, (byte) => alphabet[byte % alphabet.length]).join('');
    return `${chars.slice(0, 4)}-${chars.slice(4, 8)}-${chars.slice(8, 12)}`;
  });
}

function normalizeRecoveryCode(code: string): string {
  return code.trim().toLowerCase().replaceAll(/\s/g, '');
}

/** TOTP enrolment, verification (never the same code twice), recovery codes and disabling. */
export function mfaService({ db, operators, auth, throttle, audit, clock, box, issuer, maxFailures }: Deps) {
  const sealAad = (operatorId: string) => `operator:${operatorId}:totp`;

  /** Starts enrolment: a new secret, kept pending until a code from it is confirmed. */
  async function beginEnrolment(context: AuditContext, operatorId: string) {
    const operator = await operators.findById(db, operatorId);
    if (!operator) throw new AppError('not_found', 'Operator not found.');
    if (operator.mfa_enabled) {
      throw new AppError(
        'conflict',
        'MFA is already enabled; disable it before enrolling a new authenticator.',
      );
    }
    const secret = newTotpSecret();
    await db.transaction().execute(async (tx) => {
      await operators.update(
        tx,
        operatorId,
        { mfa_pending_secret: box.seal(secret, sealAad(operatorId)) },
        clock.now(),
      );
      await audit.append(tx, context, {
        action: 'operator.mfa.enrolment_started',
        outcome: 'success',
        target: { type: 'operator', id: operatorId },
      });
    });
    return enrolmentFor(secret, operator.email, issuer);
  }

  /** Matches a code and claims its time step under a row lock, so a code is never accepted twice. */
  async function claimStep(
    tx: Executor,
    operator: OperatorRow,
    sealed: Buffer | null,
    code: string,
  ): Promise<number | null> {
    if (!sealed) return null;
    const step = matchTotpStep(box.open(sealed, sealAad(operator.id)), code.trim(), clock.now());
    if (step === null || step <= operator.mfa_last_step) return null;
    await operators.update(tx, operator.id, { mfa_last_step: step }, clock.now());
    return step;
  }

  async function refuse(context: AuditContext, operatorId: string, action: string): Promise<never> {
    const key = mfaThrottleKey(operatorId, maxFailures);
    const blocked = await db.transaction().execute(async (tx) => {
      const nowBlocked = await throttle.recordFailure(tx, [key], clock.now());
      await audit.append(tx, context, {
        action,
        outcome: 'failure',
        target: { type: 'operator', id: operatorId },
      });
      return nowBlocked;
    });
    if (blocked) throw tooManyAttempts(await throttle.blockedFor(db, [key], clock.now()));
    throw new AppError('unauthenticated', 'The code is not valid.', {
      extensions: { reason: 'invalid_code' },
    });
  }

  /** The operator's row, locked for the transaction; refused when MFA is not on (nothing to check against). */
  async function lockWithMfa(tx: Executor, operatorId: string): Promise<OperatorRow> {
    const operator = await operators.lockById(tx, operatorId);
    if (!operator?.mfa_enabled) throw new AppError('conflict', 'MFA is not enabled for this operator.');
    return operator;
  }

  /** Replaces the operator's recovery codes with digests of new ones; returns the codes, shown once. */
  async function issueRecoveryCodes(tx: Executor, operatorId: string): Promise<string[]> {
    const codes = newRecoveryCodes();
    await operators.replaceRecoveryCodes(
      tx,
      operatorId,
      codes.map((code) => ({ id: randomUUID(), code_hash: digestSecret(code) })),
    );
    return codes;
  }

  async function assertNotThrottled(operatorId: string) {
    const waitMs = await throttle.blockedFor(db, [mfaThrottleKey(operatorId, maxFailures)], clock.now());
    if (waitMs > 0) throw tooManyAttempts(waitMs);
  }

  /** Confirms enrolment with a first code; returns the recovery codes (shown once) and a rotated session. */
  async function confirmEnrolment(
    context: AuditContext,
    session: ActiveSession,
    code: string,
  ): Promise<{ session: IssuedSession; recoveryCodes: string[] }> {
    await assertNotThrottled(session.operatorId);
    const result = await db.transaction().execute(async (tx) => {
      const operator = await operators.lockById(tx, session.operatorId);
      if (!operator?.mfa_pending_secret) throw new AppError('conflict', 'Start MFA enrolment first.');
      const step = await claimStep(tx, operator, operator.mfa_pending_secret, code);
      if (step === null) return undefined;
      const now = clock.now();
      await operators.update(
        tx,
        operator.id,
        {
          mfa_enabled: true,
          mfa_secret: operator.mfa_pending_secret,
          mfa_pending_secret: null,
          mfa_enrolled_at: now,
        },
        now,
      );
      const recoveryCodes = await issueRecoveryCodes(tx, operator.id);
      const issued = await auth.rotateSession(
        tx,
        session.sessionId,
        { ...operator, mfa_enabled: true },
        { satisfied: true, verifiedAt: now },
      );
      await audit.append(tx, context, {
        action: 'operator.mfa.enrolled',
        outcome: 'success',
        target: { type: 'operator', id: operator.id },
      });
      return { session: issued, recoveryCodes };
    });
    if (!result) return refuse(context, session.operatorId, 'operator.mfa.enrolment_failed');
    await throttle.clear(db, mfaThrottleKey(session.operatorId, maxFailures));
    return result;
  }

  /** Second factor at login: a TOTP code or an unused recovery code; rotates the session when it passes. */
  async function verify(
    context: AuditContext,
    session: ActiveSession,
    input: { code?: string | undefined; recoveryCode?: string | undefined },
  ): Promise<IssuedSession> {
    await assertNotThrottled(session.operatorId);
    const result = await db.transaction().execute(async (tx) => {
      const operator = await lockWithMfa(tx, session.operatorId);
      let method: 'totp' | 'recovery_code';
      if (input.code) {
        if ((await claimStep(tx, operator, operator.mfa_secret, input.code)) === null) return undefined;
        method = 'totp';
      } else if (input.recoveryCode) {
        const used = await operators.useRecoveryCode(
          tx,
          operator.id,
          digestSecret(normalizeRecoveryCode(input.recoveryCode)),
          clock.now(),
        );
        if (!used) return undefined;
        method = 'recovery_code';
      } else {
        throw new AppError('validation_failed', 'Send a code or a recovery code.', {
          errors: [{ in: 'body', path: 'code', message: 'required unless recoveryCode is given' }],
        });
      }
      const issued = await auth.rotateSession(tx, session.sessionId, operator, {
        satisfied: true,
        verifiedAt: clock.now(),
      });
      const target = { type: 'operator', id: operator.id };
      await audit.append(tx, context, {
        action: 'operator.mfa.verified',
        outcome: 'success',
        target,
        details: { method },
      });
      if (method === 'recovery_code') {
        const remaining = await operators.remainingRecoveryCodes(tx, operator.id);
        await audit.append(tx, context, {
          action: 'operator.recovery_code.used',
          outcome: 'success',
          target,
          details: { remaining },
        });
      }
      return issued;
    });
    if (!result) return refuse(context, session.operatorId, 'operator.mfa.failed');
    await throttle.clear(db, mfaThrottleKey(session.operatorId, maxFailures));
    return result;
  }

  /** Replaces the recovery codes; needs a current TOTP code. */
  async function regenerateRecoveryCodes(
    context: AuditContext,
    session: ActiveSession,
    code: string,
  ): Promise<string[]> {
    await assertNotThrottled(session.operatorId);
    const recoveryCodes = await db.transaction().execute(async (tx) => {
      const operator = await lockWithMfa(tx, session.operatorId);
      if ((await claimStep(tx, operator, operator.mfa_secret, code)) === null) return undefined;
      const codes = await issueRecoveryCodes(tx, operator.id);
      await audit.append(tx, context, {
        action: 'operator.recovery_codes.regenerated',
        outcome: 'success',
        target: { type: 'operator', id: operator.id },
      });
      return codes;
    });
    if (!recoveryCodes) return refuse(context, session.operatorId, 'operator.mfa.failed');
    return recoveryCodes;
  }

  /** Turns MFA off for oneself (password and a current code required; refused where a role mandates MFA). */
  async function disable(
    context: AuditContext,
    session: ActiveSession,
    input: { password: string; code: string },
  ): Promise<IssuedSession> {
    if (auth.mfaRequiredFor(session.roles)) {
      throw new AppError('forbidden', 'MFA is mandatory for your role and cannot be disabled.', {
        extensions: { reason: 'mfa_mandatory' },
      });
    }
    await assertNotThrottled(session.operatorId);
    const operator = await operators.findById(db, session.operatorId);
    if (!operator?.password_hash || !(await verifyPassword(operator.password_hash, input.password))) {
      return refuse(context, session.operatorId, 'operator.mfa.disable_failed');
    }
    const result = await db.transaction().execute(async (tx) => {
      const locked = await lockWithMfa(tx, session.operatorId);
      if ((await claimStep(tx, locked, locked.mfa_secret, input.code)) === null) return undefined;
      await clearMfa(tx, locked.id);
      const issued = await auth.rotateSession(
        tx,
        session.sessionId,
        { ...locked, mfa_enabled: false },
        // No second factor is left to have passed.
        { satisfied: true, verifiedAt: null },
      );
      await audit.append(tx, context, {
        action: 'operator.mfa.disabled',
        outcome: 'success',
        target: { type: 'operator', id: locked.id },
      });
      return issued;
    });
    if (!result) return refuse(context, session.operatorId, 'operator.mfa.disable_failed');
    return result;
  }

  /** Removes an operator's MFA (used by the self-service disable and by an admin's reset). */
  async function clearMfa(tx: Executor, operatorId: string) {
    await operators.update(
      tx,
      operatorId,
      { mfa_enabled: false, mfa_secret: null, mfa_pending_secret: null, mfa_enrolled_at: null },
      clock.now(),
    );
    await operators.replaceRecoveryCodes(tx, operatorId, []);
  }

  async function status(operatorId: string) {
    const operator = await operators.findById(db, operatorId);
    return {
      enabled: operator?.mfa_enabled ?? false,
      enrolledAt: operator?.mfa_enrolled_at ?? null,
      recoveryCodesRemaining: operator?.mfa_enabled
        ? await operators.remainingRecoveryCodes(db, operatorId)
        : 0,
    };
  }

  return { beginEnrolment, confirmEnrolment, verify, regenerateRecoveryCodes, disable, clearMfa, status };
}

export type MfaService = ReturnType<typeof mfaService>;
