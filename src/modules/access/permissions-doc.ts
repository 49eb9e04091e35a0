import { permissions, rolePermissions, roles } from './permissions.js';

/** docs/PERMISSIONS.md, generated from the matrix in permissions.ts. */
export function permissionsMarkdown(): string {
  const roleNames = Object.keys(roles) as (keyof typeof roles)[];
  const lines = [
    '# Permissions',
    '',
    '<!-- Generated from src/modules/access/permissions.ts by `custos permissions --markdown`. Do not edit. -->',
    '',
    'Every route declares the access it needs. `/openapi.json` gives it on every operation, as the',
    '`x-custos-permission` extension and as the last line of the description. Besides a permission below,',
    'a route may be *public* (no credentials); *session*, for any signed-in operator, also before MFA is',
    'complete; *operator*, for a fully signed-in operator and never an API key (what an operator does to their',
    'own account: password, recovery codes, turning MFA off); *authenticated*, for a fully signed-in operator',
    'or an API key, with no particular permission; or *subject* (`/v1/privacy/me/…`), for data subjects signed',
    'in to the privacy center with their own session cookie, which no operator or API key reaches. API keys',
    'carry a subset of the `service` role, never more than the operator who created them holds.',
    '',
    '## Granting roles',
    '',
    'One rule decides every grant (`src/modules/access/grant-policy.ts`): inviting an operator, changing their',
    'roles, re-enabling a disabled operator (which gives their roles back), resetting their MFA, and creating',
    'an API key. Refusals are `403` problem documents with these codes, audited as `access.denied`:',
    '',
    '| Rule | Code |',
    '|---|---|',
    '| Nobody changes their own roles (sending them unchanged is no change). | `own_roles_immutable` |',
    '| Nobody changes the roles of, or resets the MFA of, an operator who holds a permission they lack. | `operator_exceeds_own_permissions` |',
    '| Nobody grants a role (by invitation, role change or re-enabling) or gives an API key a permission, unless they hold all its permissions. | `grant_exceeds_own_permissions` |',
    '| Granting `admin` needs an operator session in which a second factor (TOTP or recovery code) was checked; an admin who signed in with a password only, where MFA is not required, cannot; an API key never can. | `admin_grant_needs_mfa` |',
    '',
    'So with the matrix below an admin grants every role, and `security` (which manages operators but holds',
    'no privacy permission) grants and manages only `security`. A session records the instant it passed a',
    'second factor (MFA verification after sign-in, or confirming an enrolment); a password change keeps it.',
    '`custos operators create-admin` and the one-time first-admin setup token (printed by the server, usable',
    'only while no operator exists) are the root path: whoever runs the CLI or reads the server output has',
    'shell access to the server, its database and key files, so the rule does not bind them. The CLI’s',
    'invitations are audited as `system:cli`, the first admin as `operator.created` via `setup_token`.',
    '',
    '## Roles',
    '',
    '| Role | Meaning |',
    '|---|---|',
    ...roleNames.map((role) => `| \`${role}\` | ${roles[role]} |`),
    '',
    '## Matrix',
    '',
    `| Permission | ${roleNames.map((role) => `\`${role}\``).join(' | ')} | Meaning |`,
    `|---|${roleNames.map(() => ':-:').join('|')}|---|`,
    ...Object.entries(permissions).map(([permission, meaning]) => {
      const cells = roleNames.map((role) =>
        (rolePermissions[role] as readonly string[]).includes(permission) ? '✓' : '',
      );
      return `| \`${permission}\` | ${cells.join(' | ')} | ${meaning} |`;
    }),
    '',
  ];
  return lines.join('\n');
}
