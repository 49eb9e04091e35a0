import { type FormEvent, useState } from 'react';
import { formatDate, formatDateTime, formatNumber } from '../../shared/format';
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
import type { AccessReview, AccessReviewItem, ExternalAudit, Policy, TrainingCourse } from '../types';

function Policies({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const policies = useLoad(() => api.get<{ items: Policy[] }>('/v1/accountability/policies'), [api, version]);
  const [form, setForm] = useState({
    title: '',
    owner: '',
    version: '1',
    approvedOn: '',
    reviewIntervalDays: '365',
  });
  const create = useAction(async () => {
    await api.post('/v1/accountability/policies', {
      title: form.title,
      owner: form.owner,
      version: form.version,
      reviewIntervalDays: Number(form.reviewIntervalDays),
      ...(form.approvedOn ? { approvedOn: form.approvedOn } : {}),
    });
    setForm({ ...form, title: '' });
    setVersion((value) => value + 1);
  });
  const acknowledge = useAction(async (id: string) => {
    await api.post(`/v1/accountability/policies/${id}/acknowledgment`);
    setVersion((value) => value + 1);
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void create.run();
  }
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
  });
  return (
    <Card title="Policies">
      <LoadState loaded={policies}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No policy is registered.</Empty>
          ) : (
            <TableWrap label="Policies">
              <table>
                <thead>
                  <tr>
                    <th scope="col">Policy</th>
                    <th scope="col">Owner</th>
                    <th scope="col">Version</th>
                    <th scope="col">Next review</th>
                    <th scope="col">Acknowledged by</th>
                    <th scope="col">
                      <span className="visually-hidden">Actions</span>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((policy) => (
                    <tr key={policy.id}>
                      <td>
                        {policy.documentUrl ? <a href={policy.documentUrl}>{policy.title}</a> : policy.title}
                      </td>
                      <td>{policy.owner}</td>
                      <td>{policy.version}</td>
                      <td>
                        {formatDate(policy.nextReviewAt)}{' '}
                        {policy.overdue ? (
                          <Badge tone="danger">{policy.daysPastReview} days overdue</Badge>
                        ) : null}
                      </td>
                      <td>{formatNumber(policy.acknowledgments)}</td>
                      <td>
                        <Button variant="ghost" onClick={() => void acknowledge.run(policy.id)}>
                          Acknowledge
                        </Button>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </TableWrap>
          )
        }
      </LoadState>
      {acknowledge.error ? <ErrorAlert error={acknowledge.error} /> : null}
      {manage ? (
        <form className="form" onSubmit={submit} aria-label="Register a policy">
          <TextField label="Title" required {...field('title')} />
          <TextField label="Owner" required {...field('owner')} />
          <TextField label="Version" required {...field('version')} />
          <TextField label="Approved on" type="date" {...field('approvedOn')} />
          <TextField
            label="Review every (days)"
            type="number"
            min={1}
            required
            {...field('reviewIntervalDays')}
          />
          <Button type="submit" busy={create.busy}>
            Register policy
          </Button>
          {create.error ? <ErrorAlert error={create.error} /> : null}
        </form>
      ) : null}
    </Card>
  );
}

function Training() {
  const { api } = useSignedIn();
  const courses = useLoad(
    () =>
      api.get<{ items: TrainingCourse[]; overall: { completionRate: number | null } }>(
        '/v1/accountability/training/courses',
      ),
    [api],
  );
  return (
    <Card title="Training">
      <LoadState loaded={courses}>
        {(data) => (
          <>
            <p>
              Overall completion:{' '}
              <strong>
                {data.overall.completionRate === null ? '—' : `${data.overall.completionRate} %`}
              </strong>
            </p>
            {data.items.length === 0 ? (
              <Empty>No course is registered.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((course) => (
                  <li key={course.id} className="list-row">
                    <span>
                      {course.title}{' '}
                      <span className="muted">({course.requiredRoles.join(', ') || 'no role'})</span>
                    </span>
                    <strong>
                      {course.current} of {course.required}
                      {course.completionRate === null ? '' : ` · ${course.completionRate} %`}
                    </strong>
                  </li>
                ))}
              </ul>
            )}
          </>
        )}
      </LoadState>
    </Card>
  );
}

