import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Executor } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { digestSecret, randomSecret } from '../../lib/secrets.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { asOperator, rolesOf } from './auth-service.js';
import {
  type Grantor,
  type GrantRefusal,
  grantRefused,
  operatorChangeRefusal,
  roleGrantRefusal,
} from './grant-policy.js';
import type { MfaService } from './mfa-service.js';
import type { OperatorRow, OperatorStore } from './operator-store.js';
import { type Argon2Params, assertStrongPassword, hashPassword } from './passwords.js';
import type { Role } from './permissions.js';
import type { SessionStore } from './session-store.js';

type Deps = {
  db: Kysely<DB>;
  operators: OperatorStore;
  sessions: SessionStore;
  mfa: Pick<MfaService, 'clearMfa'>;
  audit: AuditWriter;
  clock: Clock;
  settings: {
    argon2: Argon2Params;
    setupTokenTtlMs: number;
    invitationTtlMs: number;
    publicUrl: string;
    /** The organization's name, guessable in its people's passwords. */
    brandName: string;
  };
};

export type OperatorChanges = {
  displayName?: string | undefined;
  roles?: Role[] | undefined;
  status?: 'active' | 'disabled' | undefined;
};

/** Operators: the first admin, invitations, role and status changes, MFA resets. */
export function operatorService({ db, operators, sessions, mfa, audit, clock, settings }: Deps) {
  async function issueToken(
    tx: Executor,
    purpose: 'first_admin' | 'invitation',
    ttlMs: number,
    operatorId: string | null,
  ): Promise<{ token: string; expiresAt: Date }> {
    const token = randomSecret(32);
    const expiresAt = new Date(clock.now().getTime() + ttlMs);
    await operators.insertSetupToken(tx, {
      id: randomUUID(),
      token_hash: digestSecret(token),
      purpose,
      operator_id: operatorId,
      expires_at: expiresAt,
    });
    return { token, expiresAt };
  }

  function setupUrl(kind: 'setup' | 'invitation', token: string): string {
    return `${settings.publicUrl.replace(/\/$/, '')}/console/${kind}#token=${token}`;
  }

  /**
   * Issues a one-time token to create the first admin, but only while no operator exists. The link keeps
   * the token in the URL fragment, which browsers never send to a server or write to its logs.
   */
  async function issueFirstAdminToken(context: AuditContext) {
    return db.transaction().execute(async (tx) => {
      if ((await operators.count(tx)) > 0) return undefined;
      const issued = await issueToken(tx, 'first_admin', settings.setupTokenTtlMs, null);
      await audit.append(tx, context, {
        action: 'setup.token.issued',
        outcome: 'success',
        details: { expiresAt: issued.expiresAt.toISOString() },
      });
      return { ...issued, url: setupUrl('setup', issued.token) };
    });
  }

  /** Creates the first admin with a setup token; refused once any operator exists. */
  async function createFirstAdmin(
    context: AuditContext,
    input: { token: string; email: string; displayName: string; password: string },
  ): Promise<OperatorRow> {
    assertStrongPassword(input.password, {
      name: input.displayName,
      email: input.email,
      brand: settings.brandName,
    });
    const passwordHash = await hashPassword(input.password, settings.argon2);
    return db.transaction().execute(async (tx) => {
      const token = await operators.consumeSetupToken(tx, digestSecret(input.token), clock.now());
      if (token?.purpose !== 'first_admin') {
        throw new AppError('unauthenticated', 'The setup token is invalid, expired or already used.');
      }
      if ((await operators.count(tx)) > 0) throw new AppError('conflict', 'An administrator already exists.');
      const id = randomUUID();
      const now = clock.now();
      await operators.insert(tx, {
        id,
        email: input.email,
        display_name: input.displayName,
        roles: ['admin'],
        status: 'active',
        password_hash: passwordHash,
        password_changed_at: now,
      });
      await audit.append(tx, asOperator(context, id), {
        action: 'operator.created',
        outcome: 'success',
        target: { type: 'operator', id },
        details: { roles: ['admin'], via: 'setup_token' },
      });
      return (await operators.findById(tx, id)) as OperatorRow;
    });
  }

  /**
   * Audits a refused grant as denied (outside the refused transaction, which rolls back) and returns the
   * error to throw.
   */
  async function refused(
    context: AuditContext,
    refusal: GrantRefusal,
    action: string,
    targetId: string | undefined,
  ): Promise<AppError> {
    await audit.record(context, {
      action: 'access.denied',
      outcome: 'denied',
      ...(targetId ? { target: { type: 'operator', id: targetId } } : {}),
      details: { attempted: action, reason: refusal.code, roles: refusal.roles ?? [] },
    });
    return grantRefused(refusal);
  }

  /**
   * Invites an operator: the account exists as `invited` until they set a password through the link. The
   * grantor may give only roles the grant policy allows them to.
   */
  async function invite(
    context: AuditContext,
    grantor: Grantor,
    input: { email: string; displayName: string; roles: Role[] },
  ): Promise<{ operator: OperatorRow; invitationToken: string; invitationUrl: string; expiresAt: Date }> {
    const refusal = roleGrantRefusal(grantor, { target: undefined, roles: input.roles });
    if (refusal) throw await refused(context, refusal, 'operator.invite', undefined);
    return db.transaction().execute(async (tx) => {
      if (await operators.findByEmail(tx, input.email)) {
        throw new AppError('conflict', 'An operator with this e-mail address already exists.');
      }
      const id = randomUUID();
      await operators.insert(tx, {
        id,
        email: input.email,
        display_name: input.displayName,
        roles: input.roles,
        status: 'invited',
      });
      const issued = await issueToken(tx, 'invitation', settings.invitationTtlMs, id);
      await audit.append(tx, context, {
        action: 'operator.invited',
        outcome: 'success',
        target: { type: 'operator', id },
        details: { roles: input.roles },
      });
      const operator = (await operators.findById(tx, id)) as OperatorRow;
      return {
        operator,
        invitationToken: issued.token,
        invitationUrl: setupUrl('invitation', issued.token),
        expiresAt: issued.expiresAt,
      };
    });
  }

  /** Accepts an invitation: sets the password and activates the account. */
  async function acceptInvitation(
    context: AuditContext,
    input: { token: string; password: string },
  ): Promise<OperatorRow> {
    const tokenHash = digestSecret(input.token);
    return db.transaction().execute(async (tx) => {
      const token = await operators.consumeSetupToken(tx, tokenHash, clock.now());
      const operator = token?.operator_id ? await operators.lockById(tx, token.operator_id) : undefined;
      if (token?.purpose !== 'invitation' || operator?.status !== 'invited') {
        throw new AppError('unauthenticated', 'The invitation is invalid, expired or already used.');
      }
      assertStrongPassword(input.password, {
        name: operator.display_name,
        email: operator.email,
        brand: settings.brandName,
      });
      const now = clock.now();
      const passwordHash = await hashPassword(input.password, settings.argon2);
      await operators.update(
        tx,
        operator.id,
        { status: 'active', password_hash: passwordHash, password_changed_at: now },
        now,
      );
      await audit.append(tx, asOperator(context, operator.id), {
        action: 'operator.invitation.accepted',
        outcome: 'success',
        target: { type: 'operator', id: operator.id },
      });
      return (await operators.findById(tx, operator.id)) as OperatorRow;
    });
  }

  async function activeAdminsOtherThan(tx: Executor, operatorId: string): Promise<number> {
    return (await operators.list(tx)).filter(
      (row) => row.id !== operatorId && row.status === 'active' && row.roles.includes('admin'),
    ).length;
  }

  /**
   * What the grant policy says of a change: a role change grants the new roles; re-enabling a disabled
   * operator gives their roles back, so it is a grant of them too.
   */
  function refusalOf(
    grantor: Grantor,
    operator: OperatorRow,
    changes: OperatorChanges,
  ): { refusal: GrantRefusal; action: string } | undefined {
    const target = { operatorId: operator.id, roles: rolesOf(operator) };
    if (changes.roles !== undefined) {
      const refusal = roleGrantRefusal(grantor, { target, roles: changes.roles });
      if (refusal) return { refusal, action: 'operator.roles.change' };
    }
    if (changes.status === 'active' && operator.status === 'disabled') {
      const refusal = roleGrantRefusal(grantor, {
        target: { operatorId: operator.id, roles: [] },
        roles: rolesOf(operator),
      });
      if (refusal) return { refusal, action: 'operator.enable' };
    }
    return undefined;
  }

  /**
   * Changes name, roles or status. Role changes and re-enabling follow the grant policy. Any change of
   * roles or status ends the operator's sessions (privileges changed, so they sign in again). The last
   * active admin cannot be demoted or disabled.
   */
  async function update(
    context: AuditContext,
    grantor: Grantor,
    id: string,
    changes: OperatorChanges,
  ): Promise<OperatorRow> {
    const denied = await db.transaction().execute(async (tx) => {
      const operator = await operators.lockById(tx, id);
      if (!operator) throw new AppError('not_found', 'Operator not found.');
      const refusal = refusalOf(grantor, operator, changes);
      if (refusal) return refusal;
      return { updated: await applyUpdate(tx, context, operator, changes) };
    });
    if ('updated' in denied) return denied.updated;
    throw await refused(context, denied.refusal, denied.action, id);
  }

  async function applyUpdate(
    tx: Executor,
    context: AuditContext,
    operator: OperatorRow,
    changes: OperatorChanges,
  ): Promise<OperatorRow> {
    const id = operator.id;
    const now = clock.now();
    const before = rolesOf(operator);
    const rolesChanged =
      changes.roles !== undefined && [...changes.roles].sort().join() !== [...before].sort().join();
    const statusChanged = changes.status !== undefined && changes.status !== operator.status;
    if (statusChanged && operator.status === 'invited') {
      throw new AppError('conflict', 'An invited operator becomes active by accepting the invitation.');
    }
    const losesAdmin =
      before.includes('admin') &&
      operator.status === 'active' &&
      ((rolesChanged && !changes.roles?.includes('admin')) || changes.status === 'disabled');
    if (losesAdmin && (await activeAdminsOtherThan(tx, id)) === 0) {
      throw new AppError('conflict', 'This is the last active administrator; appoint another one first.');
    }
    await operators.update(
      tx,
      id,
      {
        ...(changes.displayName !== undefined ? { display_name: changes.displayName } : {}),
        ...(rolesChanged ? { roles: changes.roles } : {}),
        ...(statusChanged ? { status: changes.status } : {}),
      },
      now,
    );
    const target = { type: 'operator', id };
    if (rolesChanged || statusChanged) await sessions.revokeAllOf(tx, id, now);
    if (rolesChanged) {
      await audit.append(tx, context, {
        action: 'operator.roles.changed',
        outcome: 'success',
        target,
        details: { from: before, to: changes.roles },
      });
    }
    if (statusChanged) {
      await audit.append(tx, context, {
        action: `operator.${changes.status === 'disabled' ? 'disabled' : 'enabled'}`,
        outcome: 'success',
        target,
      });
    }
    if (changes.displayName !== undefined && changes.displayName !== operator.display_name) {
      await audit.append(tx, context, {
        action: 'operator.updated',
        outcome: 'success',
        target,
        details: { fields: ['displayName'] },
      });
    }
    return (await operators.findById(tx, id)) as OperatorRow;
  }

  /**
   * An administrator removes an operator's MFA (lost device); the operator must enrol again. Refused on an
   * operator holding permissions the grantor lacks: with their password, it would open their account.
   */
  async function resetMfa(context: AuditContext, grantor: Grantor, id: string): Promise<void> {
    const refusal = await db.transaction().execute(async (tx) => {
      const operator = await operators.lockById(tx, id);
      if (!operator) throw new AppError('not_found', 'Operator not found.');
      const refusal = operatorChangeRefusal(grantor, { operatorId: id, roles: rolesOf(operator) });
      if (refusal) return refusal;
      await mfa.clearMfa(tx, id);
      await sessions.revokeAllOf(tx, id, clock.now());
      await audit.append(tx, context, {
        action: 'operator.mfa.reset',
        outcome: 'success',
        target: { type: 'operator', id },
      });
      return undefined;
    });
    if (refusal) throw await refused(context, refusal, 'operator.mfa.reset', id);
  }

  /** Ends all sessions of an operator (e.g. a stolen laptop). */
  async function revokeSessions(context: AuditContext, id: string): Promise<number> {
    return db.transaction().execute(async (tx) => {
      if (!(await operators.findById(tx, id))) throw new AppError('not_found', 'Operator not found.');
      const count = await sessions.revokeAllOf(tx, id, clock.now());
      await audit.append(tx, context, {
        action: 'session.revoked',
        outcome: 'success',
        target: { type: 'operator', id },
        details: { scope: 'all', count },
      });
      return count;
    });
  }

  async function get(id: string): Promise<OperatorRow> {
    const operator = await operators.findById(db, id);
    if (!operator) throw new AppError('not_found', 'Operator not found.');
    return operator;
  }

  return {
    issueFirstAdminToken,
    createFirstAdmin,
    invite,
    acceptInvitation,
    update,
    resetMfa,
    revokeSessions,
    get,
    list: () => operators.list(db),
    pruneExpiredTokens: () => operators.deleteExpiredSetupTokens(db, clock.now()),
  };
}

export type OperatorService = ReturnType<typeof operatorService>;
