import { type Kysely, sql } from 'kysely';
import type { Executor, Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AlertRaiser } from '../alerts/alert-service.js';
import type { ActivityBatch, ActivityBucket, ChainPositions } from '../audit/audit-activity.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import {
  addToRole,
  type Baseline,
  emptyBaseline,
  emptyRoleBaseline,
  foldBucket,
  openRevealedSubjects,
  openSubjects,
  type RoleBaseline,
} from './baseline.js';
import type { MonitoringSettings } from './monitoring-settings.js';
import { settingsFrom } from './monitoring-settings.js';
import type { MonitoringStore, PrincipalKey, PrincipalRow, ScoreRow } from './monitoring-store.js';
import { combine, type Exfiltration, exfiltration, findFactors, isWarm, type Score } from './scoring.js';

/** A principal's baseline as stored: the baseline and which rules already alerted in its open hour. */
type PrincipalState = Baseline & {
  alerted?: { hour: number; anomaly?: number; exfiltration?: string; massReveal?: boolean };
};

type Deps = {
  db: Kysely<DB>;
  store: MonitoringStore;
  /** The audit module's incremental reader, on the transaction that holds the cursor. */
  activity: (tx: Executor, positions: ChainPositions, limit: number) => Promise<ActivityBatch>;
  alerts: AlertRaiser;
  audit: Pick<AuditWriter, 'append'>;
  clock: Clock;
  /** A principal's role for comparing it with its peers (operators: their first role; keys: `api_key`). */
  roleOf: (principal: PrincipalKey) => Promise<string>;
  /** Which of these subjects have an open data-subject request (absent: the check is off). */
  subjectsWithOpenRequests?: (tx: Executor, subjectIds: readonly string[]) => Promise<Set<string>>;
  /** Publishes `alert.raised` to webhook subscribers, in the alert's transaction. */
  publish?: (
    tx: Tx,
    events: readonly { type: 'alert.raised'; data: Record<string, unknown> }[],
  ) => Promise<void>;
  /** Contains a principal that a rule set to `contain` fired for (ends sessions), after the commit. */
  contain?: (principal: PrincipalKey, alertId: string) => Promise<void>;
  settings: {
    batchSize: number;
    /**
     * Distinct subjects one principal may read in clear within an hour (UTC) before a critical
     * `vault.mass_reveal` alert, warm or not; 0 turns the rule off.
     */
    massRevealThreshold?: number;
  };
};

export type RunReport = { skipped: boolean; entries: number; principals: number; alerts: number };

const pendingRole = 'pending';
const uuidShape = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const keyOf = (type: string, id: string) => `${type}:${id}`;
const hourDate = (hour: number) => new Date(hour * 3_600_000);

function stateOf(row: PrincipalRow | undefined): PrincipalState {
  return row ? (row.state as PrincipalState) : emptyBaseline();
}

/**
 * Monitoring: folds the audit log into baselines after a stored cursor, scores each principal's hour in
 * progress, and raises explained alerts (anomaly, exfiltration) in the same transaction as the cursor
 * moves, so an entry is judged once whatever the number of workers.
 */
