import { describe, expect, it } from 'vitest';
import { type Grantor, grantableRoles, permissionGrantRefusal, roleGrantRefusal } from './grant-policy.js';
import { permissionsOfRoles, type Role, roles } from './permissions.js';

const allRoles = Object.keys(roles) as Role[];
const operator = (held: Role[], mfaVerified = true): Grantor => ({
  kind: 'operator',
  operatorId: 'grantor',
  permissions: permissionsOfRoles(held),
  mfaVerified,
});
const target = (held: Role[]) => ({ operatorId: 'target', roles: held });

describe('the grant policy', () => {
  it('lets security grant only security, and an admin everything once MFA was passed in the session', () => {
    expect(grantableRoles(operator(['security']), allRoles)).toEqual(['security']);
    expect(grantableRoles(operator(['admin']), allRoles)).toEqual(allRoles);
    expect(grantableRoles(operator(['admin'], false), allRoles)).not.toContain('admin');
  });

  it('refuses changing one’s own roles, even to fewer', () => {
    const self = { operatorId: 'grantor', roles: ['admin', 'auditor'] as Role[] };
    expect(roleGrantRefusal(operator(['admin', 'auditor']), { target: self, roles: ['admin'] })?.code).toBe(
      'own_roles_immutable',
    );
    expect(
      roleGrantRefusal(operator(['admin', 'auditor']), { target: self, roles: self.roles }),
    ).toBeUndefined();
  });

  it('refuses changing the roles of an operator who holds more than the grantor', () => {
    expect(
      roleGrantRefusal(operator(['security']), { target: target(['admin']), roles: ['security'] })?.code,
    ).toBe('operator_exceeds_own_permissions');
  });

  it('never lets an API key grant admin, and bounds every grant by the grantor’s permissions', () => {
    const key: Grantor = { kind: 'api_key', keyId: 'k', permissions: permissionsOfRoles(['admin']) };
    expect(roleGrantRefusal(key, { target: undefined, roles: ['admin'] })?.code).toBe(
      'admin_grant_needs_mfa',
    );
    expect(permissionGrantRefusal(operator(['auditor']), ['vault.read'])).toBeUndefined();
    expect(permissionGrantRefusal(operator(['auditor']), ['vault.reveal'])?.code).toBe(
      'grant_exceeds_own_permissions',
    );
    expect(roleGrantRefusal({ kind: 'nobody' }, { target: undefined, roles: ['auditor'] })?.code).toBe(
      'grant_exceeds_own_permissions',
    );
    expect(roleGrantRefusal({ kind: 'root' }, { target: undefined, roles: ['admin'] })).toBeUndefined();
  });
});
