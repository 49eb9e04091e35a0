import { type FormEvent, useState } from 'react';
import { LineChart } from '../shared/chart';
import { formatDateTime, formatNumber } from '../shared/format';
import { useLoad } from '../shared/hooks';
import { Button, Card, LoadState, TextField } from '../shared/ui';
import { useSignedIn } from './session';
import type { ComplianceDashboard, ComplianceMetric } from './types';

const units: Record<ComplianceMetric['unit'], string> = {
  count: '',
  percent: ' %',
  hours: ' h',
  days: ' days',
};

function shown(metric: Pick<ComplianceMetric, 'unit'>, value: number | null): string {
  return value === null ? '—' : `${formatNumber(value)}${units[metric.unit]}`;
}

function MetricTile({ metric }: { metric: ComplianceMetric }) {
  const worse =
    metric.change !== null && metric.change !== 0 && metric.change > 0 === (metric.better === 'lower');
  return (
    <div className="stat" title={`${metric.definition} Source: ${metric.source}.`} data-metric={metric.key}>
      <span className="stat-value">{metric.tracked ? shown(metric, metric.value) : 'Not tracked'}</span>
      <span className="stat-label">{metric.label}</span>
      <span className="muted">
        {!metric.tracked
          ? `Needs the ${metric.source} module.`
          : metric.change === null
            ? 'No previous month to compare.'
            : `${metric.change > 0 ? '+' : ''}${formatNumber(metric.change)} on last month${worse ? ' (worse)' : ''}`}
      </span>
      <details>
        <summary>Definition</summary>
        <p>{metric.definition}</p>
        <p className="muted">Source: {metric.source}</p>
      </details>
    </div>
  );
}

function Trends({ data }: { data: ComplianceDashboard }) {
  const metrics = data.groups.flatMap((group) => group.metrics).filter((metric) => metric.tracked);
  const [key, setKey] = useState(metrics[0]?.key ?? '');
  const metric = metrics.find((entry) => entry.key === key) ?? metrics[0];
  if (!metric) return null;
  const values = (data.trends.series[metric.key] ?? []).map((value) => value ?? 0);
  return (
    <Card title="Trends over the last 12 months">
      <div className="field">
        <label htmlFor="trend-metric">Metric</label>
        <select id="trend-metric" value={metric.key} onChange={(event) => setKey(event.target.value)}>
          {metrics.map((entry) => (
            <option key={entry.key} value={entry.key}>
              {entry.label}
            </option>
          ))}
        </select>
      </div>
      <p className="muted">
        The last daily snapshot of each month; months without a snapshot show as 0 in the chart and — in the
        table.
      </p>
      <LineChart
        title={`${metric.label} per month`}
        labels={data.trends.months.map((month) => `${month}-01`)}
        series={[{ name: metric.label, className: 'series-grants', values }]}
      />
      <table className="table">
        <caption className="visually-hidden">{metric.label} per month</caption>
        <thead>
          <tr>
            <th scope="col">Month</th>
            <th scope="col">{metric.label}</th>
          </tr>
        </thead>
        <tbody>
          {data.trends.months.map((month, index) => (
            <tr key={month}>
              <td>{month}</td>
              <td>{shown(metric, data.trends.series[metric.key]?.[index] ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Card>
  );
}

/** The seed's compliance dashboard: four groups of metrics for a period, each defined on hover, and trends. */
export function ComplianceOverview() {
  const { api } = useSignedIn();
  const [period, setPeriod] = useState<{ from?: string; to?: string }>({});
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const dashboard = useLoad(
    () => api.get<ComplianceDashboard>('/v1/reports/compliance-dashboard', period),
    [api, period.from, period.to],
  );
  function apply(event: FormEvent) {
    event.preventDefault();
    setPeriod({ ...(from ? { from } : {}), ...(to ? { to } : {}) });
  }
  return (
    <>
      <Card title="Compliance">
        <form className="filters" onSubmit={apply} aria-label="Reporting period">
          <TextField
            label="From"
            type="date"
            value={from}
            onChange={(event) => setFrom(event.target.value)}
          />
          <TextField label="To" type="date" value={to} onChange={(event) => setTo(event.target.value)} />
          <Button type="submit">Show period</Button>
        </form>
        <LoadState loaded={dashboard} label="Loading metrics…">
          {(data) => (
            <>
              <p className="muted">
                {formatDateTime(data.period.from)} to {formatDateTime(data.period.to)}. Hover a figure, or
                open its definition, for what it counts.
              </p>
              {data.groups.map((group) => (
                <section key={group.key} aria-label={group.label}>
                  <h3>{group.label}</h3>
                  <div className="stat-grid">
                    {group.metrics.map((metric) => (
                      <MetricTile key={metric.key} metric={metric} />
                    ))}
                  </div>
                </section>
              ))}
            </>
          )}
        </LoadState>
      </Card>
      {dashboard.data ? <Trends data={dashboard.data} /> : null}
    </>
  );
}
