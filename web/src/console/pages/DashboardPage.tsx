import { Link } from 'react-router';
import { LineChart } from '../../shared/chart';
import { formatDateTime, formatNumber, label, requestTypeLabels } from '../../shared/format';
import { useLoad, useTitle } from '../../shared/hooks';
import { Card, Empty, LoadState, PageHeader } from '../../shared/ui';
import { alertKindLabels, type SecurityAlert, SeverityBadge } from '../alert-view';
import { AuditTable } from '../audit-view';
import { ComplianceOverview } from '../compliance-overview';
import { useSignedIn } from '../session';
import type { AuditEntry, Dashboard, Page } from '../types';

function Figures({ dashboard }: { dashboard: Dashboard }) {
  const { requests } = dashboard;
  return (
    <div className="stat-grid">
      <Link className="stat" to="/requests">
        <span className="stat-value">{formatNumber(requests.open)}</span>
        <span className="stat-label">Open requests</span>
      </Link>
      <Link className={`stat${requests.dueSoon > 0 ? ' stat-warning' : ''}`} to="/requests?due=soon">
        <span className="stat-value">{formatNumber(requests.dueSoon)}</span>
        <span className="stat-label">Due within {requests.dueSoonDays} days</span>
      </Link>
      <Link className={`stat${requests.overdue > 0 ? ' stat-danger' : ''}`} to="/requests?due=overdue">
        <span className="stat-value">{formatNumber(requests.overdue)}</span>
        <span className="stat-label">Overdue</span>
      </Link>
      <div className="stat">
        <span className="stat-value">
          {requests.averageResponseDays === null ? '—' : `${requests.averageResponseDays} d`}
        </span>
        <span className="stat-label">Average response time</span>
        <span className="muted">
          {requests.completedInPeriod} completed in the last {requests.periodDays} days
        </span>
      </div>
    </div>
  );
}

function ConsentTrend({ dashboard }: { dashboard: Dashboard }) {
  const { consent } = dashboard;
  return (
    <Card title={`Consent over the last ${consent.days} days`}>
      <p className="muted">
        {formatNumber(consent.grants)} grants and {formatNumber(consent.withdrawals)} withdrawals recorded.
      </p>
      <LineChart
        title="Consent grants and withdrawals per day"
        labels={consent.series.map((day) => day.date)}
        series={[
          { name: 'Grants', className: 'series-grants', values: consent.series.map((day) => day.grants) },
          {
            name: 'Withdrawals',
            className: 'series-withdrawals',
            values: consent.series.map((day) => day.withdrawals),
          },
        ]}
      />
    </Card>
  );
}

function OpenByType({ dashboard }: { dashboard: Dashboard }) {
  const { requests } = dashboard;
  return (
    <Card title="Open requests by right">
      {requests.openByType.length === 0 ? (
        <Empty>No open requests. Nothing is waiting.</Empty>
      ) : (
        <ul className="list">
          {requests.openByType.map((row) => (
            <li key={row.type} className="list-row">
              <Link to={`/requests?type=${row.type}`}>{label(requestTypeLabels, row.type)}</Link>
              <strong>{formatNumber(row.count)}</strong>
            </li>
          ))}
        </ul>
      )}
      <p className="muted">
        {requests.awaitingVerification === 1
          ? '1 open request awaits identity verification.'
          : `${formatNumber(requests.awaitingVerification)} open requests await identity verification.`}
      </p>
    </Card>
  );
}

/** Open alerts, last seen first: severity in words, what happened, and how often. */
function RecentAlerts() {
  const { api } = useSignedIn();
  const open = useLoad(() => api.get<Page<SecurityAlert>>('/v1/alerts', { status: 'open', limit: 6 }), [api]);
  return (
    <Card title="Recent alerts" actions={<Link to="/alerts">Open all alerts</Link>}>
      <LoadState loaded={open} label="Loading alerts…">
        {(page) =>
          page.items.length === 0 ? (
            <Empty>No open alerts.</Empty>
          ) : (
            <ul className="list">
              {page.items.map((alert) => (
                <li key={alert.id} className="list-row">
                  <span>
                    <SeverityBadge severity={alert.severity} />{' '}
                    <strong>{label(alertKindLabels, alert.kind)}</strong>
                    <span className="muted">
                      {' '}
                      · {alert.summary} · last seen {formatDateTime(alert.lastSeenAt)}
                      {alert.count > 1 ? ` · ${formatNumber(alert.count)} times` : ''}
                    </span>
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      {open.data?.nextCursor ? (
        <p className="muted">
          Older open alerts are not shown here: <Link to="/alerts">see them all</Link>.
        </p>
      ) : null}
    </Card>
  );
}

function RecentAudit() {
  const { api } = useSignedIn();
  const recent = useLoad(() => api.get<Page<AuditEntry>>('/v1/audit/entries', { limit: 8 }), [api]);
  return (
    <Card title="Recent audit events" actions={<Link to="/audit">Open the audit log</Link>}>
      <LoadState loaded={recent}>
        {(page) =>
          page.items.length === 0 ? (
            <Empty>Nothing recorded yet.</Empty>
          ) : (
            <AuditTable entries={page.items} compact />
          )
        }
      </LoadState>
    </Card>
  );
}

/** The privacy team's overview: the queue's deadlines, response times, consent trends, recent activity. */
export function DashboardPage() {
  const { api, can, me } = useSignedIn();
  useTitle('Dashboard', 'Custos console');
  const reports = can('reports.read');
  const dashboard = useLoad(
    () => (reports ? api.get<Dashboard>('/v1/reports/dashboard', { days: 30 }) : Promise.resolve(null)),
    [api, reports],
  );
  return (
    <>
      <PageHeader
        title="Dashboard"
        description={
          dashboard.data
            ? `Figures as of ${formatDateTime(dashboard.data.generatedAt)}.`
            : `Welcome, ${me.operator.displayName}.`
        }
      />
      {reports ? <ComplianceOverview /> : null}
      {reports ? (
        <LoadState loaded={dashboard} label="Loading figures…">
          {(data) =>
            data ? (
              <>
                <Figures dashboard={data} />
                <div className="dashboard-grid">
                  <ConsentTrend dashboard={data} />
                  <OpenByType dashboard={data} />
                </div>
              </>
            ) : null
          }
        </LoadState>
      ) : null}
      {can('alerts.read') ? <RecentAlerts /> : null}
      {can('audit.read') ? <RecentAudit /> : null}
      {!reports && !can('audit.read') && !can('alerts.read') ? (
        <Card>
          <p>
            Your roles give you the pages in the navigation; the dashboard figures need the reports.read
            permission.
          </p>
        </Card>
      ) : null}
    </>
  );
}