export function monitoringService(deps: Deps) {
  const { db, store, clock } = deps;

  async function currentSettings(executor: Executor = db): Promise<MonitoringSettings> {
    return settingsFrom(await store.settings(executor));
  }

  /** Folds one batch past the cursor; undefined when another worker holds the cursor. */
  async function foldBatch(): Promise<
    (RunReport & { contained: [PrincipalKey, string][]; pending: PrincipalKey[] }) | undefined
  > {
    return db.transaction().execute(async (tx) => {
      const cursor = await store.lockCursor(tx);
      if (!cursor) return undefined;
      // The planner's estimates for these aggregates pass JIT's threshold, whose compiling costs more
      // than the queries.
      await sql`set local jit = off`.execute(tx);
      const now = clock.now();
      const batch = await deps.activity(tx, cursor.positions, deps.settings.batchSize);
      if (batch.entries === 0) {
        await store.saveCursor(tx, batch.positions, cursor.entries, now);
        return { skipped: false, entries: 0, principals: 0, alerts: 0, contained: [], pending: [] };
      }
      const settings = await currentSettings(tx);
      const result = await foldAndScore(tx, batch.buckets, settings, now);
      await store.saveCursor(tx, batch.positions, cursor.entries + batch.entries, now);
      return { skipped: false, entries: batch.entries, ...result };
    });
  }

  async function unmatchedBySubjects(
    tx: Tx,
    buckets: readonly ActivityBucket[],
  ): Promise<Set<string> | undefined> {
    if (!deps.subjectsWithOpenRequests) return undefined;
    const ids = [...new Set(buckets.flatMap((b) => b.fulfilmentSubjects))].filter((id) => uuidShape.test(id));
    if (ids.length === 0) return new Set();
    return deps.subjectsWithOpenRequests(tx, ids);
  }

  async function foldAndScore(
    tx: Tx,
    buckets: readonly ActivityBucket[],
    settings: MonitoringSettings,
    now: Date,
  ) {
    const keys = new Map<string, PrincipalKey>();
    for (const b of buckets)
      keys.set(keyOf(b.principalType, b.principalId), { type: b.principalType, id: b.principalId });
    const rows = new Map(
      (await store.principals(tx, [...keys.values()])).map((row) => [
        keyOf(row.principal_type, row.principal_id),
        row,
      ]),
    );
    const roleNames = [
      ...new Set([...rows.values()].map((row) => row.role).filter((r) => r !== pendingRole)),
    ];
    const roles = new Map(
      [...(await store.roles(tx, roleNames))].map(([name, state]) => [name, state as RoleBaseline]),
    );
    const open = await unmatchedBySubjects(tx, buckets);
    const states = new Map<string, PrincipalState>();
    const touchedRoles = new Map<string, RoleBaseline>();
    for (const bucket of buckets) {
      const key = keyOf(bucket.principalType, bucket.principalId);
      const role = rows.get(key)?.role ?? pendingRole;
      const unmatched = open ? bucket.fulfilmentSubjects.filter((id) => !open.has(id)).length : 0;
      const folded = foldBucket(states.get(key) ?? stateOf(rows.get(key)), bucket, unmatched);
      states.set(key, folded.baseline);
      if (folded.closed && role !== pendingRole) {
        const current = touchedRoles.get(role) ?? roles.get(role) ?? emptyRoleBaseline();
        touchedRoles.set(role, addToRole(current, folded.closed));
      }
    }
    for (const [name, role] of touchedRoles) roles.set(name, role);

    const saved: PrincipalRow[] = [];
    const scores: ScoreRow[] = [];
    const contained: [PrincipalKey, string][] = [];
    const pending: PrincipalKey[] = [];
    let raised = 0;
    for (const [key, state] of states) {
      const principal = keys.get(key) as PrincipalKey;
      const row = rows.get(key);
      const role = row?.role ?? pendingRole;
      if (role === pendingRole) pending.push(principal);
      const massReveal = await alertOnMassReveal(tx, principal, state);
      raised += massReveal;
      let judged: { score: Score; exfil: Exfiltration | undefined } | undefined;
      if (isWarm(state, settings) && state.open) {
        const roleBaseline = role === pendingRole ? undefined : roles.get(role);
        judged = {
          score: combine(
            findFactors(state, roleBaseline && { name: role, baseline: roleBaseline }),
            settings,
          ),
          exfil: exfiltration(state, settings),
        };
        scores.push({
          principal_type: principal.type,
          principal_id: principal.id,
          hour: hourDate(state.open.hour),
          score: judged.exfil ? Math.max(judged.exfil.score, judged.score.score) : judged.score.score,
          factors: judged.score.factors,
        });
        const outcome = await alertOn(tx, principal, role, state, judged, settings);
        raised += outcome.raised;
        for (const id of outcome.contain) contained.push([principal, id]);
      }
      const lastHour = state.open?.hour;
      saved.push({
        principal_type: principal.type,
        principal_id: principal.id,
        role,
        first_seen_at: row?.first_seen_at ?? hourDate(state.firstHour ?? lastHour ?? 0),
        last_seen_at: lastHour !== undefined ? hourDate(lastHour) : (row?.last_seen_at ?? now),
        active_hours: state.activeHours,
        state,
        score: judged ? (scores.at(-1)?.score ?? null) : (row?.score ?? null),
        scored_at: judged ? now : (row?.scored_at ?? null),
      });
    }
    await store.savePrincipals(tx, saved);
    await store.saveRoles(tx, touchedRoles);
    await store.saveScores(tx, scores);
    return { principals: states.size, alerts: raised, contained, pending };
  }

  /**
   * The mass-reveal rule: more distinct subjects read in clear within the hour than the threshold, by
   * any principal (no warm-up: a new API key that reads a thousand people in clear is no less
   * suspicious). Counted from the audit log, so reads served by every process add up. Once per hour.
   */
  async function alertOnMassReveal(tx: Tx, principal: PrincipalKey, state: PrincipalState): Promise<number> {
    const threshold = deps.settings.massRevealThreshold ?? 0;
    const open = state.open;
    if (threshold <= 0 || !open) return 0;
    const alerted = state.alerted?.hour === open.hour ? state.alerted : { hour: open.hour };
    if (alerted.massReveal) return 0;
    const distinctSubjects = openRevealedSubjects(open);
    if (distinctSubjects <= threshold) return 0;
    const who = principal.type === 'operator' ? 'An operator' : 'An API key';
    const alert = await deps.alerts.raise(tx, {
      kind: 'vault.mass_reveal',
      summary: `${who} read the records of more than ${threshold} subjects in clear within the hour from ${hourDate(open.hour).toISOString().slice(0, 13)}:00 UTC: possible exfiltration.`,
      target: { type: principal.type, id: principal.id },
      details: {
        distinctSubjects,
        threshold,
        hour: hourDate(open.hour).toISOString(),
        windowSeconds: 3600,
        entries: { seqs: open.seqs, firstSeq: open.firstSeq, lastSeq: open.lastSeq },
      },
    });
    if (!alert.repeated) await announce(tx, alert.id, 'vault.mass_reveal', principal, 1, 'critical');
    state.alerted = { ...alerted, massReveal: true };
    return 1;
  }

  /** Raises the anomaly and exfiltration alerts a judged hour calls for, once per hour and rule. */
  async function alertOn(
    tx: Tx,
    principal: PrincipalKey,
    role: string,
    state: PrincipalState,
    judged: { score: Score; exfil: Exfiltration | undefined },
    settings: MonitoringSettings,
  ): Promise<{ raised: number; contain: string[] }> {
    const open = state.open;
    if (!open) return { raised: 0, contain: [] };
    const alerted = state.alerted?.hour === open.hour ? state.alerted : { hour: open.hour };
    const who = principal.type === 'operator' ? 'An operator' : 'An API key';
    const entries = { seqs: open.seqs, firstSeq: open.firstSeq, lastSeq: open.lastSeq };
    let raised = 0;
    const contain: string[] = [];
    const { score, factors } = judged.score;
    if (score >= settings.threshold && (alerted.anomaly === undefined || score >= alerted.anomaly + 0.05)) {
      const alert = await deps.alerts.raise(tx, {
        kind: 'monitoring.anomaly',
        severity: score >= 0.95 ? 'critical' : 'warning',
        summary: `${who} scored ${score.toFixed(2)} for the hour from ${hourDate(open.hour).toISOString().slice(0, 13)}:00 UTC: ${factors
          .slice(0, 3)
          .map((f) => f.factor.replace('_', ' '))
          .join(', ')}.`,
        target: { type: principal.type, id: principal.id },
        details: {
          score,
          threshold: settings.threshold,
          hour: hourDate(open.hour).toISOString(),
          role,
          factors,
          entries,
          subjects: openSubjects(open),
        },
      });
      if (!alert.repeated)
        await announce(
          tx,
          alert.id,
          'monitoring.anomaly',
          principal,
          score,
          score >= 0.95 ? 'critical' : 'warning',
        );
      alerted.anomaly = score;
      open.flagged = true;
      raised += 1;
      if (settings.responses.anomaly === 'contain' && !alert.repeated) contain.push(alert.id);
    }
    const exfil = judged.exfil;
    if (exfil && alerted.exfiltration !== exfil.variant) {
      const alert = await deps.alerts.raise(tx, {
        kind: 'monitoring.exfiltration',
        summary: `${who} exported ${exfil.ratio.toFixed(1)} times its normal volume ${exfil.variant === 'fast' ? 'within an hour' : 'over the last day'}: possible exfiltration.`,
        target: { type: principal.type, id: principal.id },
        details: {
          variant: exfil.variant,
          score: exfil.score,
          exportedRecords: exfil.exportedRecords,
          normal: exfil.normal,
          ratio: exfil.ratio,
          role,
          factors: [
            {
              factor: exfil.variant === 'fast' ? 'exfiltration' : 'slow_exfiltration',
              strength: 1,
              contribution: exfil.score,
              words: exfil.words,
            },
          ],
          entries,
        },
      });
      if (!alert.repeated)
        await announce(tx, alert.id, 'monitoring.exfiltration', principal, exfil.score, 'critical');
      alerted.exfiltration = exfil.variant;
      raised += 1;
      if (settings.responses.exfiltration === 'contain' && !alert.repeated) contain.push(alert.id);
    }
    state.alerted = alerted;
    return { raised, contain };
  }

  async function announce(
    tx: Tx,
    alertId: string,
    kind: string,
    principal: PrincipalKey,
    score: number,
    severity: string,
  ): Promise<void> {
    await deps.publish?.(tx, [
      {
        type: 'alert.raised',
        data: { alertId, kind, severity, targetType: principal.type, targetId: principal.id, score },
      },
    ]);
  }

  /** Gives principals first seen in the last batch their role (read outside the folding transaction). */
  async function resolveRoles(pending: readonly PrincipalKey[]): Promise<void> {
    if (pending.length === 0) return;
    const resolved: (PrincipalKey & { role: string })[] = [];
    for (const principal of pending) resolved.push({ ...principal, role: await deps.roleOf(principal) });
    await store.setRoles(db, resolved);
  }

  /**
   * Folds everything past the cursor, batch by batch, and scores it; returns at once when another
   * worker is at it. `stop` ends it between batches (a lost job lease).
   */
  async function run(stop?: AbortSignal): Promise<RunReport> {
    const total: RunReport = { skipped: false, entries: 0, principals: 0, alerts: 0 };
    for (;;) {
      if (stop?.aborted) return total;
      const batch = await foldBatch();
      if (!batch) return { ...total, skipped: total.entries === 0 };
      await resolveRoles(batch.pending);
      for (const [principal, alertId] of batch.contained) await deps.contain?.(principal, alertId);
      total.entries += batch.entries;
      total.principals += batch.principals;
      total.alerts += batch.alerts;
      if (batch.entries < deps.settings.batchSize) return total;
    }
  }

  /** Forgets every baseline and folds the whole log again (after changing what is watched). */
  async function rebuild(context: AuditContext): Promise<RunReport> {
    await db.transaction().execute(async (tx) => {
      await store.reset(tx);
      await deps.audit.append(tx, context, { action: 'monitoring.baselines.rebuilt', outcome: 'success' });
    });
    return run();
  }

  async function updateSettings(
    context: AuditContext,
    settings: MonitoringSettings,
  ): Promise<MonitoringSettings> {
    return db.transaction().execute(async (tx) => {
      await store.saveSettings(tx, settings, context.actor.id, clock.now());
      await deps.audit.append(tx, context, {
        action: 'monitoring.settings.updated',
        outcome: 'success',
        details: { threshold: settings.threshold, responses: settings.responses },
      });
      return settings;
    });
  }

  return { run, rebuild, settings: currentSettings, updateSettings };
}

export type MonitoringService = ReturnType<typeof monitoringService>;
