import { Link, useSearchParams } from 'react-router';
import { ApiError } from '../../shared/api';
import {
  describeDaysLeft,
  formatDate,
  humanize,
  label,
  requestStateLabels,
  requestTypeLabels,
} from '../../shared/format';
import { useLoad, useMorePages, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type { DataSubjectRequest, Page } from '../types';

export function stateTone(state: string): string {
  if (state === 'completed') return 'success';
  if (state === 'rejected' || state === 'withdrawn') return 'neutral';
  if (state === 'received' || state === 'verifying') return 'warning';
  return 'info';
}

export function DueCell({ request }: { request: DataSubjectRequest }) {
  return (
    <span className="nowrap">
      {formatDate(request.dueDate)}
      <br />
      <span className={request.overdue ? 'field-error' : 'muted'}>{describeDaysLeft(request.daysLeft)}</span>
    </span>
  );
}

const anyOption = { value: '', label: 'Any' };

/** The work queue, most urgent first, filtered by right, state, deadline and assignee. */
export function RequestsPage() {
  const { api, settings, me } = useSignedIn();
  useTitle('Requests', 'Custos console');
  const [params, setParams] = useSearchParams();
  const filters = {
    type: params.get('type') ?? '',
    state: params.get('state') ?? '',
    due: params.get('due') ?? '',
    assignee: params.get('assignee') ?? '',
  };
  const query = {
    type: filters.type,
    state: filters.state,
    assignee: filters.assignee,
    overdue: filters.due === 'overdue' ? 'true' : undefined,
    dueWithinDays: filters.due === 'soon' ? settings.dueSoonDays : undefined,
    limit: 50,
  };
  const queryKey = JSON.stringify(query);
  const first = useLoad(() => api.get<Page<DataSubjectRequest>>('/v1/requests', query), [api, queryKey]);
  const { loadMore, after } = useMorePages(queryKey, (cursor) =>
    api.get<Page<DataSubjectRequest>>('/v1/requests', { ...query, cursor }),
  );

  function setFilter(name: keyof typeof filters, value: string) {
    const next = new URLSearchParams(params);
    if (value) next.set(name, value);
    else next.delete(name);
    setParams(next, { replace: true });
  }

  const invalidFilter = first.error instanceof ApiError && first.error.status === 400;

  return (
    <>
      <PageHeader
        title="Requests"
        description="Data-subject requests, most urgent first. Open one to verify the requester and work it."
      />
      <form className="filters" aria-label="Filter requests" onSubmit={(event) => event.preventDefault()}>
        <SelectField
          label="Right"
          value={filters.type}
          onChange={(event) => setFilter('type', event.target.value)}
          options={[
            anyOption,
            ...Object.entries(requestTypeLabels).map(([value, text]) => ({ value, label: text })),
          ]}
        />
        <SelectField
          label="State"
          value={filters.state}
          onChange={(event) => setFilter('state', event.target.value)}
          options={[
            anyOption,
            ...Object.entries(requestStateLabels).map(([value, text]) => ({ value, label: text })),
          ]}
        />
        <SelectField
          label="Deadline"
          value={filters.due}
          onChange={(event) => setFilter('due', event.target.value)}
          options={[
            anyOption,
            { value: 'soon', label: `Due within ${settings.dueSoonDays} days` },
            { value: 'overdue', label: 'Overdue' },
          ]}
        />
        <SelectField
          label="Assignee"
          value={filters.assignee}
          onChange={(event) => setFilter('assignee', event.target.value)}
          options={[anyOption, { value: 'me', label: 'Me' }, { value: 'none', label: 'Unassigned' }]}
        />
      </form>
      {invalidFilter ? <ErrorAlert error={first.error} /> : null}
      <LoadState loaded={first} label="Loading requests…">
        {(page) => {
          const { items, cursor } = after(page);
          if (items.length === 0) return <Empty>No requests match these filters.</Empty>;
          return (
            <>
              <TableWrap label="Requests, most urgent first">
                <table>
                  <caption className="visually-hidden">Requests, most urgent first</caption>
                  <thead>
                    <tr>
                      <th scope="col">Request</th>
                      <th scope="col">State</th>
                      <th scope="col">Due</th>
                      <th scope="col">Received</th>
                      <th scope="col">Identity</th>
                      <th scope="col">Channel</th>
                      <th scope="col">Contact</th>
                      <th scope="col">Assignee</th>
                    </tr>
                  </thead>
                  <tbody>
                    {items.map((request) => (
                      <tr key={request.id}>
                        <td>
                          <Link className="row-link" to={`/requests/${request.id}`}>
                            {label(requestTypeLabels, request.type)}
                          </Link>
                          <br />
                          <span className="muted mono">{request.id.slice(0, 8)}</span>
                        </td>
                        <td>
                          <Badge tone={stateTone(request.state)}>
                            {label(requestStateLabels, request.state)}
                          </Badge>
                        </td>
                        <td>
                          <DueCell request={request} />
                        </td>
                        <td className="nowrap">{formatDate(request.receivedAt)}</td>
                        <td>
                          {request.verification ? (
                            <Badge tone="success">Verified</Badge>
                          ) : (
                            <Badge tone="warning">Not verified</Badge>
                          )}
                        </td>
                        <td>{humanize(request.channel)}</td>
                        <td className="mono">{request.contactEmail ?? '—'}</td>
                        <td>
                          {request.assigneeId === null
                            ? '—'
                            : request.assigneeId === me.operator.id
                              ? 'Me'
                              : request.assigneeId.slice(0, 8)}
                        </td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              </TableWrap>
              <ErrorAlert error={loadMore.error} />
              {cursor ? (
                <p>
                  <Button busy={loadMore.busy} onClick={() => void loadMore.run(cursor)}>
                    Show more requests
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
