/**
 * The permission matrix: every permission Custos checks and which role holds it. This file is the single
 * source of truth; `docs/PERMISSIONS.md` is generated from it (`npm run custos -- permissions --markdown`)
 * and a test fails when the document is stale.
 */
export const permissions = {
  'operators.read': 'List operators and their roles.',
  'operators.manage': 'Invite, change, disable operators; assign roles; reset MFA.',
  'api_keys.read': 'List API keys (never their secrets).',
  'api_keys.manage': 'Create and revoke API keys.',
  'audit.read': 'Query the audit log.',
  'audit.export': 'Export the audit log (CSV, NDJSON) and the checkpoint public key.',
  'audit.verify': 'Verify the audit hash chain and signed checkpoints.',
} as const;

export type Permission = keyof typeof permissions;

export const roles = {
  admin: 'Full control of Custos, including operators and keys.',
  dpo: 'Data protection officer: everything privacy-related, read-only on security settings.',
  privacy_agent: 'Works data-subject requests and consent day to day.',
  auditor: 'Read-only everywhere, including the audit log.',
  security: 'Operators, API keys, keys and alerts.',
  service: 'Applications calling the API with an API key; the widest scope an API key may have.',
} as const;

export type Role = keyof typeof roles;

const all = Object.keys(permissions) as Permission[];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: all,
  dpo: ['operators.read', 'api_keys.read', 'audit.read', 'audit.export', 'audit.verify'],
  privacy_agent: [],
  auditor: ['operators.read', 'api_keys.read', 'audit.read', 'audit.export', 'audit.verify'],
  security: ['operators.read', 'operators.manage', 'api_keys.read', 'api_keys.manage', 'audit.read', 'audit.verify'],
  service: ['audit.read', 'audit.export', 'audit.verify'],
};

export function isPermission(value: string): value is Permission {
  return Object.hasOwn(permissions, value);
}

export function isRole(value: string): value is Role {
  return Object.hasOwn(roles, value);
}

/** The union of the permissions of the given roles. */
export function permissionsOfRoles(assigned: readonly Role[]): Set<Permission> {
  return new Set(assigned.flatMap((role) => rolePermissions[role]));
}
