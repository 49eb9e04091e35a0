import { type FormEvent, useState } from 'react';
import { formatDate, formatDateTime, formatNumber } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Card,
  CheckboxField,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextAreaField,
  TextField,
  VisuallyHidden,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import type {
  AccessReview,
  AccessReviewItem,
  ExternalAudit,
  Operator,
  Policy,
  TrainingCourse,
} from '../types';

function Policies({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const policies = useLoad(
    () =>
      api.get<{ items: Policy[]; nextCursor: string | null }>(
        `/v1/accountability/policies?limit=${pageLimit}`,
      ),
    [api, version],
  );
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
      <More next={policies.data?.nextCursor ?? null} />
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

/** The registers show their first page of this size (the API's largest), and say when more exist. */
const pageLimit = 500;
function More({ next }: { next: string | null }) {
  return next ? <p className="muted">Only the first {pageLimit} are shown.</p> : null;
}

const operatorRoles = ['admin', 'dpo', 'privacy_agent', 'auditor', 'security'];
const findingSeverities = ['low', 'medium', 'high', 'critical'];
const findingStatuses = ['open', 'in_progress', 'resolved', 'accepted'];
const statusLabels: Record<string, string> = {
  open: 'Open',
  in_progress: 'In progress',
  resolved: 'Resolved',
  accepted: 'Risk accepted',
};
const day = (iso: string | null) => (iso ? iso.slice(0, 10) : '');
const bump = (value: number) => value + 1;

const emptyCourse = { title: '', requiredRoles: [] as string[], validityDays: '' };

function CourseForm({
  course,
  onSaved,
  onCancel,
}: {
  course: TrainingCourse | undefined;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [form, setForm] = useState(
    course
      ? {
          title: course.title,
          requiredRoles: course.requiredRoles,
          validityDays: String(course.validityDays ?? ''),
        }
      : emptyCourse,
  );
  const save = useAction(async () => {
    const body = {
      title: form.title,
      requiredRoles: form.requiredRoles,
      validityDays: form.validityDays ? Number(form.validityDays) : null,
    };
    if (course) await api.patch(`/v1/accountability/training/courses/${course.id}`, body);
    else await api.post('/v1/accountability/training/courses', body);
    setForm(emptyCourse);
    onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  function toggle(role: string, on: boolean) {
    const others = form.requiredRoles.filter((value) => value !== role);
    setForm({ ...form, requiredRoles: on ? [...others, role] : others });
  }
  return (
    <form
      className="form"
      onSubmit={submit}
      aria-label={course ? `Edit course ${course.title}` : 'Create a course'}
    >
      <TextField
        label="Course title"
        required
        value={form.title}
        onChange={(event) => setForm({ ...form, title: event.target.value })}
      />
      <fieldset>
        <legend>Required for roles</legend>
        {operatorRoles.map((role) => (
          <CheckboxField
            key={role}
            label={role}
            checked={form.requiredRoles.includes(role)}
            onChange={(event) => toggle(role, event.target.checked)}
          />
        ))}
      </fieldset>
      <TextField
        label="Valid for (days)"
        type="number"
        min={1}
        max={3660}
        hint="Leave empty when a completion never expires."
        value={form.validityDays}
        onChange={(event) => setForm({ ...form, validityDays: event.target.value })}
      />
      <span className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {course ? 'Save course' : 'Create course'}
        </Button>
        {course ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </span>
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </form>
  );
}

function CompletionForm({ courses, onSaved }: { courses: TrainingCourse[]; onSaved: () => void }) {
  const { api, can } = useSignedIn();
  const listOperators = can('operators.read');
  const operators = useLoad(
    () =>
      listOperators
        ? api.get<{ items: Operator[] }>('/v1/operators')
        : Promise.resolve({ items: [] as Operator[] }),
    [api, listOperators],
  );
  const [form, setForm] = useState({ courseId: '', operatorId: '', completedOn: '', expiresOn: '' });
  const record = useAction(async () => {
    await api.post('/v1/accountability/training/completions', {
      courseId: form.courseId || courses[0]?.id,
      operatorId: form.operatorId,
      completedOn: form.completedOn,
      ...(form.expiresOn ? { expiresOn: form.expiresOn } : {}),
    });
    setForm({ ...form, operatorId: '', expiresOn: '' });
    onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void record.run();
  }
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
  });
  const people = operators.data?.items.filter((operator) => operator.status === 'active') ?? [];
  return (
    <form className="form" onSubmit={submit} aria-label="Record a completion">
      <SelectField
        label="Course"
        required
        options={courses.map((course) => ({ value: course.id, label: course.title }))}
        {...field('courseId')}
      />
      {listOperators ? (
        <SelectField
          label="Operator"
          required
          options={[
            { value: '', label: 'Choose…' },
            ...people.map((operator) => ({
              value: operator.id,
              label: `${operator.displayName} (${operator.email})`,
            })),
          ]}
          {...field('operatorId')}
        />
      ) : (
        <TextField label="Operator ID" required {...field('operatorId')} />
      )}
      <TextField label="Completed on" type="date" required {...field('completedOn')} />
      <TextField
        label="Expires on"
        type="date"
        hint="Defaults to the completion date plus the course’s validity."
        {...field('expiresOn')}
      />
      <Button type="submit" busy={record.busy}>
        Record completion
      </Button>
      {record.error ? <ErrorAlert error={record.error} /> : null}
    </form>
  );
}

function Training({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<string>();
  const courses = useLoad(
    () =>
      api.get<{
        items: TrainingCourse[];
        nextCursor: string | null;
        overall: { completionRate: number | null };
      }>(`/v1/accountability/training/courses?limit=${pageLimit}`),
    [api, version],
  );
  const changed = () => {
    setEditing(undefined);
    setVersion(bump);
  };
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
                      <span className="muted">
                        ({course.requiredRoles.join(', ') || 'no role'}
                        {course.validityDays ? ` · valid ${course.validityDays} days` : ''})
                      </span>
                    </span>
                    <span className="button-row">
                      <strong>
                        {course.current} of {course.required}
                        {course.completionRate === null ? '' : ` · ${course.completionRate} %`}
                      </strong>
                      {manage ? (
                        <Button variant="ghost" onClick={() => setEditing(course.id)}>
                          Edit<VisuallyHidden> {course.title}</VisuallyHidden>
                        </Button>
                      ) : null}
                    </span>
                  </li>
                ))}
              </ul>
            )}
            {manage ? (
              <>
                <CourseForm
                  key={editing ?? 'new'}
                  course={data.items.find((course) => course.id === editing)}
                  onSaved={changed}
                  onCancel={() => setEditing(undefined)}
                />
                {data.items.length > 0 ? <CompletionForm courses={data.items} onSaved={changed} /> : null}
              </>
            ) : null}
          </>
        )}
      </LoadState>
      <More next={courses.data?.nextCursor ?? null} />
    </Card>
  );
}

