import type { AlertSeverity } from './alert-tables.js';

/**
 * How repeats fold into an alert: `window` while the alert is unresolved and was last seen within the
 * dedupe window (CUSTOS_ALERT_DEDUPE_WINDOW), `unresolved` for as long as it is unresolved (conditions
 * a daily job finds again every day, such as an overdue request).
 */
export type RepeatPolicy = 'window' | 'unresolved';

type AlertKindDefinition = { severity: AlertSeverity; repeat: RepeatPolicy; description: string };

/** Every kind of alert Custos raises: its severity, how repeats fold, and what it means. */
export const alertKinds = {
  'login.account_locked': {
    severity: 'warning',
    repeat: 'window',
    description:
      'An operator account’s logins were backed off after repeated failures: from one client network (only that network is refused), or from several (the account is slowed: each network is backed off after one failure); the owner can still sign in from another network.',
  },
  'login.client_throttled': {
    severity: 'warning',
    repeat: 'window',
    description:
      'Many failed logins came from one client network, whose logins are now backed off (the target is a keyed hash of the network, as in the audit log).',
  },
  'audit.verification_failed': {
    severity: 'critical',
    repeat: 'unresolved',
    description:
      'The audit log failed verification: an entry or checkpoint was altered, removed or inserted (the target is the first bad entry).',
  },
  'webhook.dead_lettered': {
    severity: 'warning',
    repeat: 'window',
    description: 'A webhook delivery used all its attempts and was given up on (the target is the endpoint).',
  },
  'transfer.refused': {
    severity: 'warning',
    repeat: 'window',
    description:
      'A delivery of personal data or identifiers was not sent: the data residency policy refuses the receiver’s location (the target is the endpoint).',
  },
  'transfer.storage_refused': {
    severity: 'critical',
    repeat: 'unresolved',
    description:
      'At start-up: subjects of a region are stored on an instance whose configured location (CUSTOS_INSTANCE_LOCATION) their residency policy does not allow, or no location is configured (the target is the policy).',
  },
  'system_task.failed': {
    severity: 'warning',
    repeat: 'unresolved',
    description:
      'A downstream system’s task for a request failed for good: the system reported a failure, or its webhook could not be delivered.',
  },
  'request.overdue': {
    severity: 'warning',
    repeat: 'unresolved',
    description: 'A data-subject request is past its deadline and still open.',
  },
  'vault.mass_reveal': {
    severity: 'critical',
    repeat: 'window',
    description:
      'One operator or API key read the records of more distinct subjects in clear within an hour than the threshold allows (counted by monitoring from the audit log of every process): possible exfiltration.',
  },
  'breach.deadline_near': {
    severity: 'warning',
    repeat: 'unresolved',
    description:
      'A breach’s 72-hour deadline for notifying the supervisory authority is 24 hours away, then again at 6 hours (the target is the breach).',
  },
  'breach.notification_overdue': {
    severity: 'critical',
    repeat: 'unresolved',
    description:
      'A breach’s 72 hours passed without a notification to the supervisory authority recorded: it now needs the reasons for the delay (Art. 33(1)).',
  },
  'monitoring.anomaly': {
    severity: 'warning',
    repeat: 'window',
    description:
      'An operator’s or API key’s activity in an hour scored at or above the monitoring threshold; the details list the factors, their contributions and the audit entries (critical from 0.95).',
  },
  'monitoring.exfiltration': {
    severity: 'critical',
    repeat: 'window',
    description:
      'An operator or API key exported far more records than it normally does: ten times its normal volume within an hour, or three times over a day (the thresholds are settings).',
  },
} as const satisfies Record<string, AlertKindDefinition>;

export type AlertKind = keyof typeof alertKinds;

export const alertKindNames = Object.keys(alertKinds) as [AlertKind, ...AlertKind[]];

export function isAlertKind(value: string): value is AlertKind {
  return Object.hasOwn(alertKinds, value);
}
