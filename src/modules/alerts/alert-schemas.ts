import { z } from 'zod';
import { alertKindNames, alertKinds } from './alert-kinds.js';
import type { AlertFilters, AlertRow } from './alert-store.js';

export const ZAlertSeverity = z.enum(['info', 'warning', 'critical']);
export const ZAlertStatus = z.enum(['open', 'acknowledged', 'resolved']);
export const ZAlertKind = z.enum(alertKindNames).describe(
  Object.entries(alertKinds)
    .map(([kind, definition]) => `\`${kind}\` (${definition.severity}): ${definition.description}`)
    .join(' '),
);

export const ZAlertIdParams = z.object({ id: z.uuid().toLowerCase() });

export const ZAlertQuery = z.object({
  status: ZAlertStatus.optional(),
  severity: ZAlertSeverity.optional(),
  kind: ZAlertKind.optional(),
  since: z.iso
    .datetime({ offset: true })
    .optional()
    .describe('Only alerts last seen at or after this instant'),
  cursor: z.string().min(1).max(200).optional().describe('`nextCursor` of the previous page'),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

export function filtersFrom(query: Omit<z.infer<typeof ZAlertQuery>, 'cursor' | 'limit'>): AlertFilters {
  return {
    status: query.status,
    severity: query.severity,
    kind: query.kind,
    since: query.since ? new Date(query.since) : undefined,
  };
}

export const ZAlertNote = z
  .object({
    note: z
      .string()
      .trim()
      .max(2000)
      .optional()
      .describe('What was found or done; kept with the alert, never copied to the audit log'),
  })
  .optional();

export const ZAlert = z
  .object({
    id: z.uuid().toLowerCase(),
    kind: z.string(),
    severity: ZAlertSeverity,
    summary: z.string().describe('One line written by Custos; never personal data'),
    details: z
      .record(z.string(), z.unknown())
      .describe('Facts of the latest occurrence: pseudonymous ids, counts, reason codes'),
    target: z
      .object({ type: z.string(), id: z.string() })
      .nullable()
      .describe(
        'What the alert is about, pseudonymously (an operator, request or endpoint id, a keyed hash)',
      ),
    firstSeenAt: z.iso.datetime(),
    lastSeenAt: z.iso.datetime(),
    count: z.number().int().describe('Occurrences folded into this alert'),
    status: ZAlertStatus,
    acknowledgedBy: z.string().nullable().describe('Operator id'),
    acknowledgedAt: z.iso.datetime().nullable(),
    resolvedBy: z.string().nullable().describe('Operator id'),
    resolvedAt: z.iso.datetime().nullable(),
    note: z.string().nullable().describe('The latest note given when acknowledging or resolving'),
  })
  .meta({ id: 'Alert' });

export function presentAlert(row: AlertRow): z.infer<typeof ZAlert> {
  return {
    id: row.id,
    kind: row.kind,
    severity: row.severity,
    summary: row.summary,
    details: row.details,
    target: row.target_type && row.target_id ? { type: row.target_type, id: row.target_id } : null,
    firstSeenAt: row.first_seen_at.toISOString(),
    lastSeenAt: row.last_seen_at.toISOString(),
    count: row.count,
    status: row.status,
    acknowledgedBy: row.acknowledged_by,
    acknowledgedAt: row.acknowledged_at?.toISOString() ?? null,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at?.toISOString() ?? null,
    note: row.note,
  };
}

export const ZAlertPage = z.object({ items: z.array(ZAlert), nextCursor: z.string().nullable() });