const emptyAudit = { auditor: '', scope: '', startedOn: '', endedOn: '', reportReference: '' };

function AuditForm({
  audit,
  onSaved,
  onCancel,
}: {
  audit: ExternalAudit | undefined;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { api } = useSignedIn();
  const [form, setForm] = useState(
    audit
      ? {
          auditor: audit.auditor,
          scope: audit.scope,
          startedOn: day(audit.startedAt),
          endedOn: day(audit.endedAt),
          reportReference: audit.reportReference ?? '',
        }
      : emptyAudit,
  );
  const save = useAction(async () => {
    const body = {
      auditor: form.auditor,
      scope: form.scope,
      startedOn: form.startedOn,
      endedOn: form.endedOn || null,
      reportReference: form.reportReference || null,
    };
    if (audit) await api.patch(`/v1/accountability/audits/${audit.id}`, body);
    else await api.post('/v1/accountability/audits', body);
    setForm(emptyAudit);
    onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
  });
  return (
    <form
      className="form"
      onSubmit={submit}
      aria-label={audit ? `Edit audit by ${audit.auditor}` : 'Register an audit'}
    >
      <TextField label="Auditor" required {...field('auditor')} />
      <TextAreaField label="Scope" required {...field('scope')} />
      <TextField label="Started on" type="date" required {...field('startedOn')} />
      <TextField label="Ended on" type="date" {...field('endedOn')} />
      <TextField label="Report reference" {...field('reportReference')} />
      <span className="button-row">
        <Button type="submit" variant="primary" busy={save.busy}>
          {audit ? 'Save audit' : 'Register audit'}
        </Button>
        {audit ? (
          <Button variant="ghost" onClick={onCancel}>
            Cancel
          </Button>
        ) : null}
      </span>
      {save.error ? <ErrorAlert error={save.error} /> : null}
    </form>
  );
}

function FindingForm({ audits, onSaved }: { audits: ExternalAudit[]; onSaved: () => void }) {
  const { api } = useSignedIn();
  const [form, setForm] = useState({ auditId: '', title: '', severity: 'medium', owner: '', dueOn: '' });
  const add = useAction(async () => {
    await api.post(`/v1/accountability/audits/${form.auditId || audits[0]?.id}/findings`, {
      title: form.title,
      severity: form.severity,
      owner: form.owner,
      ...(form.dueOn ? { dueOn: form.dueOn } : {}),
    });
    setForm({ ...form, title: '', owner: '', dueOn: '' });
    onSaved();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void add.run();
  }
  const field = (key: keyof typeof form) => ({
    value: form[key],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value }),
  });
  return (
    <form className="form" onSubmit={submit} aria-label="Add a finding">
      <SelectField
        label="Audit"
        required
        options={audits.map((audit) => ({
          value: audit.id,
          label: `${audit.auditor} · ${formatDate(audit.startedAt)}`,
        }))}
        {...field('auditId')}
      />
      <TextField label="Finding" required {...field('title')} />
      <SelectField
        label="Severity"
        required
        options={findingSeverities.map((value) => ({ value, label: value }))}
        {...field('severity')}
      />
      <TextField label="Finding owner" required {...field('owner')} />
      <TextField label="Due on" type="date" {...field('dueOn')} />
      <Button type="submit" busy={add.busy}>
        Add finding
      </Button>
      {add.error ? <ErrorAlert error={add.error} /> : null}
    </form>
  );
}

