import type { Kysely } from 'kysely';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { AlertRaiser, RaisedAlert } from './alert-service.js';

type Deps = {
  db: Kysely<DB>;
  alerts: AlertRaiser;
  clock: Clock;
  /** The keyed hash of a client's network the audit log uses (null when the address is unusable). */
  clientRef: (ip: string) => string | null;
};

/** An audit verification that failed, as the verifier reports it. */
export type FailedVerification = { problem: string; seq: number; message: string };

const plural = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;

/**
 * The alerts other modules raise, one function per situation: each writes the summary and the
 * pseudonymous target and facts for its kind, so sources never compose alert text themselves. Functions
 * taking `tx` raise inside the caller's transaction.
 */
export function securityAlerts({ db, alerts, clock, clientRef }: Deps) {
  /** An operator account's logins are backed off after repeated failures (per network, or slowed). */
  function accountLocked(tx: Tx, operatorId: string): Promise<RaisedAlert> {
    return alerts.raise(tx, {
      kind: 'login.account_locked',
      summary:
        'An operator account was locked after repeated failed logins. Only the failing networks are backed off; the owner can sign in from another.',
      target: { type: 'operator', id: operatorId },
    });
  }

  /** Logins from one client network are backed off after many failures (across accounts). */
  async function clientThrottled(tx: Tx, ip: string): Promise<RaisedAlert | undefined> {
    const network = clientRef(ip);
    if (!network) return undefined;
    return alerts.raise(tx, {
      kind: 'login.client_throttled',
      summary: 'Many failed logins came from one client network; its logins are backed off.',
      target: { type: 'client_network', id: network },
    });
  }

  /** The audit log failed verification (the scheduled job, or GET /v1/audit/verify). */
  function auditVerificationFailed(report: FailedVerification): Promise<RaisedAlert> {
    return db.transaction().execute((tx) =>
      alerts.raise(tx, {
        kind: 'audit.verification_failed',
        // Grouped digits: a long bare number would look like a phone number to the personal-data filter.
        summary: `The audit log failed verification at entry ${report.seq.toLocaleString('en-GB')}: ${report.problem}.`,
        target: { type: 'audit_entry', id: String(report.seq) },
        details: { problem: report.problem, seq: report.seq, message: report.message },
      }),
    );
  }

  /** A webhook delivery used all its attempts. */
  function webhookDeadLettered(
    tx: Tx,
    delivery: { deliveryId: string; endpointId: string },
  ): Promise<RaisedAlert> {
    return alerts.raise(tx, {
      kind: 'webhook.dead_lettered',
      summary: 'A webhook delivery failed every attempt and was given up on.',
      target: { type: 'webhook_endpoint', id: delivery.endpointId },
      details: { delivery: delivery.deliveryId },
    });
  }

  /** A delivery of personal data or identifiers was withheld: the receiver's location is refused. */
  function transferRefused(
    tx: Tx,
    delivery: { deliveryId: string; endpointId: string },
  ): Promise<RaisedAlert> {
    return alerts.raise(tx, {
      kind: 'transfer.refused',
      summary:
        'A webhook delivery was not sent: the data residency policy refuses the receiver’s location for this data.',
      target: { type: 'webhook_endpoint', id: delivery.endpointId },
      details: { delivery: delivery.deliveryId },
    });
  }

  /** At start-up: subjects of a region are stored on an instance whose location their residency policy refuses. */
  function subjectStorageRefused(
    tx: Tx,
    finding: { region: string; policyId: string; reason: string },
  ): Promise<RaisedAlert> {
    return alerts.raise(tx, {
      kind: 'transfer.storage_refused',
      summary:
        finding.reason === 'instance_location_unset'
          ? `Subjects of region ${finding.region} are stored here, and their residency policy says where they may be stored, but this instance has no configured location (CUSTOS_INSTANCE_LOCATION).`
          : `Subjects of region ${finding.region} are stored on an instance whose location their residency policy does not allow.`,
      target: { type: 'residency_policy', id: finding.policyId },
      details: { region: finding.region, reason: finding.reason },
    });
  }

  /** A downstream system's task failed for good (reported by the system, or undeliverable). */
  function systemTaskFailed(
    tx: Tx,
    task: { taskId: string; requestId: string; systemId: string; action: string; failure: string },
  ): Promise<RaisedAlert> {
    return alerts.raise(tx, {
      kind: 'system_task.failed',
      summary:
        task.failure === 'residency_refused'
          ? `A downstream system was not sent its ${task.action} task: the data residency policy refuses its location.`
          : task.failure === 'undeliverable'
            ? `A downstream system could not be sent its ${task.action} task: the webhook was given up on.`
            : `A downstream system reported that it could not carry out its ${task.action} task.`,
      target: { type: 'system_task', id: task.taskId },
      details: {
        request: task.requestId,
        system: task.systemId,
        action: task.action,
        failure: task.failure,
      },
    });
  }

  /** An open request is past its deadline (the daily reminder job finds it again every day). */
  function requestOverdue(
    tx: Tx,
    request: { id: string; type: string; regime: string; dueAt: Date },
  ): Promise<RaisedAlert> {
    const days = Math.max(0, Math.floor((clock.now().getTime() - request.dueAt.getTime()) / 86_400_000));
    return alerts.raise(tx, {
      kind: 'request.overdue',
      summary:
        days === 0
          ? `A data-subject request (${request.type}, ${request.regime}) passed its deadline today.`
          : `A data-subject request (${request.type}, ${request.regime}) is ${plural(days, 'day', 'days')} overdue.`,
      target: { type: 'request', id: request.id },
      details: {
        type: request.type,
        regime: request.regime,
        dueAt: request.dueAt.toISOString(),
        daysOverdue: days,
      },
    });
  }

  /** A breach's notification clock reached 24 hours left (stage 1), 6 hours left (2), or ran out (3). */
  function breachClock(
    tx: Tx,
    breach: { id: string; stage: 1 | 2 | 3; deadlineAt: Date },
  ): Promise<RaisedAlert> {
    const deadlineAt = breach.deadlineAt.toISOString();
    if (breach.stage === 3) {
      return alerts.raise(tx, {
        kind: 'breach.notification_overdue',
        summary: 'A breach passed its 72-hour deadline without a notification to the supervisory authority.',
        target: { type: 'breach', id: breach.id },
        details: { deadlineAt },
      });
    }
    const hoursLeft = breach.stage === 1 ? 24 : 6;
    return alerts.raise(tx, {
      kind: 'breach.deadline_near',
      summary: `A breach must be notified to the supervisory authority within ${hoursLeft} hours.`,
      target: { type: 'breach', id: breach.id },
      details: { deadlineAt, hoursLeft },
    });
  }

  return {
    accountLocked,
    clientThrottled,
    auditVerificationFailed,
    webhookDeadLettered,
    transferRefused,
    subjectStorageRefused,
    systemTaskFailed,
    requestOverdue,
    breachClock,
  };
}

export type SecurityAlerts = ReturnType<typeof securityAlerts>;
