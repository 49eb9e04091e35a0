import type { FastifyRequest } from 'fastify';
import type { Grantor } from '../modules/access/grant-policy.js';
import type { Permission, Role } from '../modules/access/permissions.js';
import type { Actor, AuditContext } from '../modules/audit/audit-types.js';

/** Who is calling, as established by the authentication hook for every request. */
export type Principal =
  | {
      kind: 'operator';
      operatorId: string;
      sessionId: string;
      roles: Role[];
      permissions: ReadonlySet<Permission>;
      /** False while an operator who must use MFA has not completed it in this session. */
      mfaSatisfied: boolean;
      /** True once a second factor was checked in this session (not merely not needed). */
      mfaVerified: boolean;
      csrfToken: string;
    }
  | { kind: 'api_key'; keyId: string; permissions: ReadonlySet<Permission> }
  | {
      /** A data subject signed in to the privacy center: acts on their own data only, holds no permission. */
      kind: 'subject';
      accountId: string;
      subjectId: string;
      sessionId: string;
      permissions: ReadonlySet<Permission>;
      csrfToken: string;
    }
  | { kind: 'anonymous' };

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
}

export const anonymous: Principal = { kind: 'anonymous' };

export function actorOf(principal: Principal): Actor {
  switch (principal.kind) {
    case 'operator':
      return { type: 'operator', id: principal.operatorId };
    case 'api_key':
      return { type: 'api_key', id: principal.keyId };
    case 'subject':
      return { type: 'subject', id: principal.subjectId };
    default:
      return { type: 'anonymous', id: null };
  }
}

/** The facts every audit entry written for this request carries. */
export function auditContextOf(request: FastifyRequest): AuditContext {
  return { actor: actorOf(request.principal ?? anonymous), requestId: request.id, ip: request.ip ?? null };
}

/** The caller as a grantor of roles or permissions (see the grant policy). */
export function grantorOf(principal: Principal): Grantor {
  switch (principal.kind) {
    case 'operator':
      return {
        kind: 'operator',
        operatorId: principal.operatorId,
        permissions: principal.permissions,
        mfaVerified: principal.mfaVerified,
      };
    case 'api_key':
      return { kind: 'api_key', keyId: principal.keyId, permissions: principal.permissions };
    default:
      return { kind: 'nobody' };
  }
}
