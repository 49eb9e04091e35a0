import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { Clock } from '../../lib/clock.js';
import { pageOf, timeIdCursor } from '../../lib/paging.js';
import { sanitizeDetails, scrubText } from '../audit/audit-details.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { type AlertKind, alertKinds } from './alert-kinds.js';
import type { AlertFilters, AlertRow, AlertStore } from './alert-store.js';
import type { AlertSeverity, AlertStatus } from './alert-tables.js';

/** An alert as its source raises it. Summary and details are the source's own words, never personal data. */
export type AlertInput = {
  kind: AlertKind;
  /** One line for a person: what happened, with counts and codes, never names or addresses. */
  summary: string;
  /** What the alert is about, pseudonymously: a type and an id (uuid, keyed hash, number). */
  target?: { type: string; id: string } | undefined;
  /** Facts (pseudonymous ids, counts, reason codes); sanitized like audit details. */
  details?: Record<string, unknown> | undefined;
  /** The kind's severity unless the source grades it (monitoring grades by score). */
  severity?: AlertSeverity | undefined;
};

export type RaisedAlert = { id: string; count: number; repeated: boolean };

export type AlertSettings = {
  /** Repeats of an unresolved alert last seen within this long fold into it (policy `window`). */
  dedupeWindowMs: number;
};

type Deps = {
  db: Kysely<DB>;
  store: AlertStore;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
  settings: AlertSettings;
};

const targetTypePattern = /^[a-z][a-z0-9_]{0,49}$/;
/** Ids no filter needs to look at: uuids and keyed hashes (hex). Anything else is scrubbed. */
const opaqueId =
  /^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{32}|[0-9a-f]{64})$/i;

/** A target id as stored: opaque ids and audit entry numbers as they are, anything else scrubbed. */
function storedTargetId(target: { type: string; id: string }): string {
  if (opaqueId.test(target.id)) return target.id;
  if (target.type === 'audit_entry' && /^\d{1,16}$/.test(target.id)) return target.id;
  return scrubText(target.id, 200);
}
const maxSummary = 500;

/**
 * Security alerts: raised by other modules inside their own transactions (folding repeats of the same kind
 * and target into one alert), listed for the console, and acknowledged and resolved by operators, each
 * change audited in its transaction.
 */
export function alertService({ db, store, audit, clock, settings }: Deps) {
  function assertWellFormed(alert: AlertInput) {
    if (!Object.hasOwn(alertKinds, alert.kind)) throw new Error(`Unknown alert kind "${alert.kind}"`);
    if (alert.summary.trim().length === 0) throw new Error('An alert needs a summary');
    if (alert.target && !targetTypePattern.test(alert.target.type)) {
      throw new Error(`Alert target type "${alert.target.type.slice(0, 50)}" is not a lowercase name`);
    }
  }

  /**
   * Raises an alert inside the caller's transaction, so it exists exactly when the change that caused it
   * commits. A repeat of an unresolved alert of the same kind and target (within the dedupe window, or as
   * long as it is unresolved, as the kind says) raises its count and last-seen time instead.
   */
  async function raise(tx: Tx, alert: AlertInput): Promise<RaisedAlert> {
    assertWellFormed(alert);
    const now = clock.now();
    // The same safety net as audit entries: text shaped like personal data never gets stored.
    const summary = scrubText(alert.summary.trim(), maxSummary);
    const details = JSON.stringify(sanitizeDetails(alert.details));
    const targetType = alert.target?.type ?? null;
    const targetId = alert.target ? storedTargetId(alert.target) : null;
    await store.lockRepeats(tx, `${alert.kind}|${targetType ?? ''}|${targetId ?? ''}`);
    const seenSince =
      alertKinds[alert.kind].repeat === 'window' ? new Date(now.getTime() - settings.dedupeWindowMs) : null;
    const existing = await store.findRepeatable(tx, { kind: alert.kind, targetType, targetId, seenSince });
    if (existing) {
      const count = await store.recordRepeat(tx, existing.id, { summary, details, at: now });
      return { id: existing.id, count, repeated: true };
    }
    const id = randomUUID();
    await store.insert(tx, {
      id,
      kind: alert.kind,
      severity: alert.severity ?? alertKinds[alert.kind].severity,
      summary,
      details,
      target_type: targetType,
      target_id: targetId,
      first_seen_at: now,
      last_seen_at: now,
      updated_at: now,
    });
    return { id, count: 1, repeated: false };
  }

  /** Alerts last seen first, filtered; `nextCursor` continues after the last one returned. */
  async function list(
    filters: AlertFilters,
    cursor: string | undefined,
    limit: number,
  ): Promise<{ items: AlertRow[]; nextCursor: string | null }> {
    const after = cursor ? timeIdCursor.decode(cursor) : undefined;
    const rows = await store.page(db, filters, after && { lastSeenAt: after.at, id: after.id }, limit + 1);
    return pageOf(
      rows,
      limit,
      (row) => row,
      (row) => timeIdCursor.encode(row.last_seen_at, row.id),
    );
  }

  async function get(id: string): Promise<AlertRow> {
    const row = await store.find(db, id);
    if (!row) throw new AppError('not_found', 'There is no alert with this id.');
    return row;
  }

  /** Moves an alert on (`from` the states allowed), with the operator's optional note, audited. */
  async function settle(
    context: AuditContext,
    id: string,
    move: { to: Exclude<AlertStatus, 'open'>; from: readonly AlertStatus[]; note?: string | undefined },
  ): Promise<AlertRow> {
    return db.transaction().execute(async (tx) => {
      const row = await store.lock(tx, id);
      if (!row) throw new AppError('not_found', 'There is no alert with this id.');
      if (!move.from.includes(row.status)) {
        throw new AppError('invalid_transition', `This alert is ${row.status} already.`, {
          extensions: { currentStatus: row.status },
        });
      }
      const { kind, severity, status: from } = row;
      const now = clock.now();
      const by = context.actor.id;
      const note = move.note?.trim() ? move.note.trim() : undefined;
      const updated = await store.update(tx, id, {
        status: move.to,
        ...(move.to === 'acknowledged'
          ? { acknowledged_by: by, acknowledged_at: now }
          : { resolved_by: by, resolved_at: now }),
        ...(note ? { note } : {}),
        updated_at: now,
      });
      await audit.append(tx, context, {
        action: `alert.${move.to}`,
        outcome: 'success',
        target: { type: 'alert', id },
        details: { kind, severity, from, withNote: Boolean(note) },
      });
      return updated;
    });
  }

  /** Marks an open alert as being looked at. */
  function acknowledge(context: AuditContext, id: string, note?: string): Promise<AlertRow> {
    return settle(context, id, { to: 'acknowledged', from: ['open'], note });
  }

  /** Closes an open or acknowledged alert; a repeat after this raises a new one. */
  function resolve(context: AuditContext, id: string, note?: string): Promise<AlertRow> {
    return settle(context, id, { to: 'resolved', from: ['open', 'acknowledged'], note });
  }

  return { raise, list, get, acknowledge, resolve };
}

export type AlertService = ReturnType<typeof alertService>;
/** What a source of alerts needs: raising, in its own transaction. */
export type AlertRaiser = Pick<AlertService, 'raise'>;