function Audits() {
  const { api } = useSignedIn();
  const audits = useLoad(() => api.get<{ items: ExternalAudit[] }>('/v1/accountability/audits'), [api]);
  return (
    <Card title="External audits and findings">
      <LoadState loaded={audits}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No external audit is recorded.</Empty>
          ) : (
            <ul className="list">
              {data.items.map((audit) => (
                <li key={audit.id} className="list-row">
                  <span>
                    <strong>{audit.auditor}</strong> · {audit.scope} · {formatDate(audit.startedAt)}
                    {audit.endedAt ? ` – ${formatDate(audit.endedAt)}` : ''}
                  </span>
                  <span>
                    {audit.findings.filter((f) => f.status === 'open' || f.status === 'in_progress').length}{' '}
                    open of {audit.findings.length} findings
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
    </Card>
  );
}

function ReviewDetail({ id, onChanged }: { id: string; onChanged: () => void }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const review = useLoad(
    () =>
      api.get<{ review: AccessReview; items: AccessReviewItem[] }>(`/v1/accountability/access-reviews/${id}`),
    [api, id, version],
  );
  const decide = useAction(async (itemId: string, decision: 'confirmed' | 'revoked') => {
    await api.post(`/v1/accountability/access-reviews/${id}/items/${itemId}/decision`, { decision });
    setVersion((value) => value + 1);
  });
  const complete = useAction(async () => {
    await api.post(`/v1/accountability/access-reviews/${id}/completion`);
    setVersion((value) => value + 1);
    onChanged();
  });
  return (
    <LoadState loaded={review}>
      {(data) => (
        <>
          <h3>{data.review.title}</h3>
          <p>
            {data.review.status === 'completed' ? (
              <Badge tone="success">Completed {formatDateTime(data.review.completedAt ?? '')}</Badge>
            ) : (
              `${data.review.undecided} of ${data.review.items} still to decide.`
            )}
          </p>
          <TableWrap label="Access under review">
            <table>
              <thead>
                <tr>
                  <th scope="col">Who</th>
                  <th scope="col">Roles and permissions</th>
                  <th scope="col">Last use</th>
                  <th scope="col">Decision</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((item) => (
                  <tr key={item.id} data-item={item.label}>
                    <td>
                      {item.label}{' '}
                      <span className="muted">
                        ({item.principalType === 'api_key' ? 'API key' : 'operator'})
                      </span>
                    </td>
                    <td>{item.roles.length > 0 ? item.roles.join(', ') : item.permissions.join(', ')}</td>
                    <td>{item.lastUsedAt ? formatDateTime(item.lastUsedAt) : 'never'}</td>
                    <td>
                      {item.decision ? (
                        <Badge tone={item.decision === 'revoked' ? 'danger' : 'success'}>
                          {item.decision}
                        </Badge>
                      ) : data.review.status === 'open' ? (
                        <span className="button-row">
                          <Button onClick={() => void decide.run(item.id, 'confirmed')}>Confirm</Button>
                          <Button variant="danger" onClick={() => void decide.run(item.id, 'revoked')}>
                            Revoke
                          </Button>
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
          {decide.error ? <ErrorAlert error={decide.error} /> : null}
          {data.review.status === 'open' ? (
            <Button variant="primary" busy={complete.busy} onClick={() => void complete.run()}>
              Complete review
            </Button>
          ) : null}
          {complete.error ? <ErrorAlert error={complete.error} /> : null}
        </>
      )}
    </LoadState>
  );
}

function AccessReviews({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const [selected, setSelected] = useState<string>();
  const [title, setTitle] = useState('');
  const reviews = useLoad(
    () => api.get<{ items: AccessReview[] }>('/v1/accountability/access-reviews'),
    [api, version],
  );
  const open = useAction(async () => {
    const opened = await api.post<{ review: AccessReview }>('/v1/accountability/access-reviews', { title });
    setTitle('');
    setSelected(opened.review.id);
    setVersion((value) => value + 1);
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void open.run();
  }
  return (
    <Card title="Access reviews">
      {manage ? (
        <form className="filters" onSubmit={submit} aria-label="Open an access review">
          <TextField label="Review title" required value={title} onChange={(e) => setTitle(e.target.value)} />
          <Button type="submit" variant="primary" busy={open.busy}>
            Open access review
          </Button>
        </form>
      ) : null}
      {open.error ? <ErrorAlert error={open.error} /> : null}
      <LoadState loaded={reviews}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No access review yet: review every operator and API key each quarter.</Empty>
          ) : (
            <ul className="list">
              {data.items.map((review) => (
                <li key={review.id} className="list-row">
                  <Button variant="ghost" onClick={() => setSelected(review.id)}>
                    {review.title}
                  </Button>
                  <span>
                    {review.status === 'completed'
                      ? `Completed ${formatDate(review.completedAt ?? '')}`
                      : `${review.undecided} of ${review.items} to decide`}
                  </span>
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      {selected ? (
        <ReviewDetail key={selected} id={selected} onChanged={() => setVersion((v) => v + 1)} />
      ) : null}
    </Card>
  );
}

/** The accountability registers: policies, training, external audits and findings, access reviews. */
export function AccountabilityPage() {
  const { can } = useSignedIn();
  useTitle('Accountability', 'Custos console');
  const manage = can('accountability.manage');
  return (
    <>
      <PageHeader
        title="Accountability"
        description="What only people know: policies and their reviews, training, external audits, and the quarterly access review."
      />
      <Policies manage={manage} />
      <Training />
      <Audits />
      <AccessReviews manage={manage} />
    </>
  );
}
