import type { ReactNode } from 'react';
import { Link } from 'react-router';
import type { Schemas } from '../shared/api-types';
import { formatDateTime, formatNumber, humanize, label } from '../shared/format';
import { Badge } from '../shared/ui';
import { describeValue } from './audit-view';

/** A security alert as GET /v1/alerts answers it. */
export type SecurityAlert = Schemas['Alert'];

export const alertKindLabels: Record<string, string> = {
  'login.account_locked': 'Operator account locked',
  'login.client_throttled': 'Many failed logins from one network',
  'audit.verification_failed': 'Audit log failed verification',
  'webhook.dead_lettered': 'Webhook delivery given up',
  'system_task.failed': 'Downstream task failed',
  'request.overdue': 'Request overdue',
  'vault.mass_reveal': 'Possible exfiltration',
  'breach.deadline_near': 'Breach notification due soon',
  'breach.notification_overdue': 'Breach notification overdue',
  'monitoring.anomaly': 'Unusual activity',
  'monitoring.exfiltration': 'Exports far above normal',
};

export const severityLabels: Record<Schemas['Alert']['severity'], string> = {
  critical: 'Critical',
  warning: 'Warning',
  info: 'Info',
};

export const alertStatusLabels: Record<Schemas['Alert']['status'], string> = {
  open: 'Open',
  acknowledged: 'Acknowledged',
  resolved: 'Resolved',
};

const severityTones: Record<string, string> = { critical: 'danger', warning: 'warning', info: 'info' };

/** The severity as a word on a coloured badge: the colour is never the only signal. */
export function SeverityBadge({ severity }: { severity: string }) {
  return <Badge tone={severityTones[severity] ?? 'neutral'}>{label(severityLabels, severity)}</Badge>;
}

export function AlertStatusBadge({ status }: { status: string }) {
  const tone = status === 'open' ? 'danger' : status === 'acknowledged' ? 'info' : 'success';
  return <Badge tone={tone}>{label(alertStatusLabels, status)}</Badge>;
}

const detailLabels: Record<string, string> = {
  request: 'Request',
  system: 'System',
  action: 'Action',
  failure: 'Failure',
  delivery: 'Delivery',
  problem: 'Problem',
  seq: 'Entry',
  message: 'What the verifier found',
  type: 'Right',
  regime: 'Regime',
  dueAt: 'Due',
  daysOverdue: 'Days overdue',
  distinctSubjects: 'Subjects revealed',
  threshold: 'Threshold',
  windowSeconds: 'Window',
};

function detailValue(key: string, value: unknown): ReactNode {
  if (key === 'request' && typeof value === 'string')
    return <Link to={`/requests/${value}`}>Open the request</Link>;
  if (key === 'dueAt' && typeof value === 'string') return formatDateTime(value);
  if (key === 'windowSeconds' && typeof value === 'number') {
    return value % 60 === 0 ? `${formatNumber(value / 60)} minutes` : `${formatNumber(value)} seconds`;
  }
  if (typeof value === 'number') return formatNumber(value);
  if (key === 'failure' || key === 'problem' || key === 'action') return humanize(String(value));
  return describeValue(value);
}

/** Where the alert's subject is looked after in the console, as a link; the bare reference otherwise. */
function TargetLink({ target }: { target: NonNullable<SecurityAlert['target']> }) {
  const short = /^[0-9a-f]{8}-[0-9a-f-]{27}$/.test(target.id) ? target.id.slice(0, 8) : target.id;
  switch (target.type) {
    case 'request':
      return <Link to={`/requests/${target.id}`}>Request {short}</Link>;
    case 'operator':
      return <Link to="/operators">Operator {short}</Link>;
    case 'api_key':
      return <Link to="/api-keys">API key {short}</Link>;
    case 'webhook_endpoint':
      return <Link to="/webhooks">Webhook endpoint {short}</Link>;
    case 'audit_entry':
      return <Link to="/audit">Audit entry #{target.id}</Link>;
    case 'client_network':
      return <span>Client network (pseudonymized) {target.id.slice(0, 12)}</span>;
    case 'system_task':
      return <span>Task {short}</span>;
    default:
      return (
        <span>
          {humanize(target.type)} {short}
        </span>
      );
  }
}

/** What an alert is about and what it found, as a list of facts (never raw JSON). */
export function AlertFacts({ alert }: { alert: SecurityAlert }) {
  // The database keeps keys in an order of its own; show them in a fixed, readable one.
  const order = Object.keys(detailLabels);
  const rank = (key: string) => (order.includes(key) ? order.indexOf(key) : order.length);
  const details = Object.entries(alert.details)
    .filter(([, value]) => value !== null && value !== undefined)
    .sort(([a], [b]) => rank(a) - rank(b));
  return (
    <ul className="key-values">
      {alert.target ? (
        <li>
          About: <TargetLink target={alert.target} />
        </li>
      ) : null}
      <li>
        Seen {alert.count === 1 ? 'once' : `${formatNumber(alert.count)} times`}
        {alert.count > 1 ? `, first ${formatDateTime(alert.firstSeenAt)}` : ''}, last{' '}
        {formatDateTime(alert.lastSeenAt)}
      </li>
      {details.map(([key, value]) => (
        <li key={key}>
          {detailLabels[key] ?? humanize(key)}: {detailValue(key, value)}
        </li>
      ))}
    </ul>
  );
}
