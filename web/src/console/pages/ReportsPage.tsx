import { type FormEvent, useEffect, useState } from 'react';
import { formatDate, formatDateTime } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Card,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  TableWrap,
  TextField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { ComplianceReport } from '../types';

const dayMs = 86_400_000;
const statusTone: Record<ComplianceReport['status'], string> = {
  queued: 'neutral',
  running: 'info',
  done: 'success',
  failed: 'danger',
};

function lastMonth(): { from: string; to: string } {
  const now = new Date();
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  const to = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1) - dayMs);
  return { from: from.toISOString().slice(0, 10), to: to.toISOString().slice(0, 10) };
}

function Generate({ onRequested }: { onRequested: () => Promise<void> }) {
  const { api } = useSignedIn();
  const initial = lastMonth();
  const [from, setFrom] = useState(initial.from);
  const [to, setTo] = useState(initial.to);
  const generate = useAction(async () => {
    await api.post('/v1/reports/compliance', { from, to });
    await onRequested();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void generate.run();
  }
  return (
    <Card title="Generate a compliance report">
      <form className="filters" onSubmit={submit} aria-label="Generate a compliance report">
        <TextField
          label="First day"
          type="date"
          required
          value={from}
          onChange={(e) => setFrom(e.target.value)}
        />
        <TextField label="Last day" type="date" required value={to} onChange={(e) => setTo(e.target.value)} />
        <Button type="submit" variant="primary" busy={generate.busy}>
          Generate report
        </Button>
      </form>
      {generate.error ? <ErrorAlert error={generate.error} /> : null}
    </Card>
  );
}

/** Compliance reports: generation for a period, progress, and downloads as HTML, PDF or JSON. */
export function ReportsPage() {
  const { api, can } = useSignedIn();
  useTitle('Compliance reports', 'Custos console');
  const [version, setVersion] = useState(0);
  const reports = useLoad(
    () => api.get<{ items: ComplianceReport[] }>('/v1/reports/compliance'),
    [api, version],
  );
  const pending = reports.data?.items.some(
    (report) => report.status === 'queued' || report.status === 'running',
  );
  // Polls while a report is being built: each load that still finds one pending schedules the next.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reports.data changes after each poll, re-arming it.
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(() => setVersion((value) => value + 1), 1500);
    return () => clearTimeout(timer);
  }, [pending, reports.data]);
  return (
    <>
      <PageHeader
        title="Compliance reports"
        description="The report a DPO sends to the board: requests, breaches, consent, training, audits, retention and recommendations for a period."
      />
      {can('reports.manage') ? <Generate onRequested={async () => setVersion((value) => value + 1)} /> : null}
      <Card title="Reports">
        <LoadState loaded={reports}>
          {(data) =>
            data.items.length === 0 ? (
              <Empty>No report yet.</Empty>
            ) : (
              <TableWrap label="Compliance reports">
                <table>
                  <thead>
                    <tr>
                      <th scope="col">Period</th>
                      <th scope="col">Status</th>
                      <th scope="col">Requested</th>
                      <th scope="col">Download</th>
                    </tr>
                  </thead>
                  <tbody>
                    {data.items.map((report) => (
                      <tr key={report.id} data-report={report.id}>
                        <td>
                          {formatDate(report.periodFrom)} –{' '}
                          {formatDate(new Date(Date.parse(report.periodTo) - dayMs).toISOString())}
                          {report.scheduled ? <Badge>monthly</Badge> : null}
                        </td>
                        <td>
                          <Badge tone={statusTone[report.status]}>
                            {report.status === 'running' ? `Building ${report.progress}%` : report.status}
                          </Badge>
                        </td>
                        <td>{formatDateTime(report.createdAt)}</td>
                        <td>
                          {report.status === 'done' ? (
                            <span className="inline-list">
                              {(['html', 'pdf', 'json'] as const).map((format) => (
                                <a
                                  key={format}
                                  href={api.href(`/v1/reports/compliance/${report.id}/document`, { format })}
                                  download
                                >
                                  {format.toUpperCase()}
                                </a>
                              ))}
                            </span>
                          ) : (
                            '—'
                          )}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
