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
  'keys.read': 'See master key versions, data keys per version and rewrap progress (never key material).',
  'keys.rotate': 'Rotate the master key and retire old master key versions.',
  'vault.collections.read': 'See collection definitions (fields, categories, classifications).',
  'vault.collections.manage': 'Create and change collections.',
  'vault.subjects.read':
    'Look up subjects (by id, or by e-mail, phone or external id through blind indexes).',
  'vault.records.write': 'Create subjects; create, update and delete their records.',
  'vault.read': 'Read records for a stated purpose, masked per field.',
  'vault.reveal': 'See record values in clear when reading (needs vault.read too).',
  'vault.tokenize': 'Create tokens for tokenizable fields.',
  'vault.detokenize': 'Turn a token back into its value, for a stated purpose.',
  'vault.shred': 'Erase a subject by crypto-shredding.',
  'vault.import': 'Bulk-import records into a collection.',
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

const auditReading: Permission[] = ['audit.read', 'audit.export', 'audit.verify'];
const vaultReading: Permission[] = ['vault.collections.read', 'vault.subjects.read', 'vault.read'];
const vaultWorking: Permission[] = [
  ...vaultReading,
  'vault.records.write',
  'vault.reveal',
  'vault.tokenize',
  'vault.detokenize',
];

export const rolePermissions: Record<Role, readonly Permission[]> = {
  admin: all,
  dpo: [
    'operators.read',
    'api_keys.read',
    ...auditReading,
    'keys.read',
    ...vaultWorking,
    'vault.collections.manage',
    'vault.shred',
    'vault.import',
  ],
  privacy_agent: [...vaultWorking],
  auditor: ['operators.read', 'api_keys.read', ...auditReading, 'keys.read', ...vaultReading],
  security: [
    'operators.read',
    'operators.manage',
    'api_keys.read',
    'api_keys.manage',
    'audit.read',
    'audit.verify',
    'keys.read',
    'keys.rotate',
    'vault.collections.read',
  ],
  service: [...auditReading, ...vaultWorking, 'vault.shred', 'vault.import'],
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
