import { AppError } from '../../lib/app-error.js';
import type { Permission, Role } from './permissions.js';
import { rolePermissions } from './permissions.js';

/**
 * Who gives access. Every path that gives roles or permissions states its grantor:
 * - an operator, with the permissions of their roles and whether a second factor (TOTP or recovery code)
 *   was checked in the session they act in (`ActiveSession.mfaVerifiedAt`);
 * - an API key, with its scope;
 * - `root`: someone with shell access to the server (the `custos` CLI) or holding the one-time first-admin
 *   setup token the CLI prints. They hold the database and the key files already, so no grant can raise
 *   them; the CLI is the break-glass path when no admin can act;
 * - `nobody`: a caller holding no permission (a data subject, an anonymous caller), who can grant nothing.
 */
export type Grantor =
  | { kind: 'operator'; operatorId: string; permissions: ReadonlySet<Permission>; mfaVerified: boolean }
  | { kind: 'api_key'; keyId: string; permissions: ReadonlySet<Permission> }
  | { kind: 'root' }
  | { kind: 'nobody' };

const noPermissions: ReadonlySet<Permission> = new Set();

function heldBy(grantor: Exclude<Grantor, { kind: 'root' }>): ReadonlySet<Permission> {
  return grantor.kind === 'nobody' ? noPermissions : grantor.permissions;
}

export type GrantRefusalCode =
  | 'grant_exceeds_own_permissions'
  | 'operator_exceeds_own_permissions'
  | 'own_roles_immutable'
  | 'admin_grant_needs_mfa';

export type GrantRefusal = { code: GrantRefusalCode; detail: string; roles?: Role[] };

/** A change of an operator's access: the roles they hold now (none for an invitation) and will hold. */
export type RoleChange = {
  target: { operatorId: string; roles: readonly Role[] } | undefined;
  roles: readonly Role[];
};

function missingFrom(held: ReadonlySet<Permission>, roles: readonly Role[]): Role[] {
  return roles.filter((role) => rolePermissions[role].some((permission) => !held.has(permission)));
}

/**
 * Why `grantor` may not make `change`, or undefined when they may. The rules, for every path that gives
 * roles (invitation, role change, re-enabling a disabled operator):
 * 1. nobody changes their own roles;
 * 2. nobody changes the access of an operator who holds a permission they lack (no demoting, re-enabling
 *    or resetting the MFA of someone above you);
 * 3. nobody grants a role whose permissions they do not all hold;
 * 4. granting `admin` needs an operator session in which a second factor was checked; API keys never
 *    grant it.
 */
export function roleGrantRefusal(grantor: Grantor, change: RoleChange): GrantRefusal | undefined {
  if (grantor.kind === 'root') return undefined;
  const { target } = change;
  const before = new Set(target?.roles ?? []);
  const after = new Set(change.roles);
  const added = [...after].filter((role) => !before.has(role));
  const removed = [...before].filter((role) => !after.has(role));
  if (target) {
    // Sending an operator's roles unchanged (as a form does along with a status) changes nothing.
    if (added.length === 0 && removed.length === 0) return undefined;
    if (grantor.kind === 'operator' && target.operatorId === grantor.operatorId)
      return { code: 'own_roles_immutable', detail: 'Nobody changes their own roles; ask another operator.' };
    const above = operatorChangeRefusal(grantor, target);
    if (above) return above;
  }
  const beyond = missingFrom(heldBy(grantor), added);
  if (beyond.length > 0)
    return {
      code: 'grant_exceeds_own_permissions',
      detail: 'You can only grant roles whose permissions you hold yourself.',
      roles: beyond,
    };
  if (added.includes('admin') && !(grantor.kind === 'operator' && grantor.mfaVerified))
    return {
      code: 'admin_grant_needs_mfa',
      detail:
        grantor.kind !== 'operator'
          ? 'Only an operator grants the admin role; API keys never do.'
          : 'Granting the admin role needs a session in which you passed multi-factor authentication.',
      roles: ['admin'],
    };
  return undefined;
}

/**
 * Why `grantor` may not act on the access of operator `target` (change their roles, reset their MFA), or
 * undefined: refused when the target holds a permission the grantor lacks.
 */
export function operatorChangeRefusal(
  grantor: Grantor,
  target: { operatorId: string; roles: readonly Role[] },
): GrantRefusal | undefined {
  if (grantor.kind === 'root') return undefined;
  const above = missingFrom(heldBy(grantor), target.roles);
  if (above.length === 0) return undefined;
  return {
    code: 'operator_exceeds_own_permissions',
    detail: 'This operator holds permissions you do not hold; only someone who holds them can do this.',
    roles: above,
  };
}

/** Why `grantor` may not give these permissions (an API key's scope), or undefined. */
export function permissionGrantRefusal(
  grantor: Grantor,
  permissions: readonly Permission[],
): GrantRefusal | undefined {
  if (grantor.kind === 'root') return undefined;
  if (permissions.every((permission) => heldBy(grantor).has(permission))) return undefined;
  return {
    code: 'grant_exceeds_own_permissions',
    detail: 'You can only give an API key permissions you hold yourself.',
  };
}

/** The roles `grantor` may give a new operator: what the permission-matrix tests compare against. */
export function grantableRoles(grantor: Grantor, all: readonly Role[]): Role[] {
  return all.filter((role) => !roleGrantRefusal(grantor, { target: undefined, roles: [role] }));
}

/** The refusal as the AppError every route answers with (403, the refusal's code). */
export function grantRefused(refusal: GrantRefusal): AppError {
  return new AppError(refusal.code, refusal.detail, {
    extensions: refusal.roles ? { roles: refusal.roles } : {},
  });
}
