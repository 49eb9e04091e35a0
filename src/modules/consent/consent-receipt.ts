import type { LegalBasis } from './consent-rules.js';
import type { ConsentEventView } from './consent-store.js';
import type { PurposeRow, PurposeVersionRow } from './purpose-store.js';

/**
 * What was recorded, for the subject and for whoever must later demonstrate the consent (GDPR Art.
 * 7(1)): who, which purpose in which version of its text (with the text and its SHA-256), what they did,
 * how, through what, when, and the proof captured, as keyed hashes only.
 */
export type ConsentReceipt = {
  receiptId: string;
  format: 'custos-consent-receipt';
  formatVersion: 1;
  sequence: number;
  subjectId: string;
  purpose: {
    key: string;
    name: string;
    version: number;
    legalBasis: LegalBasis;
    text: string;
    textHash: string;
  };
  action: string;
  method: string | null;
  source: string | null;
  givenAt: string;
  recordedAt: string;
  expiresAt: string | null;
  proof: { formId: string | null; ipHash: string | null; userAgentHash: string | null };
  recordedBy: { type: string; id: string | null };
};

export function receiptOf(
  event: ConsentEventView,
  purpose: Pick<PurposeRow, 'name'>,
  version: PurposeVersionRow,
): ConsentReceipt {
  return {
    receiptId: event.id,
    format: 'custos-consent-receipt',
    formatVersion: 1,
    sequence: Number(event.seq),
    subjectId: event.subject_id,
    purpose: {
      key: event.purpose_key,
      name: purpose.name,
      version: event.version,
      legalBasis: version.legal_basis,
      text: version.text,
      textHash: `sha256:${version.text_hash.toString('hex')}`,
    },
    action: event.action,
    method: event.method,
    source: event.source,
    givenAt: event.given_at.toISOString(),
    recordedAt: event.recorded_at.toISOString(),
    expiresAt: event.expires_at?.toISOString() ?? null,
    proof: { formId: event.form_id, ipHash: event.ip_hash, userAgentHash: event.user_agent_hash },
    recordedBy: { type: event.actor_type, id: event.actor_id },
  };
}
