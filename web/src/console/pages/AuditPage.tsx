import { type FormEvent, useState } from 'react';
import { formatNumber, humanize } from '../../shared/format';
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
  TextField,
} from '../../shared/ui';
import { AuditTable } from '../audit-view';
import { useSignedIn } from '../session';
import type { AuditEntry, AuditVerifyReport, Page } from '../types';

type Filters = {
  action: string;
  actorType: string;
  actorId: string;
  outcome: string;
  targetType: string;
  targetId: string;
  from: string;
  to: string;
};

const empty: Filters = {
  action: '',
  actorType: '',
  actorId: '',
  outcome: '',
  targetType: '',
  targetId: '',
  from: '',
  to: '',
};

/** Date inputs give calendar days; the API takes instants (from the start of `from` to the end of `to`). */
function queryOf(filters: Filters) {
  const nextDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString();
  return {
    action: filters.action.trim(),
    actorType: filters.actorType,
    actorId: filters.actorId.trim(),
    outcome: filters.outcome,
    targetType: filters.targetType.trim(),
    targetId: filters.targetId.trim(),
    from: filters.from ? `${filters.from}T00:00:00Z` : undefined,
    to: filters.to ? nextDay(filters.to) : undefined,
  };
}

function VerifyChain() {
  const { api } = useSignedIn();
  const [report, setReport] = useState<AuditVerifyReport>();
  const verify = useAction(async () => setReport(await api.get<AuditVerifyReport>('/v1/audit/verify')));
  return (
    <Card title="Integrity">
      <p>
        Each entry’s hash covers its content and the previous hash; signed checkpoints vouch for the chains.
        Verifying recomputes everything.
      </p>
      <ErrorAlert error={verify.error} />
      {report ? (
        report.ok ? (
          <Alert tone="success" title="The audit log is intact">
            {formatNumber(report.entries)} entries and {formatNumber(report.checkpoints)} checkpoints verified
            {report.unsignedEntries
              ? `; ${formatNumber(report.unsignedEntries)} recent entries await a checkpoint`
              : ''}
            .
          </Alert>
        ) : (
          <Alert tone="error" title="The audit log has been altered">
            {report.message ?? humanize(report.problem ?? 'problem')}
            {report.seq !== undefined ? ` First bad entry: #${report.seq}.` : ''}
          </Alert>
        )
      ) : null}
      <Button variant="primary" busy={verify.busy} onClick={() => void verify.run()}>
        Verify chain
      </Button>
    </Card>
  );
}

/** The audit log, newest first, with filters, verification and export. */
export function AuditPage() {
  const { api, can } = useSignedIn();
  useTitle('Audit log', 'Custos console');
  const [draft, setDraft] = useState<Filters>(empty);
  const [applied, setApplied] = useState<Filters>(empty);
  const query = queryOf(applied);
  const key = JSON.stringify(query);
  const first = useLoad(
    () => api.get<Page<AuditEntry>>('/v1/audit/entries', { ...query, limit: 50 }),
    [api, key],
  );
  const { loadMore, after } = useMorePages(key, (cursor) =>
    api.get<Page<AuditEntry>>('/v1/audit/entries', { ...query, limit: 50, cursor }),
  );
  const set = (name: keyof Filters) => (event: { target: { value: string } }) =>
    setDraft({ ...draft, [name]: event.target.value });

  function apply(event: FormEvent) {
    event.preventDefault();
    setApplied(draft);
  }

  return (
    <>
      <PageHeader
        title="Audit log"
        description="Every security- and privacy-relevant action, hash-chained and signed. Entries carry pseudonymous ids, never personal data."
        actions={
          can('audit.export') ? (
            <a
              className="button button-secondary"
              href={api.href('/v1/audit/export', { format: 'csv', ...query })}
            >
              Export as CSV
            </a>
          ) : null
        }
      />
      {can('audit.verify') ? <VerifyChain /> : null}
      <Card title="Filters">
        <form className="form form-wide" onSubmit={apply}>
          <div className="filters">
            <TextField
              label="Action"
              value={draft.action}
              onChange={set('action')}
              placeholder="vault.* or operator.login.failed"
              hint="Exact, or a prefix ending in .*"
            />
            <SelectField
              label="Actor"
              value={draft.actorType}
              onChange={set('actorType')}
              options={[
                { value: '', label: 'Anyone' },
                ...['operator', 'api_key', 'subject', 'system', 'anonymous'].map((value) => ({
                  value,
                  label: humanize(value),
                })),
              ]}
            />
            <TextField label="Actor id" value={draft.actorId} onChange={set('actorId')} />
            <SelectField
              label="Outcome"
              value={draft.outcome}
              onChange={set('outcome')}
              options={[
                { value: '', label: 'Any' },
                { value: 'success', label: 'Success' },
                { value: 'failure', label: 'Failure' },
                { value: 'denied', label: 'Denied' },
              ]}
            />
            <TextField
              label="Target type"
              value={draft.targetType}
              onChange={set('targetType')}
              placeholder="subject"
            />
            <TextField label="Target id" value={draft.targetId} onChange={set('targetId')} />
            <TextField label="From" type="date" value={draft.from} onChange={set('from')} />
            <TextField label="To" type="date" value={draft.to} onChange={set('to')} />
          </div>
          <div className="button-row">
            <Button type="submit" variant="primary">
              Apply filters
            </Button>
            <Button
              onClick={() => {
                setDraft(empty);
                setApplied(empty);
              }}
            >
              Clear
            </Button>
          </div>
        </form>
      </Card>
      <LoadState loaded={first} label="Loading entries…">
        {(page) => {
          const { items, cursor } = after(page);
          return items.length === 0 ? (
            <Empty>No entries match these filters.</Empty>
          ) : (
            <>
              <AuditTable entries={items} />
              <ErrorAlert error={loadMore.error} />
              {cursor ? (
                <p>
                  <Button busy={loadMore.busy} onClick={() => void loadMore.run(cursor)}>
                    Show older entries
                  </Button>
                </p>
              ) : null}
            </>
          );
        }}
      </LoadState>
    </>
  );
}
