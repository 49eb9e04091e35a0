import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { formatDateTime, label } from '../../shared/format';
import { useAction, useLoad, useMorePages, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TextAreaField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import {
  AlertFacts,
  AlertStatusBadge,
  alertKindLabels,
  alertStatusLabels,
  type SecurityAlert,
  SeverityBadge,
  severityLabels,
} from '../alert-view';
import { useSignedIn } from '../session';
import type { Operator, Page } from '../types';

type Filters = { status: string; severity: string; kind: string };

const anyOf = (labels: Record<string, string>, any: string) => [
  { value: '', label: any },
  ...Object.entries(labels).map(([value, text]) => ({ value, label: text })),
];

/** Acknowledge or resolve, with an optional note kept on the alert (never in the audit log). */
function SettleDialog({
  alert,
  to,
  onDone,
}: {
  alert: SecurityAlert;
  to: 'acknowledge' | 'resolve';
  onDone: (message: string) => Promise<void>;
}) {
  const { api } = useSignedIn();
  const [note, setNote] = useState('');
  const title = label(alertKindLabels, alert.kind);
  return (
    <ActionDialog
      trigger={to === 'acknowledge' ? 'Acknowledge' : 'Resolve'}
      title={to === 'acknowledge' ? `Acknowledge: ${title}` : `Resolve: ${title}`}
      submitLabel={to === 'acknowledge' ? 'Acknowledge' : 'Resolve'}
      description={
        to === 'acknowledge'
          ? 'Tell the team someone is looking into this alert.'
          : 'Close this alert. If the same thing happens again, a new alert is raised.'
      }
      onSubmit={async () => {
        await api.post(`/v1/alerts/${alert.id}/${to}`, note.trim() ? { note: note.trim() } : {});
        setNote('');
        await onDone(to === 'acknowledge' ? `“${title}” is acknowledged.` : `“${title}” is resolved.`);
      }}
    >
      <TextAreaField
        label="Note (optional)"
        hint="What you found or did. Kept with the alert; do not enter personal data."
        value={note}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
    </ActionDialog>
  );
}

/** Alerts naming an operator, API key or client network whose blast radius can be traced. */
const traceable = new Set([
  'vault.mass_reveal',
  'login.client_throttled',
  'monitoring.anomaly',
  'monitoring.exfiltration',
]);

/** Opens a breach from the alert, with its blast radius as the affected set, and goes to it. */
function OpenBreach({ alert }: { alert: SecurityAlert }) {
  const { api } = useSignedIn();
  const navigate = useNavigate();
  const open = useAction(async () => {
    const breach = await api.post<{ id: string }>('/v1/breaches/from-alert', { alertId: alert.id });
    navigate(`/breaches/${breach.id}`);
  });
  return (
    <div className="button-row">
      <ErrorAlert error={open.error} />
      <Button variant="primary" busy={open.busy} onClick={() => void open.run()}>
        Open breach
      </Button>
    </div>
  );
}

function AlertCard({
  alert,
  names,
  canManage,
  canOpenBreach,
  onChanged,
}: {
  alert: SecurityAlert;
  names: Map<string, string>;
  canManage: boolean;
  canOpenBreach: boolean;
  onChanged: (message: string) => Promise<void>;
}) {
  const who = (id: string | null) => (id ? (names.get(id) ?? `operator ${id.slice(0, 8)}`) : 'someone');
  return (
    <Card
      title={label(alertKindLabels, alert.kind)}
      actions={
        <>
          <SeverityBadge severity={alert.severity} />
          <AlertStatusBadge status={alert.status} />
        </>
      }
    >
      <p>{alert.summary}</p>
      <AlertFacts alert={alert} />
      {alert.acknowledgedAt ? (
        <p className="muted">
          Acknowledged by {who(alert.acknowledgedBy)} on {formatDateTime(alert.acknowledgedAt)}.
        </p>
      ) : null}
      {alert.resolvedAt ? (
        <p className="muted">
          Resolved by {who(alert.resolvedBy)} on {formatDateTime(alert.resolvedAt)}.
        </p>
      ) : null}
      {alert.note ? <p>Note: {alert.note}</p> : null}
      {canOpenBreach && traceable.has(alert.kind) ? <OpenBreach alert={alert} /> : null}
      {canManage && alert.status !== 'resolved' ? (
        <div className="button-row">
          {alert.status === 'open' ? (
            <SettleDialog alert={alert} to="acknowledge" onDone={onChanged} />
          ) : null}
          <SettleDialog alert={alert} to="resolve" onDone={onChanged} />
        </div>
      ) : null}
    </Card>
  );
}

/** Security alerts, last seen first: filters, and acknowledging and resolving them with a note. */
export function AlertsPage() {
  const { api, can } = useSignedIn();
  useTitle('Alerts', 'Custos console');
  const [draft, setDraft] = useState<Filters>({ status: '', severity: '', kind: '' });
  const [applied, setApplied] = useState<Filters>(draft);
  const key = JSON.stringify(applied);
  const first = useLoad(
    () => api.get<Page<SecurityAlert>>('/v1/alerts', { ...applied, limit: 25 }),
    [api, key],
  );
  const { loadMore, after, reset } = useMorePages(key, (cursor) =>
    api.get<Page<SecurityAlert>>('/v1/alerts', { ...applied, limit: 25, cursor }),
  );
  const readsOperators = can('operators.read');
  const operators = useLoad(
    () =>
      readsOperators
        ? api.get<{ items: Operator[] }>('/v1/operators')
        : Promise.resolve({ items: [] as Operator[] }),
    [api, readsOperators],
  );
  const names = new Map((operators.data?.items ?? []).map((operator) => [operator.id, operator.displayName]));
  const set = (name: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });

  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(draft);
  }

  const [done, setDone] = useState<string>();
  async function reload(message: string) {
    setDone(message);
    reset();
    await first.reload();
  }

  return (
    <>
      <PageHeader
        title="Alerts"
        description="Things to look at: locked accounts, many failed logins from one network, an audit log that fails verification, webhooks and downstream tasks given up on, overdue requests, and one operator or API key reading many people’s data in clear. Repeats of the same alert raise its count."
      />
      <Card title="Filters">
        <form className="form form-wide" onSubmit={apply}>
          <div className="filters">
            <SelectField
              label="Status"
              value={draft.status}
              onChange={set('status')}
              options={anyOf(alertStatusLabels, 'Any status')}
            />
            <SelectField
              label="Severity"
              value={draft.severity}
              onChange={set('severity')}
              options={anyOf(severityLabels, 'Any severity')}
            />
            <SelectField
              label="Kind"
              value={draft.kind}
              onChange={set('kind')}
              options={anyOf(alertKindLabels, 'Any kind')}
            />
          </div>
          <div className="button-row">
            <Button type="submit" variant="primary">
              Apply filters
            </Button>
          </div>
        </form>
      </Card>
      {done ? <Alert tone="success">{done}</Alert> : null}
      <LoadState loaded={first} label="Loading alerts…">
        {(page) => {
          const { items, cursor } = after(page);
          return items.length === 0 ? (
            <Empty>No alerts match. Nothing needs your attention here.</Empty>
          ) : (
            <div className="stack">
              {items.map((alert) => (
                <AlertCard
                  key={alert.id}
                  alert={alert}
                  names={names}
                  canManage={can('alerts.manage')}
                  canOpenBreach={can('breaches.manage')}
                  onChanged={reload}
                />
              ))}
              <ErrorAlert error={loadMore.error} />
              {cursor ? (
                <div className="button-row">
                  <Button busy={loadMore.busy} onClick={() => void loadMore.run(cursor)}>
                    Show older alerts
                  </Button>
                </div>
              ) : null}
            </div>
          );
        }}
      </LoadState>
    </>
  );
}
