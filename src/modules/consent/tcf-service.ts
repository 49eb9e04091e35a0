import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { ConsentStates } from './consent-states.js';
import type { ConsentStore, TcfRow } from './consent-store.js';
import { decodeTcString, TcStringError } from './tcf.js';

type Deps = {
  db: Kysely<DB>;
  store: ConsentStore;
  states: ConsentStates;
  audit: AuditWriter;
  clock: Clock;
};

/**
 * IAB TCF v2.2 consent strings from a subject's CMP: decoded with the IAB library, stored as given with
 * the decoded purpose, special-feature and vendor signals, so ad-tech consent is on record next to the
 * subject's other choices.
 */
export function tcfService({ db, store, states, audit, clock }: Deps) {
  async function record(context: AuditContext, subjectId: string, tcString: string): Promise<TcfRow> {
    let decoded: ReturnType<typeof decodeTcString>;
    try {
      decoded = decodeTcString(tcString.trim());
    } catch (error) {
      if (!(error instanceof TcStringError)) throw error;
      throw new AppError('invalid_tc_string', error.message);
    }
    const consent = await states.of(subjectId);
    if (!consent) throw new AppError('not_found', 'Subject not found.');
    if (consent.status === 'erased') {
      throw new AppError('subject_erased', 'This subject was erased; no consent can be recorded for them.');
    }
    const row: TcfRow = {
      id: randomUUID(),
      subject_id: subjectId,
      tc_string: tcString.trim(),
      cmp_id: decoded.cmpId,
      cmp_version: decoded.cmpVersion,
      policy_version: decoded.policyVersion,
      vendor_list_version: decoded.vendorListVersion,
      publisher_cc: decoded.publisherCountryCode,
      service_specific: decoded.serviceSpecific,
      purpose_consents: decoded.purposeConsents,
      purpose_legitimate_interests: decoded.purposeLegitimateInterests,
      special_feature_optins: decoded.specialFeatureOptins,
      vendor_consents: decoded.vendorConsents,
      vendor_legitimate_interests: decoded.vendorLegitimateInterests,
      tc_created_at: decoded.createdAt,
      tc_updated_at: decoded.updatedAt,
      recorded_at: clock.now(),
      actor_type: context.actor.type,
      actor_id: context.actor.id,
    };
    await db.transaction().execute(async (tx) => {
      await store.insertTcf(tx, row);
      await audit.append(tx, context, {
        action: 'consent.tcf.recorded',
        outcome: 'success',
        target: { type: 'subject', id: subjectId },
        details: {
          cmpId: row.cmp_id,
          policyVersion: row.policy_version,
          vendorListVersion: row.vendor_list_version,
          purposeConsents: row.purpose_consents,
          vendorConsents: row.vendor_consents.length,
        },
      });
    });
    return row;
  }

  /** The subject's most recent TC string, decoded. */
  async function latest(subjectId: string): Promise<TcfRow> {
    if (!(await states.of(subjectId))) throw new AppError('not_found', 'Subject not found.');
    const row = await store.latestTcf(db, subjectId);
    if (!row) throw new AppError('not_found', 'No TC string was recorded for this subject.');
    return row;
  }

  return { record, latest };
}

export type TcfService = ReturnType<typeof tcfService>;
