import type { Database } from '../../db/database.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditService } from '../audit/audit-service.js';
import type { PurposeService } from '../consent/purpose-service.js';
import type { CollectionService } from '../vault/collection-service.js';
import { subjectActivity } from '../vault/subject-activity.js';
import { minimizationAudit } from './minimization.js';
import type { RetentionPolicies } from './retention-policies.js';

type Deps = {
  database: Database;
  clock: Clock;
  audit: Pick<AuditService, 'fieldsReadSince'>;
  collections: Pick<CollectionService, 'list'>;
  purposes: Pick<PurposeService, 'list'>;
  retentionPolicies: Pick<RetentionPolicies, 'list'>;
  /** The data categories processing activities declare, once the inventory provides them. */
  declaredCategories?: () => Promise<Set<string>>;
};

/** The minimization audit, built over the services it reads from. */
export function minimizationModule({
  database,
  clock,
  audit,
  collections,
  purposes,
  retentionPolicies,
  declaredCategories,
}: Deps) {
  const activity = subjectActivity({ db: database.db });
  const minimization = minimizationAudit({
    clock,
    collections: () => collections.list(),
    recordsPerCollection: activity.recordsPerCollection,
    fieldsReadSince: audit.fieldsReadSince,
    purposes: () => purposes.list(),
    retentionPolicies: () => retentionPolicies.list(),
    inactiveSubjects: activity.inactiveSince,
    declaredCategories,
  });
  return { minimization };
}
