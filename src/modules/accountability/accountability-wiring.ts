import type { JobDefinition } from '../../jobs/queue.js';
import type { Logger } from '../../logger.js';
import type { Platform } from '../../wiring/platform.js';
import type { ApiKeyService } from '../access/api-key-service.js';
import { rolesOf } from '../access/auth-service.js';
import type { OperatorService } from '../access/operator-service.js';
import { permissionsOfRoles } from '../access/permissions.js';
import type { AuditService } from '../audit/audit-service.js';
import type { MailService } from '../mail/mail-service.js';
import { type AccessRevocation, accessReviews } from './access-reviews.js';
import { accountabilityMetrics } from './accountability-metrics.js';
import { accountabilityStore } from './accountability-store.js';
import { externalAudits } from './external-audits.js';
import { policyRegister } from './policy-register.js';
import { registerImport } from './register-import.js';
import type { StaffMember } from './registers-common.js';
import { trainingRegister } from './training-register.js';

type Deps = {
  audit: AuditService;
  operators: Pick<OperatorService, 'list' | 'update'>;
  apiKeys: Pick<ApiKeyService, 'list' | 'revoke'>;
  mail: Pick<MailService, 'enqueue'>;
};

export const trainingRemindersJobName = 'accountability.training_reminders';

/** Every day at 07:00 UTC: reminders for training that expires within the horizon. */
function trainingRemindersJob(remind: () => Promise<number>, logger: Logger): JobDefinition {
  return {
    name: trainingRemindersJobName,
    schedule: '0 7 * * *',
    retryLimit: 2,
    handler: async () => {
      const sent = await remind();
      if (sent > 0) logger.info({ sent }, 'training expiry reminders queued');
    },
  };
}

/** The accountability registers: policies, training, external audits and findings, access reviews. */
export function accountabilityModule({ db, clock, logger }: Platform, deps: Deps) {
  const store = accountabilityStore();
  const base = { db, store, audit: deps.audit, clock };
  const staff = async (): Promise<StaffMember[]> =>
    (await deps.operators.list()).map((row) => ({
      id: row.id,
      displayName: row.display_name,
      email: row.email,
      roles: row.roles,
      status: row.status,
      lastLoginAt: row.last_login_at,
    }));
  const access: AccessRevocation = {
    async principals() {
      const now = clock.now().getTime();
      const [operators, keys] = await Promise.all([deps.operators.list(), deps.apiKeys.list()]);
      return [
        ...operators
          .filter((row) => row.status === 'active')
          .map((row) => ({
            type: 'operator' as const,
            id: row.id,
            label: row.display_name,
            roles: rolesOf(row),
            permissions: [...permissionsOfRoles(rolesOf(row))].sort(),
            lastUsedAt: row.last_login_at,
          })),
        ...keys
          .filter((row) => !row.revoked_at && !(row.expires_at && row.expires_at.getTime() <= now))
          .map((row) => ({
            type: 'api_key' as const,
            id: row.id,
            label: row.name,
            roles: [],
            permissions: [...row.permissions].sort(),
            lastUsedAt: row.last_used_at,
          })),
      ];
    },
    async disableOperator(context, grantor, id) {
      const before = (await deps.operators.list()).find((row) => row.id === id);
      if (!before || before.status === 'disabled') return false;
      await deps.operators.update(context, grantor, id, { status: 'disabled' });
      return true;
    },
    async revokeApiKey(context, id) {
      const before = (await deps.apiKeys.list()).find((row) => row.id === id);
      if (!before || before.revoked_at) return false;
      await deps.apiKeys.revoke(context, id);
      return true;
    },
  };
  const policies = policyRegister({ ...base, staff });
  const training = trainingRegister({
    ...base,
    staff,
    mail: deps.mail,
    settings: { reminderDays: 30, batchSize: 500 },
  });
  const externalAuditRegister = externalAudits(base);
  const reviews = accessReviews({ ...base, access, record: deps.audit.record });
  const imports = registerImport({ ...base, staff });
  return {
    policies,
    training,
    externalAudits: externalAuditRegister,
    accessReviews: reviews,
    registerImports: imports,
    metrics: accountabilityMetrics({ policies, training, externalAudits: externalAuditRegister }),
    background: { jobs: [trainingRemindersJob(training.remindExpiring, logger)], prune: [] },
  };
}
