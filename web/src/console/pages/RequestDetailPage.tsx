import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { relativeLink } from '../../shared/api';
import {
  describeDaysLeft,
  formatBytes,
  formatDate,
  formatDateTime,
  humanize,
  label,
  rejectionReasonLabels,
  requestStateLabels,
  requestTypeLabels,
} from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Empty,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  SelectField,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { actorText, describeValue } from '../audit-view';
import { Fulfilment, SystemTasks } from '../request-fulfilment';
import { useSignedIn } from '../session';
import type { DataSubjectRequest, RequestDetail, RequestExport } from '../types';
import { stateTone } from './RequestsPage';

const exportingTypes = ['access', 'know', 'portability'];
const workingStates = ['in_progress', 'awaiting_systems'];
const manualMethods = ['identity_document', 'phone_call', 'in_person', 'signed_authorization', 'other'];

type Reload = () => Promise<void>;

function timelineText(entry: RequestDetail['timeline'][number]): string {
  if (entry.kind === 'state_changed' && entry.to) {
    return `${label(requestStateLabels, entry.from)} → ${label(requestStateLabels, entry.to)}`;
  }
  return humanize(entry.kind);
}

function Timeline({ request }: { request: RequestDetail }) {
  return (
    <Card title="Timeline">
      <ol className="timeline">
        {request.timeline.map((entry) => (
          <li key={entry.seq}>
            <time dateTime={entry.at}>{formatDateTime(entry.at)}</time>
            <strong>{timelineText(entry)}</strong> <span className="muted">by {actorText(entry.actor)}</span>
            {Object.keys(entry.details).length > 0 ? (
              <ul className="key-values">
                {Object.entries(entry.details).map(([key, value]) => (
                  <li key={key}>
                    {humanize(key)}: {describeValue(value)}
                  </li>
                ))}
              </ul>
            ) : null}
            {entry.note ? <p className="muted">“{entry.note}”</p> : null}
          </li>
        ))}
      </ol>
    </Card>
  );
}

