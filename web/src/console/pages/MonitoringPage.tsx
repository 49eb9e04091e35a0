import { type FormEvent, useEffect, useState } from 'react';
import { Link } from 'react-router';
import { formatDateTime, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  CheckboxField,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { alertKindLabels, type SecurityAlert, SeverityBadge } from '../alert-view';
import { useSignedIn } from '../session';
import type { Page } from '../types';

type Factor = { factor: string; strength: number; contribution: number; words: string };
type Moments = { mean: number; sd: number };

/** A principal as GET /v1/monitoring/principals answers it. */
type Principal = {
  type: 'operator' | 'api_key';
  id: string;
  role: string;
  firstSeenAt: string;
  lastSeenAt: string;
  activeHours: number;
  warm: boolean;
  score: number | null;
  scoredAt: string | null;
  baseline: { reads: Moments; reveals: Moments; exportedRecords: Moments; subjects: Moments };
  networks: number;
  purposes: string[];
  hourOfDay: number[];
  recent: { hour: string; score: number }[];
  factors: Factor[];
};

type FactorSetting = { weight: number; enabled: boolean };
type Settings = {
  threshold: number;
  warmupHours: number;
  warmupDays: number;
  exfiltrationRatio: number;
  slowExfiltrationRatio: number;
  factors: Record<string, FactorSetting>;
  responses: { anomaly: 'alert' | 'contain'; exfiltration: 'alert' | 'contain' };
};

const factorLabels: Record<string, string> = {
  volume: 'Volume against its own history',
  peers: 'Volume against its role',
  new_network: 'New network',
  off_hours: 'Off hours',
  new_purpose: 'New purpose',
  breadth: 'Breadth (many subjects, few fields)',
  enumeration: 'Ids read in order',
  unmatched_requests: 'Fulfilment reads without a request',
  failed_logins: 'Failed sign-ins',
  exfiltration: 'Exports far above normal',
  slow_exfiltration: 'Exports above normal all day',
};

const responseOptions = [
  { value: 'alert', label: 'Alert only' },
  { value: 'contain', label: 'Alert and end the operator’s sessions' },
];

const fixed = (value: number | null, digits = 2) => (value === null ? '—' : value.toFixed(digits));
const usual = (moments: Moments) => `${moments.mean.toFixed(1)} ± ${moments.sd.toFixed(1)}`;

/** The last 48 hourly scores as a small line, with the threshold; the figures are in its label. */
function Sparkline({ scores, threshold }: { scores: Principal['recent']; threshold: number }) {
  if (scores.length === 0) return <span className="muted">no scores yet</span>;
  const width = 120;
  const height = 28;
  const first = Date.parse(scores[0]?.hour ?? '');
  const span = Math.max(1, Date.parse(scores.at(-1)?.hour ?? '') - first);
  const x = (hour: string) => (scores.length === 1 ? width / 2 : ((Date.parse(hour) - first) / span) * width);
  const y = (score: number) => height - 2 - score * (height - 4);
  const points = scores.map((s) => `${x(s.hour).toFixed(1)},${y(s.score).toFixed(1)}`).join(' ');
  const highest = Math.max(...scores.map((s) => s.score));
  return (
    <svg
      className="sparkline"
      viewBox={`0 0 ${width} ${height}`}
      width={width}
      height={height}
      role="img"
      aria-label={`${scores.length} hours scored, highest ${highest.toFixed(2)}, latest ${scores.at(-1)?.score.toFixed(2)}`}
    >
      <line className="sparkline-threshold" x1={0} x2={width} y1={y(threshold)} y2={y(threshold)} />
      <polyline className="sparkline-line" points={points} />
    </svg>
  );
}

function Factors({ factors }: { factors: readonly Factor[] }) {
  if (factors.length === 0) return <p className="muted">Nothing unusual.</p>;
  return (
    <ul className="factor-list">
      {factors.map((factor) => (
        <li key={factor.factor}>
          <strong>
            {label(factorLabels, factor.factor)} (+{factor.contribution.toFixed(2)})
          </strong>
          : {factor.words}
        </li>
      ))}
    </ul>
  );
}

function PrincipalsTable({ principals, threshold }: { principals: readonly Principal[]; threshold: number }) {
  if (principals.length === 0) return <Empty>No operator or API key activity has been folded in yet.</Empty>;
  return (
    <TableWrap label="Principals">
      <table>
        <thead>
          <tr>
            <th scope="col">Principal</th>
            <th scope="col">Role</th>
            <th scope="col">Usual per hour (reads / in clear / exported / subjects)</th>
            <th scope="col">Latest score</th>
            <th scope="col">Last 48 hours</th>
            <th scope="col">Why</th>
          </tr>
        </thead>
        <tbody>
          {principals.map((p) => (
            <tr key={`${p.type}:${p.id}`}>
              <td>
                {p.type === 'operator' ? 'Operator' : 'API key'} <code>{p.id.slice(0, 8)}</code>
                <div className="muted">
                  {p.activeHours} active hours{p.warm ? '' : ' · warming up'}
                </div>
              </td>
              <td>{p.role}</td>
              <td>
                {usual(p.baseline.reads)} / {usual(p.baseline.reveals)} / {usual(p.baseline.exportedRecords)}{' '}
                / {usual(p.baseline.subjects)}
              </td>
              <td>
                {fixed(p.score)}
                {p.scoredAt ? <div className="muted">{formatDateTime(p.scoredAt)}</div> : null}
              </td>
              <td>
                <Sparkline scores={p.recent} threshold={threshold} />
              </td>
              <td>
                <Factors factors={p.factors} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableWrap>
  );
}

function MonitoringAlerts() {
  const { api } = useSignedIn();
  const anomalies = useLoad(
    () => api.get<Page<SecurityAlert>>('/v1/alerts', { kind: 'monitoring.anomaly', limit: 10 }),
    [api],
  );
  const exfiltration = useLoad(
    () => api.get<Page<SecurityAlert>>('/v1/alerts', { kind: 'monitoring.exfiltration', limit: 10 }),
    [api],
  );
  const items = [...(anomalies.data?.items ?? []), ...(exfiltration.data?.items ?? [])].sort((a, b) =>
    b.lastSeenAt.localeCompare(a.lastSeenAt),
  );
  return (
    <Card title="Monitoring alerts">
      <ErrorAlert error={anomalies.error ?? exfiltration.error} />
      {items.length === 0 ? <Empty>No monitoring alerts.</Empty> : null}
      {items.map((alert) => (
        <article key={alert.id} className="monitoring-alert">
          <h3>
            {label(alertKindLabels, alert.kind)} <SeverityBadge severity={alert.severity} />
          </h3>
          <p>{alert.summary}</p>
          <p className="muted">
            Score {fixed(Number(alert.details.score))} · last seen {formatDateTime(alert.lastSeenAt)} ·{' '}
            {alert.status}
          </p>
          <Factors factors={(alert.details.factors as Factor[] | undefined) ?? []} />
        </article>
      ))}
      <p>
        <Link to="/alerts">All alerts</Link>, where an alert is acknowledged, resolved or opened as a breach.
      </p>
    </Card>
  );
}

function SettingsForm({ settings, onSaved }: { settings: Settings; onSaved: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [draft, setDraft] = useState(settings);
  const [saved, setSaved] = useState(false);
  useEffect(() => setDraft(settings), [settings]);
  const save = useAction(async () => {
    await api.put('/v1/monitoring/settings', draft);
    setSaved(true);
    await onSaved();
  });
  const number = (key: keyof Settings) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [key]: Number(event.target.value) });
  function submit(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    void save.run();
  }
  return (
    <form className="form form-wide" onSubmit={submit}>
      {saved ? <Alert tone="success">Saved. The next run of the minute job uses these rules.</Alert> : null}
      <ErrorAlert error={save.error} />
      <div className="filters">
        <TextField
          label="Alert threshold"
          type="number"
          min={0.05}
          max={1}
          step={0.01}
          value={draft.threshold}
          onChange={number('threshold')}
        />
        <TextField
          label="Warm-up: active hours"
          type="number"
          min={1}
          step={1}
          value={draft.warmupHours}
          onChange={number('warmupHours')}
        />
        <TextField
          label="Warm-up: days"
          type="number"
          min={0}
          step={1}
          value={draft.warmupDays}
          onChange={number('warmupDays')}
        />
        <TextField
          label="Exports in an hour (× normal)"
          type="number"
          min={1}
          step={0.5}
          value={draft.exfiltrationRatio}
          onChange={number('exfiltrationRatio')}
        />
        <TextField
          label="Exports over a day (× normal)"
          type="number"
          min={1}
          step={0.5}
          value={draft.slowExfiltrationRatio}
          onChange={number('slowExfiltrationRatio')}
        />
      </div>
      <fieldset>
        <legend>Factors: weight (evidence at full strength, 0–0.99)</legend>
        <div className="filters">
          {Object.entries(draft.factors).map(([name, factor]) => (
            <div key={name}>
              <TextField
                label={label(factorLabels, name)}
                type="number"
                min={0}
                max={0.99}
                step={0.05}
                value={factor.weight}
                onChange={(event) =>
                  setDraft({
                    ...draft,
                    factors: { ...draft.factors, [name]: { ...factor, weight: Number(event.target.value) } },
                  })
                }
              />
              <CheckboxField
                label="Counts"
                checked={factor.enabled}
                onChange={(event) =>
                  setDraft({
                    ...draft,
                    factors: { ...draft.factors, [name]: { ...factor, enabled: event.target.checked } },
                  })
                }
              />
            </div>
          ))}
        </div>
      </fieldset>
      <div className="filters">
        <SelectField
          label="When an anomaly alert is raised"
          value={draft.responses.anomaly}
          options={responseOptions}
          onChange={(event) =>
            setDraft({
              ...draft,
              responses: { ...draft.responses, anomaly: event.target.value as 'alert' | 'contain' },
            })
          }
        />
        <SelectField
          label="When an exfiltration alert is raised"
          value={draft.responses.exfiltration}
          options={responseOptions}
          onChange={(event) =>
            setDraft({
              ...draft,
              responses: { ...draft.responses, exfiltration: event.target.value as 'alert' | 'contain' },
            })
          }
        />
      </div>
      <div className="button-row">
        <Button variant="primary" type="submit" busy={save.busy}>
          Save rules
        </Button>
      </div>
    </form>
  );
}

/** Monitoring: each principal's baseline and recent scores, the monitoring alerts, and the rules. */
export function MonitoringPage() {
  const { api, can } = useSignedIn();
  useTitle('Monitoring', 'Custos console');
  const principals = useLoad(
    () =>
      api.get<{ items: Principal[]; cursor: { entries: number; ranAt: string | null } }>(
        '/v1/monitoring/principals',
        { limit: 100 },
      ),
    [api],
  );
  const settings = useLoad(() => api.get<Settings>('/v1/monitoring/settings'), [api]);
  const threshold = settings.data?.threshold ?? 0.8;
  return (
    <>
      <PageHeader
        title="Monitoring"
        description="Every operator’s and API key’s activity in the audit log, against its own history and its role’s. Each hour gets a score from 0 to 1 with the reasons; at the threshold an alert is raised."
      />
      <Card title="Principals">
        <LoadState loaded={principals}>
          {(data) => (
            <>
              <p className="muted">
                {data.cursor.entries.toLocaleString('en-GB')} audit entries folded in
                {data.cursor.ranAt ? `, last run ${formatDateTime(data.cursor.ranAt)}` : ''}. The dashed line
                is the threshold ({threshold.toFixed(2)}).
              </p>
              <PrincipalsTable principals={data.items} threshold={threshold} />
            </>
          )}
        </LoadState>
      </Card>
      {can('alerts.read') ? <MonitoringAlerts /> : null}
      <Card title="Rules">
        <LoadState loaded={settings}>
          {(data) =>
            can('monitoring.manage') ? (
              <SettingsForm settings={data} onSaved={() => settings.reload()} />
            ) : (
              <p>
                Threshold {data.threshold}; warm-up {data.warmupHours} active hours and {data.warmupDays}{' '}
                days; exfiltration at {data.exfiltrationRatio}× in an hour or {data.slowExfiltrationRatio}×
                over a day.
              </p>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
