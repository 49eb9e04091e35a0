import { AppError } from '../../lib/app-error.js';
import type { SubjectStatus } from './vault-tables.js';

/**
 * The purpose under which a restricted subject's records may still be read. Restriction (GDPR Art. 18(2))
 * leaves storage and little else: reading the data for any other purpose stops until it is lifted, so a
 * reader must say that this is one of the few uses still allowed (the subject's consent, legal claims, the
 * rights of others, an important public interest, or an obligation the data was retained for).
 */
export const restrictedProcessingPurpose = 'restricted_processing';

/** Refuses to read a restricted subject's data for any purpose but `restricted_processing`. */
export function assertReadableFor(subject: { status: SubjectStatus }, purpose: string): void {
  if (subject.status !== 'restricted' || purpose === restrictedProcessingPurpose) return;
  throw new AppError(
    'subject_restricted',
    `Processing of this subject's data is restricted (GDPR Art. 18); it can only be read for the ${restrictedProcessingPurpose} purpose.`,
    { extensions: { requiredPurpose: restrictedProcessingPurpose } },
  );
}
