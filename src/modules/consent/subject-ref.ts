import { AppError } from '../../lib/app-error.js';
import type { AuditContext } from '../audit/audit-types.js';
import type { RecordService } from '../vault/record-service.js';

/** A subject by id, or by e-mail or external id (looked up through the vault's blind indexes). */
export type SubjectRef = {
  id?: string | undefined;
  email?: string | undefined;
  externalId?: string | undefined;
};

export type SubjectSearch = Pick<RecordService, 'searchSubjects'>;

/**
 * The id of the one subject a reference names. An id is taken as given (whoever uses it answers 404 for
 * an unknown one); an e-mail or external id is searched in the vault, which audits the search.
 */
export async function subjectIdOf(
  search: SubjectSearch,
  context: AuditContext,
  ref: SubjectRef,
): Promise<string> {
  if (ref.id) return ref.id;
  const found = await search.searchSubjects(context, { email: ref.email, externalId: ref.externalId });
  const [first, second] = found;
  if (!first) throw new AppError('not_found', 'No subject matches.');
  if (second) {
    throw new AppError('conflict', 'Several subjects match; name the subject by id.', {
      extensions: { matches: found.length },
    });
  }
  return first.id;
}
