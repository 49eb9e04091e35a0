import { permissions, rolePermissions, roles } from './permissions.js';

/** docs/PERMISSIONS.md, generated from the matrix in permissions.ts. */
export function permissionsMarkdown(): string {
  const roleNames = Object.keys(roles) as (keyof typeof roles)[];
  const lines = [
    '# Permissions',
    '',
    '<!-- Generated from src/modules/access/permissions.ts by `custos permissions --markdown`. Do not edit. -->',
    '',
    'Every route declares the permission it needs (see `/openapi.json`). Routes marked *session* are for any',
    'signed-in operator (also before MFA is complete); *authenticated* routes need a fully signed-in operator',
    'or an API key, and no particular permission. API keys carry a subset of the `service` role, never more',
    'than the operator who created them holds. Routes marked *subject* (`/v1/privacy/me/…`) are for data',
    'subjects signed in to the privacy center, with their own session cookie; no operator or API key reaches them.',
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