function Identity({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { api, can } = useSignedIn();
  const [method, setMethod] = useState(manualMethods[0] ?? 'other');
  const [note, setNote] = useState('');
  const [code, setCode] = useState('');
  const sendCode = useAction(async () => {
    await api.post(`/v1/requests/${request.id}/verification`);
    await reload();
  });
  const confirm = useAction(async () => {
    await api.post(`/v1/requests/${request.id}/verification/confirm`, { code });
    setCode('');
    await reload();
  });
  const closed = request.allowedTransitions.length === 0;
  if (request.verification) {
    return (
      <Card title="Identity">
        <Alert tone="success" title="Identity verified">
          {humanize(request.verification.method)}, {formatDateTime(request.verification.verifiedAt)}.
        </Alert>
      </Card>
    );
  }
  return (
    <Card title="Identity">
      <Alert tone="warning" title="Not verified yet">
        Work starts only once the requester’s identity is verified.
      </Alert>
      {closed ? null : (
        <div className="actions-panel">
          <ErrorAlert error={sendCode.error ?? confirm.error} />
          {can('requests.verify') ? (
            <div className="button-row">
              <ActionDialog
                trigger="Record an identity check"
                title="Record an identity check"
                submitLabel="Mark as verified"
                description="Record a check you made outside Custos. The note is stored sealed and never copied to the audit log."
                onSubmit={async () => {
                  await api.post(`/v1/requests/${request.id}/verification/manual`, {
                    method,
                    ...(note.trim() ? { note: note.trim() } : {}),
                  });
                  setNote('');
                  await reload();
                }}
              >
                <SelectField
                  label="How the identity was checked"
                  value={method}
                  onChange={(event) => setMethod(event.target.value)}
                  options={manualMethods.map((value) => ({ value, label: humanize(value) }))}
                />
                <TextAreaField
                  label="Note (optional)"
                  value={note}
                  maxLength={2000}
                  onChange={(event) => setNote(event.target.value)}
                />
              </ActionDialog>
            </div>
          ) : null}
          {can('requests.create') && request.contactEmail ? (
            <>
              <div className="button-row">
                <Button busy={sendCode.busy} onClick={() => void sendCode.run()}>
                  E-mail a verification code to {request.contactEmail}
                </Button>
              </div>
              {request.state === 'verifying' ? (
                <form
                  className="form-row"
                  onSubmit={(event) => {
                    event.preventDefault();
                    void confirm.run();
                  }}
                >
                  <TextField
                    label="Code the requester received"
                    inputMode="numeric"
                    autoComplete="off"
                    value={code}
                    onChange={(event) => setCode(event.target.value)}
                  />
                  <Button type="submit" busy={confirm.busy}>
                    Confirm code
                  </Button>
                </form>
              ) : null}
            </>
          ) : null}
        </div>
      )}
    </Card>
  );
}

function Exports({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { api, can } = useSignedIn();
  const exports = useLoad(
    () => api.get<{ items: RequestExport[] }>(`/v1/requests/${request.id}/exports`),
    [api, request.id, request.updatedAt],
  );
  const [links, setLinks] = useState<RequestExport[]>([]);
  const prepare = useAction(async () => {
    const created = await api.post<{ items: RequestExport[] }>(`/v1/requests/${request.id}/exports`);
    setLinks(created.items);
    await Promise.all([exports.reload(), reload()]);
  });
  if (!exportingTypes.includes(request.type)) return null;
  const working = workingStates.includes(request.state);
  return (
    <Card title="Data package">
      <ErrorAlert error={prepare.error} />
      {links.length > 0 ? (
        <Alert tone="success" title="Package ready">
          <p>The links were e-mailed to the requester. They are shown here only now:</p>
          <ul>
            {links.map((file) => (
              <li key={file.id}>
                <a href={relativeLink(file.downloadUrl ?? '')} download>
                  Download the {file.format.toUpperCase()} file
                </a>{' '}
                ({formatBytes(file.size)}, until {formatDate(file.expiresAt)})
              </li>
            ))}
          </ul>
        </Alert>
      ) : null}
      <LoadState loaded={exports}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No package prepared yet.</Empty>
          ) : (
            <ul className="list">
              {data.items.map((file) => (
                <li key={file.id}>
                  {file.format.toUpperCase()} · {formatBytes(file.size)} · made{' '}
                  {formatDateTime(file.createdAt)} · expires {formatDate(file.expiresAt)} · downloaded{' '}
                  {file.downloads} times
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      {working && can('requests.manage') ? (
        <Button variant="primary" busy={prepare.busy} onClick={() => void prepare.run()}>
          Prepare the data package
        </Button>
      ) : (
        <p className="muted">Packages are prepared while the request is in progress.</p>
      )}
    </Card>
  );
}

function Work({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { api, can, me } = useSignedIn();
  const [note, setNote] = useState('');
  const [reason, setReason] = useState('identity_not_verified');
  const [extension, setExtension] = useState('');
  const allowed = request.allowedTransitions;
  const move = async (body: Record<string, unknown>) => {
    await api.post(`/v1/requests/${request.id}/transitions`, body);
    setNote('');
    await reload();
  };
  const startOrResume = useAction(() => move({ to: 'in_progress' }));
  const waitForSystems = useAction(() => move({ to: 'awaiting_systems' }));
  const assign = useAction(async (operatorId: string | null) => {
    await api.put(`/v1/requests/${request.id}/assignee`, { operatorId });
    await reload();
  });
  if (allowed.length === 0) {
    return (
      <Card title="Work">
        <p>
          This request is closed ({label(requestStateLabels, request.state)}
          {request.closedAt ? `, ${formatDateTime(request.closedAt)}` : ''}).
        </p>
      </Card>
    );
  }
  if (!can('requests.manage')) {
    return (
      <Card title="Work">
        <p className="muted">Working requests needs the requests.manage permission.</p>
      </Card>
    );
  }
  const noteField = (
    <TextAreaField
      label="Note (optional)"
      hint="Kept sealed on the request’s timeline; never copied to the audit log."
      value={note}
      maxLength={2000}
      onChange={(event) => setNote(event.target.value)}
    />
  );
  const withNote = (body: Record<string, unknown>) => (note.trim() ? { ...body, note: note.trim() } : body);
  return (
    <Card title="Work">
      <ErrorAlert error={startOrResume.error ?? waitForSystems.error ?? assign.error} />
      <div className="button-row">
        {allowed.includes('in_progress') ? (
          <Button variant="primary" busy={startOrResume.busy} onClick={() => void startOrResume.run()}>
            {request.state === 'awaiting_systems' ? 'Resume work' : 'Start work'}
          </Button>
        ) : null}
        {allowed.includes('awaiting_systems') ? (
          <Button busy={waitForSystems.busy} onClick={() => void waitForSystems.run()}>
            Wait for other systems
          </Button>
        ) : null}
        {allowed.includes('completed') ? (
          <ActionDialog
            trigger="Complete"
            title="Complete the request"
            submitLabel="Complete"
            description="The requester has their answer: close the request."
            onSubmit={() => move(withNote({ to: 'completed' }))}
          >
            {noteField}
          </ActionDialog>
        ) : null}
        {allowed.includes('rejected') ? (
          <ActionDialog
            trigger="Reject"
            title="Reject the request"
            submitLabel="Reject"
            variant="danger"
            description="The requester is told the reason by e-mail (GDPR Art. 12(4))."
            onSubmit={() => move(withNote({ to: 'rejected', reason }))}
          >
            <SelectField
              label="Reason"
              value={reason}
              onChange={(event) => setReason(event.target.value)}
              options={Object.entries(rejectionReasonLabels).map(([value, text]) => ({ value, label: text }))}
            />
            {noteField}
          </ActionDialog>
        ) : null}
        {!request.extension ? (
          <ActionDialog
            trigger="Extend the deadline"
            title="Extend the deadline"
            submitLabel="Extend"
            description="Once per request, before the first deadline passes; the requester is told why, with the new date."
            onSubmit={async () => {
              await api.post(`/v1/requests/${request.id}/extension`, { reason: extension });
              setExtension('');
              await reload();
            }}
          >
            <TextAreaField
              label="Reason for the extension"
              hint="At least 10 characters; sent to the requester."
              required
              minLength={10}
              maxLength={2000}
              value={extension}
              onChange={(event) => setExtension(event.target.value)}
            />
          </ActionDialog>
        ) : null}
        {request.assigneeId === me.operator.id ? (
          <Button variant="ghost" busy={assign.busy} onClick={() => void assign.run(null)}>
            Unassign me
          </Button>
        ) : (
          <Button variant="ghost" busy={assign.busy} onClick={() => void assign.run(me.operator.id)}>
            Assign to me
          </Button>
        )}
      </div>
    </Card>
  );
}

/** One request: deadline, identity, the moves its state allows, fulfilment, and its timeline. */
export function RequestDetailPage() {
  const { id = '' } = useParams();
  const { api, me } = useSignedIn();
  const loaded = useLoad(() => api.get<RequestDetail>(`/v1/requests/${id}`), [api, id]);
  const title = loaded.data ? `${label(requestTypeLabels, loaded.data.type)} request` : 'Request';
  useTitle(title, 'Custos console');
  return (
    <>
      <p>
        <Link to="/requests">← All requests</Link>
      </p>
      <LoadState loaded={loaded} label="Loading the request…">
        {(request) => (
          <>
            <PageHeader
              title={title}
              description={
                <>
                  <Badge tone={stateTone(request.state)}>{label(requestStateLabels, request.state)}</Badge>{' '}
                  {request.regime.toUpperCase()} · received {formatDate(request.receivedAt)} · due{' '}
                  {formatDate(request.dueDate)} ({describeDaysLeft(request.daysLeft)})
                </>
              }
            />
            <div className="grid">
              <div className="stack">
                <Work request={request} reload={loaded.reload} />
                <Identity request={request} reload={loaded.reload} />
                <Fulfilment request={request} reload={loaded.reload} />
                <SystemTasks request={request} reload={loaded.reload} />
                <Exports request={request} reload={loaded.reload} />
              </div>
              <div className="stack">
                <Card title="Details">
                  <Facts
                    items={[
                      [
                        'Reference',
                        <span className="mono" key="id">
                          {request.id}
                        </span>,
                      ],
                      ['Due', `${formatDate(request.dueDate)} (${describeDaysLeft(request.daysLeft)})`],
                      [
                        'Extension',
                        request.extension
                          ? `Extended ${formatDate(request.extension.extendedAt)} (was due ${formatDate(request.extension.initialDueDate)})`
                          : 'Not extended',
                      ],
                      ['Channel', humanize(request.channel)],
                      ['Filed by', humanize(request.filedBy)],
                      ['Contact', request.contactEmail ?? '—'],
                      [
                        'Subject',
                        request.subjectId ? (
                          <Link key="s" to={`/subjects/${request.subjectId}`}>
                            {request.subjectId.slice(0, 8)}
                          </Link>
                        ) : (
                          'Not linked'
                        ),
                      ],
                      [
                        'Assignee',
                        request.assigneeId === null
                          ? 'Unassigned'
                          : request.assigneeId === me.operator.id
                            ? 'Me'
                            : request.assigneeId.slice(0, 8),
                      ],
                      ['Rejection reason', label(rejectionReasonLabels, request.rejectionReason)],
                    ]}
                  />
                </Card>
                <Timeline request={request} />
              </div>
            </div>
          </>
        )}
      </LoadState>
    </>
  );
}
