import type { Role } from '../../src/modules/access/permissions.js';
import { rolePermissions } from '../../src/modules/access/permissions.js';
import { createOperator } from './factories.js';
import type { TestApp } from './test-app.js';

export type AuthHeaders = Record<string, string>;

const systemContext = { actor: { type: 'system' as const, id: 'tests' }, requestId: null, ip: null };
const operatorsByRole = new WeakMap<TestApp, Map<Role, Promise<{ id: string }>>>();

/**
 * Headers for a fully signed-in caller with `role`: a fresh operator session (cookie and CSRF token) for
 * operator roles, an API key holding every `service` permission for the service role. Each call opens a
 * new session, so a test may log it out without affecting others. The session has passed a second
 * factor unless `mfaVerified` is false (signed in where MFA was not required).
 */
export async function actAs(
  t: TestApp,
  role: Role,
  options: { mfaVerified?: boolean } = {},
): Promise<AuthHeaders> {
  if (role === 'service') {
    const { key } = await t.runtime.services.apiKeys.create(
      systemContext,
      { kind: 'root' },
      { name: 'test service key', permissions: [...rolePermissions.service] },
    );
    return { authorization: `Bearer ${key}` };
  }
  let byRole = operatorsByRole.get(t);
  if (!byRole) {
    byRole = new Map();
    operatorsByRole.set(t, byRole);
  }
  let operator = byRole.get(role);
  if (!operator) {
    operator = createOperator(t, { roles: [role] });
    byRole.set(role, operator);
  }
  const { id } = await operator;
  const session = await t.runtime.services.auth.startSession(
    t.runtime.database.db,
    { id, roles: [role], mfa_enabled: true },
    { satisfied: true, verifiedAt: options.mfaVerified === false ? null : new Date() },
  );
  return { cookie: `custos_session=${session.token}`, 'x-csrf-token': session.csrfToken };
}