function Audits({ manage }: { manage: boolean }) {
  const { api } = useSignedIn();
  const [version, setVersion] = useState(0);
  const [editing, setEditing] = useState<string>();
  const audits = useLoad(
    () =>
      api.get<{ items: ExternalAudit[]; nextCursor: string | null }>(
        `/v1/accountability/audits?limit=${pageLimit}`,
      ),
    [api, version],
  );
  const changed = () => {
    setEditing(undefined);
    setVersion(bump);
  };
  const setStatus = useAction(async (id: string, status: string) => {
    await api.patch(`/v1/accountability/findings/${id}`, { status });
    setVersion(bump);
  });
  return (
    <Card title="External audits and findings">
      <LoadState loaded={audits}>
        {(data) => (
          <>
            {data.items.length === 0 ? (
              <Empty>No external audit is recorded.</Empty>
            ) : (
              data.items.map((audit) => (
                <section key={audit.id} className="stack" aria-label={`Audit by ${audit.auditor}`}>
                  <p className="list-row">
                    <span>
                      <strong>{audit.auditor}</strong> · {audit.scope} · {formatDate(audit.startedAt)}
                      {audit.endedAt ? ` – ${formatDate(audit.endedAt)}` : ''}
                      {audit.reportReference ? ` · ${audit.reportReference}` : ''}
                    </span>
                    <span className="button-row">
                      {audit.findings.filter((f) => f.status === 'open' || f.status === 'in_progress').length}{' '}
                      open of {audit.findings.length} findings
                      {manage ? (
                        <Button variant="ghost" onClick={() => setEditing(audit.id)}>
                          Edit<VisuallyHidden> audit by {audit.auditor}</VisuallyHidden>
                        </Button>
                      ) : null}
                    </span>
                  </p>
                  {audit.findings.length > 0 ? (
                    <TableWrap label={`Findings of the audit by ${audit.auditor}`}>
                      <table>
                        <thead>
                          <tr>
                            <th scope="col">Finding</th>
                            <th scope="col">Severity</th>
                            <th scope="col">Owner</th>
                            <th scope="col">Due</th>
                            <th scope="col">Status</th>
                          </tr>
                        </thead>
                        <tbody>
                          {audit.findings.map((finding) => (
                            <tr key={finding.id}>
                              <td>{finding.title}</td>
                              <td>
                                <Badge
                                  tone={
                                    finding.severity === 'critical' || finding.severity === 'high'
                                      ? 'danger'
                                      : 'neutral'
                                  }
                                >
                                  {finding.severity}
                                </Badge>
                              </td>
                              <td>{finding.owner}</td>
                              <td>{finding.dueAt ? formatDate(finding.dueAt) : '—'}</td>
                              <td>
                                {manage ? (
                                  <SelectField
                                    label={`Status of ${finding.title}`}
                                    value={finding.status}
                                    options={findingStatuses.map((value) => ({
                                      value,
                                      label: statusLabels[value] ?? value,
                                    }))}
                                    onChange={(event) => void setStatus.run(finding.id, event.target.value)}
                                  />
                                ) : (
                                  (statusLabels[finding.status] ?? finding.status)
                                )}
                              </td>
                            </tr>
                          ))}
                        </tbody>
                      </table>
                    </TableWrap>
                  ) : null}
                </section>
              ))
            )}
            {setStatus.error ? <ErrorAlert error={setStatus.error} /> : null}
            {manage ? (
              <>
                <AuditForm
                  key={editing ?? 'new'}
                  audit={data.items.find((audit) => audit.id === editing)}
                  onSaved={changed}
                  onCancel={() => setEditing(undefined)}
                />
                {data.items.length > 0 ? <FindingForm audits={data.items} onSaved={changed} /> : null}
              </>
            ) : null}
          </>
        )}
      </LoadState>
      <More next={audits.data?.nextCursor ?? null} />
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
    () =>
      api.get<{ items: AccessReview[]; nextCursor: string | null }>(
        `/v1/accountability/access-reviews?limit=${pageLimit}`,
      ),
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
      <More next={reviews.data?.nextCursor ?? null} />
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
      <Training manage={manage} />
      <Audits manage={manage} />
      <AccessReviews manage={manage} />
    </>
  );
}
