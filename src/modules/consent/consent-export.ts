import { csvLine } from '../../lib/csv.js';
import type { ConsentEventView } from './consent-store.js';

/** One event of a subject's history with its proof, as exported. */
export type HistoryItem = {
  sequence: number;
  eventId: string;
  purpose: string;
  version: number;
  textHash: string;
  action: string;
  method: string | null;
  source: string | null;
  givenAt: string;
  recordedAt: string;
  expiresAt: string | null;
  formId: string | null;
  ipHash: string | null;
  userAgentHash: string | null;
  recordedBy: { type: string; id: string | null };
  requestId: string | null;
};

export type HistoryFormat = 'json' | 'csv';

export function historyItemOf(event: ConsentEventView): HistoryItem {
  return {
    sequence: Number(event.seq),
    eventId: event.id,
    purpose: event.purpose_key,
    version: event.version,
    textHash: `sha256:${event.text_hash.toString('hex')}`,
    action: event.action,
    method: event.method,
    source: event.source,
    givenAt: event.given_at.toISOString(),
    recordedAt: event.recorded_at.toISOString(),
    expiresAt: event.expires_at?.toISOString() ?? null,
    formId: event.form_id,
    ipHash: event.ip_hash,
    userAgentHash: event.user_agent_hash,
    recordedBy: { type: event.actor_type, id: event.actor_id },
    requestId: event.request_id,
  };
}

/** The opening of a JSON export; items follow, then `jsonClosing`. Valid JSON however many items. */
export function jsonOpening(subjectId: string, exportedAt: Date): string {
  const header = JSON.stringify({
    format: 'custos-consent-history',
    formatVersion: 1,
    subjectId,
    exportedAt,
  });
  return `${header.slice(0, -1)},"events":[`;
}

export function jsonItem(item: HistoryItem, first: boolean): string {
  return `${first ? '\n' : ',\n'}${JSON.stringify(item)}`;
}

export const jsonClosing = '\n]}\n';

export const csvColumns = [
  'sequence',
  'event_id',
  'purpose',
  'version',
  'text_hash',
  'action',
  'method',
  'source',
  'given_at',
  'recorded_at',
  'expires_at',
  'form_id',
  'ip_hash',
  'user_agent_hash',
  'recorded_by_type',
  'recorded_by_id',
  'request_id',
] as const;

export function csvHeader(): string {
  return `${csvColumns.join(',')}\r\n`;
}

export function csvRow(item: HistoryItem): string {
  return csvLine([
    item.sequence,
    item.eventId,
    item.purpose,
    item.version,
    item.textHash,
    item.action,
    item.method,
    item.source,
    item.givenAt,
    item.recordedAt,
    item.expiresAt,
    item.formId,
    item.ipHash,
    item.userAgentHash,
    item.recordedBy.type,
    item.recordedBy.id,
    item.requestId,
  ]);
}
