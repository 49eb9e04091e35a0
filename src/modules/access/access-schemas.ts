import { z } from 'zod';
import type { ApiKeyRow } from './api-key-store.js';
import { rolesOf } from './auth-service.js';
import type { OperatorRow } from './operator-store.js';
import { permissions, roles } from './permissions.js';

export const ZEmail = z.email().max(254);
export const ZDisplayName = z.string().trim().min(1).max(100);
/** Passwords on login are checked, not judged; new ones are judged by assertStrongPassword. */
export const ZPassword = z.string().min(1).max(128);
export const ZRole = z.enum(Object.keys(roles) as [keyof typeof roles, ...(keyof typeof roles)[]]);
export const ZPermission = z.enum(
  Object.keys(permissions) as [keyof typeof permissions, ...(keyof typeof permissions)[]],
);
export const ZTotpCode = z.string().regex(/^\d{6}$/, 'must be 6 digits');
export const ZRecoveryCode = z.string().min(8).max(32);
export const ZToken = z.string().min(16).max(128);
export const ZIdParams = z.object({ id: z.uuid().toLowerCase() });
const ZNextStep = z.enum(['mfa_verify', 'mfa_enroll']).nullable();

export const ZOperator = z
  .object({
    id: z.uuid().toLowerCase(),
    email: z.string(),
    displayName: z.string(),
    roles: z.array(ZRole),
    status: z.enum(['invited', 'active', 'disabled']),
    mfaEnabled: z.boolean(),
    lastLoginAt: z.iso.datetime().nullable(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Operator' });

/** Presenter: the only operator fields a response may carry (never hashes, secrets or MFA state details). */
export function presentOperator(row: OperatorRow): z.infer<typeof ZOperator> {
  return {
    id: row.id,
    email: row.email,
    displayName: row.display_name,
    roles: rolesOf(row),
    status: row.status,
    mfaEnabled: row.mfa_enabled,
    lastLoginAt: row.last_login_at?.toISOString() ?? null,
    createdAt: row.created_at.toISOString(),
  };
}

export const ZSession = z
  .object({
    nextStep: ZNextStep.describe(
      'mfa_verify: send a code to /v1/auth/mfa/verify; mfa_enroll: enrol first; null: signed in',
    ),
    csrfToken: z.string().describe('Send as the X-CSRF-Token header on every state-changing request'),
    expiresAt: z.iso.datetime().describe('The latest the session lasts, however active'),
    idleExpiresAt: z.iso
      .datetime()
      .describe(
        'When the session ends unless another request comes first (idle timeout; never after expiresAt). Every authenticated request moves it (at most once a minute); every answer to the session counts down to it in the X-Session-Idle-Expires-In header (seconds, on the server’s clock), and to expiresAt in X-Session-Expires-In',
      ),
  })
  .meta({ id: 'Session' });

export function presentSession(session: {
  nextStep: 'mfa_verify' | 'mfa_enroll' | null;
  csrfToken: string;
  expiresAt: Date;
  idleExpiresAt: Date;
}) {
  return {
    nextStep: session.nextStep,
    csrfToken: session.csrfToken,
    expiresAt: session.expiresAt.toISOString(),
    idleExpiresAt: session.idleExpiresAt.toISOString(),
  };
}

export const ZApiKey = z
  .object({
    id: z.uuid().toLowerCase(),
    prefix: z.string(),
    name: z.string(),
    permissions: z.array(z.string()),
    createdAt: z.iso.datetime(),
    expiresAt: z.iso.datetime().nullable(),
    lastUsedAt: z.iso.datetime().nullable(),
    revokedAt: z.iso.datetime().nullable(),
  })
  .meta({ id: 'ApiKey' });

export function presentApiKey(row: ApiKeyRow): z.infer<typeof ZApiKey> {
  return {
    id: row.id,
    prefix: row.prefix,
    name: row.name,
    permissions: row.permissions,
    createdAt: row.created_at.toISOString(),
    expiresAt: row.expires_at?.toISOString() ?? null,
    lastUsedAt: row.last_used_at?.toISOString() ?? null,
    revokedAt: row.revoked_at?.toISOString() ?? null,
  };
}
