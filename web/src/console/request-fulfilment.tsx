import { type ReactNode, useState } from 'react';
import { Link } from 'react-router';
import { ApiError, InputError } from '../shared/api';
import { count, formatDateTime, humanize, label, readPurposeLabels } from '../shared/format';
import { useAction, useLoad } from '../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Empty,
  ErrorAlert,
  LoadState,
  SelectField,
  TextAreaField,
  TextField,
} from '../shared/ui';
import { ActionDialog } from './action-dialog';
import { describeValue } from './audit-view';
import { useSignedIn } from './session';
import type { DataSubjectRequest, Subject, VaultRecord } from './types';

type Reload = () => Promise<void>;
/** Shows what a fulfilment step did, above the card, after the request has moved on. */
type Done = (result: ReactNode) => void;

const workingStates = ['in_progress', 'awaiting_systems'];
const restrictionGrounds = [
  'accuracy_contested',
  'unlawful_processing',
  'legal_claims',
  'objection_pending',
  'other',
];
const closureReasons = [
  'confirmed_out_of_band',
  'system_unreachable',
  'system_decommissioned',
  'no_copy_held',
  'other',
];

type Kept = {
  collection: string;
  records: number;
  fields: string[];
  anonymized: string[];
  policies: { name: string }[];
};
type ErasureOutcome = {
  method: 'shredded' | 'minimised';
  removed: { records: number; indexes: number; tokens: number };
  kept: Kept[];
  retainedUntil: string | null;
};
type ObjectionOutcome = { recorded: { object: string[]; withdraw: string[]; deny: string[] } };

type Task = {
  id: string;
  system: { id: string; name: string };
  action: string;
  status: 'pending' | 'done' | 'failed' | 'retried';
  attempts: number;
  failure: 'reported' | 'undeliverable' | 'residency_refused' | null;
  detail: string | null;
  updatedAt: string;
  doneAt: string | null;
};

function taskTone(status: string): string {
  if (status === 'done') return 'success';
  if (status === 'failed') return 'danger';
  return 'info';
}

/** The subject's status in the vault: active, restricted, or erased (410 from the API). */
function useSubjectStatus(subjectId: string | null, version: string) {
  const { api, can } = useSignedIn();
  return useLoad(async () => {
    if (!subjectId || !can('vault.subjects.read')) return null;
    try {
      return (await api.get<Subject>(`/v1/subjects/${subjectId}`)).status;
    } catch (error) {
      if (error instanceof ApiError && error.code === 'subject_erased') return 'erased' as const;
      throw error;
    }
  }, [api, subjectId, version]);
}

function ErasureResult({ outcome }: { outcome: ErasureOutcome }) {
  return (
    <Alert
      tone="success"
      title={outcome.method === 'shredded' ? 'Erased' : 'Erased, with records kept by law'}
    >
      <p>
        {count(outcome.removed.records, 'record')},{' '}
        {count(outcome.removed.indexes, 'search index', 'search indexes')} and{' '}
        {count(outcome.removed.tokens, 'token')} removed.
        {outcome.method === 'shredded' ? ' The data key is deleted: nothing can be recovered.' : ''}
      </p>
      {outcome.kept.length > 0 ? (
        <ul>
          {outcome.kept.map((group) => (
            <li key={group.collection}>
              {group.collection}: {group.records} records kept under{' '}
              {group.policies.map((policy) => policy.name).join(', ')}
            </li>
          ))}
        </ul>
      ) : null}
    </Alert>
  );
}

function Erasure({ request, reload, onDone }: { request: DataSubjectRequest; reload: Reload; onDone: Done }) {
  const { api } = useSignedIn();
  const [note, setNote] = useState('');
  const [confirmText, setConfirmText] = useState('');
  return (
    <ActionDialog
      trigger="Erase the subject’s data"
      title="Erase the subject’s data?"
      submitLabel="Erase permanently"
      variant="danger"
      description={
        <p>
          The subject is crypto-shredded (their data key, records, search indexes and tokens are deleted), or
          — where a retention policy keeps records — everything else is deleted and the rest minimised. A
          legal hold stops it. Type <strong>ERASE</strong> to confirm.
        </p>
      }
      onSubmit={async () => {
        if (confirmText.trim() !== 'ERASE') throw new InputError('Type ERASE in capitals to confirm.');
        const result = await api.post<ErasureOutcome>(
          `/v1/requests/${request.id}/erasure`,
          note.trim() ? { note: note.trim() } : {},
        );
        onDone(<ErasureResult outcome={result} />);
        setConfirmText('');
        await reload();
      }}
    >
      <TextField
        label="Type ERASE to confirm"
        autoComplete="off"
        value={confirmText}
        onChange={(event) => setConfirmText(event.target.value)}
      />
      <TextAreaField
        label="Note (optional)"
        value={note}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
    </ActionDialog>
  );
}

function Restriction({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { api } = useSignedIn();
  const [ground, setGround] = useState(restrictionGrounds[0] ?? 'other');
  const [note, setNote] = useState('');
  return (
    <ActionDialog
      trigger="Restrict processing"
      title="Restrict processing of the subject’s data"
      submitLabel="Restrict"
      description="The data stays stored but is read only for restricted processing, and consent checks allow nothing."
      onSubmit={async () => {
        await api.post(`/v1/requests/${request.id}/restriction`, {
          ground,
          ...(note.trim() ? { note: note.trim() } : {}),
        });
        await reload();
      }}
    >
      <SelectField
        label="Ground (GDPR Art. 18(1))"
        value={ground}
        onChange={(event) => setGround(event.target.value)}
        options={restrictionGrounds.map((value) => ({ value, label: humanize(value) }))}
      />
      <TextAreaField
        label="Note (optional)"
        value={note}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
    </ActionDialog>
  );
}

function Objection({
  request,
  reload,
  onDone,
}: {
  request: DataSubjectRequest;
  reload: Reload;
  onDone: Done;
}) {
  const { api } = useSignedIn();
  const record = useAction(async () => {
    const outcome = await api.post<ObjectionOutcome>(`/v1/requests/${request.id}/objection`, {});
    onDone(
      <Alert tone="success" title="Recorded with the consent module">
        Objected: {outcome.recorded.object.join(', ') || 'none'} · withdrawn:{' '}
        {outcome.recorded.withdraw.join(', ') || 'none'} · denied:{' '}
        {outcome.recorded.deny.join(', ') || 'none'}.
      </Alert>,
    );
    await reload();
  });
  return (
    <>
      <ErrorAlert error={record.error} />
      <Button variant="primary" busy={record.busy} onClick={() => void record.run()}>
        {request.type === 'opt_out' ? 'Record the opt-out' : 'Record the objection'}
      </Button>
    </>
  );
}

type RequestedCorrection = { recordId: string; collection: string; fields: Record<string, unknown> };

/** A typed value back in the stored value's type (numbers stay numbers). */
function typedLike(current: unknown, text: string): unknown {
  if (typeof current === 'number' && text.trim() !== '' && Number.isFinite(Number(text))) return Number(text);
  return text;
}

/**
 * Corrections typed over the subject's current values (read in clear for answering the request, audited).
 * What the subject asked for in the privacy center is shown and filled in, for the operator to check.
 */
function Rectification({
  request,
  reload,
  onDone,
}: {
  request: DataSubjectRequest;
  reload: Reload;
  onDone: Done;
}) {
  const { api } = useSignedIn();
  const [records, setRecords] = useState<VaultRecord[]>();
  const [requested, setRequested] = useState<RequestedCorrection[]>([]);
  const [edits, setEdits] = useState<Record<string, Record<string, unknown>>>({});
  const [note, setNote] = useState('');
  const load = useAction(async () => {
    const [result, asked] = await Promise.all([
      api.get<{ items: VaultRecord[] }>(`/v1/subjects/${request.subjectId}/records`, {
        purpose: 'dsr_fulfilment',
        reveal: true,
      }),
      api.get<{ items: RequestedCorrection[] }>(`/v1/requests/${request.id}/corrections`),
    ]);
    setRequested(asked.items);
    setEdits(Object.fromEntries(asked.items.map((item) => [item.recordId, { ...item.fields }])));
    setRecords(result.items);
  });
  const apply = useAction(async () => {
    const corrections = Object.entries(edits)
      .map(([recordId, fields]) => ({ recordId, fields }))
      .filter((correction) => Object.keys(correction.fields).length > 0);
    if (corrections.length === 0) throw new InputError('Change at least one value first.');
    const result = await api.post<{ corrected: { fields: string[] }[] }>(
      `/v1/requests/${request.id}/rectification`,
      {
        corrections,
        ...(note.trim() ? { note: note.trim() } : {}),
      },
    );
    const count = result.corrected.reduce((sum, item) => sum + item.fields.length, 0);
    onDone(<Alert tone="success">{count === 1 ? '1 value corrected.' : `${count} values corrected.`}</Alert>);
    setEdits({});
    setRecords(undefined);
    await reload();
  });
  if (!records) {
    return (
      <>
        <ErrorAlert error={load.error} />
        <p className="muted">
          Reading the current values (and any corrections the subject asked for) shows them in clear, for “
          {label(readPurposeLabels, 'dsr_fulfilment')}”; the read is audited.
        </p>
        <Button variant="primary" busy={load.busy} onClick={() => void load.run()}>
          Show the values to correct
        </Button>
      </>
    );
  }
  const askedFor = (recordId: string, name: string) =>
    requested.find((item) => item.recordId === recordId)?.fields[name];
  return (
    <form
      className="form form-wide"
      onSubmit={(event) => {
        event.preventDefault();
        void apply.run();
      }}
    >
      <ErrorAlert error={apply.error} />
      {requested.length > 0 ? (
        <Alert tone="info" title="The subject asked for these corrections">
          <ul>
            {requested.flatMap((item) =>
              Object.entries(item.fields).map(([name, value]) => (
                <li key={`${item.recordId}-${name}`}>
                  {item.collection} › {name}: {describeValue(value)}
                </li>
              )),
            )}
          </ul>
          <p>They are filled in below: check them before applying.</p>
        </Alert>
      ) : null}
      {records.length === 0 ? <Empty>The vault holds no records for this subject.</Empty> : null}
      {records.map((record) => (
        <fieldset key={record.id}>
          <legend>{record.collection}</legend>
          {Object.entries(record.fields).map(([name, value]) => {
            const asked = askedFor(record.id, name);
            return typeof value === 'string' || typeof value === 'number' ? (
              <TextField
                key={name}
                label={name}
                defaultValue={asked === undefined ? String(value) : describeValue(asked)}
                hint={
                  asked === undefined ? undefined : `Asked for by the subject; stored now: ${String(value)}`
                }
                onChange={(event) =>
                  setEdits({
                    ...edits,
                    [record.id]: {
                      ...(edits[record.id] ?? {}),
                      [name]: typedLike(value, event.target.value),
                    },
                  })
                }
              />
            ) : (
              <p key={name} className="muted">
                {name}: {describeValue(value)}
                {asked === undefined
                  ? ' (change it through the API)'
                  : ` → ${describeValue(asked)} (asked for by the subject; applied as given)`}
              </p>
            );
          })}
        </fieldset>
      ))}
      <TextAreaField
        label="Note (optional)"
        value={note}
        maxLength={2000}
        onChange={(event) => setNote(event.target.value)}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={apply.busy}>
          Apply corrections
        </Button>
        <Button onClick={() => setRecords(undefined)}>Cancel</Button>
      </div>
    </form>
  );
}

/** How the request is carried out, by right: erasure, restriction, objection, rectification. */
export function Fulfilment({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { can } = useSignedIn();
  const status = useSubjectStatus(request.subjectId, request.updatedAt);
  const kind = ['erasure', 'delete'].includes(request.type)
    ? 'erasure'
    : request.type === 'restriction'
      ? 'restriction'
      : ['objection', 'opt_out'].includes(request.type)
        ? 'objection'
        : ['rectification', 'correct'].includes(request.type)
          ? 'rectification'
          : null;
  const [result, setResult] = useState<ReactNode>();
  if (!kind || !request.subjectId) return null;
  const working = request.state === 'in_progress';
  return (
    <Card title="Fulfilment">
      {result}
      <LoadState loaded={status}>
        {(value) =>
          value ? (
            <p>
              Subject <Link to={`/subjects/${request.subjectId}`}>{request.subjectId?.slice(0, 8)}</Link> is{' '}
              <Badge tone={value === 'active' ? 'success' : value === 'restricted' ? 'warning' : 'neutral'}>
                {value}
              </Badge>
            </p>
          ) : null
        }
      </LoadState>
      {!can('requests.fulfil') ? (
        <p className="muted">Carrying out requests needs the requests.fulfil permission.</p>
      ) : !working ? (
        <p className="muted">
          {workingStates.includes(request.state) || request.allowedTransitions.length === 0
            ? 'Nothing left to carry out here.'
            : 'Verify the requester and start work to carry the request out.'}
        </p>
      ) : kind === 'erasure' ? (
        status.data === 'erased' ? (
          <p>The subject is erased.</p>
        ) : (
          <Erasure request={request} reload={reload} onDone={setResult} />
        )
      ) : kind === 'restriction' ? (
        <Restriction request={request} reload={reload} />
      ) : kind === 'objection' ? (
        <Objection request={request} reload={reload} onDone={setResult} />
      ) : (
        <Rectification request={request} reload={reload} onDone={setResult} />
      )}
    </Card>
  );
}

/** The downstream systems told about the request, each with its status; retry, or close with a reason. */
export function SystemTasks({ request, reload }: { request: DataSubjectRequest; reload: Reload }) {
  const { api, can } = useSignedIn();
  const tasks = useLoad(
    () => api.get<{ items: Task[] }>(`/v1/requests/${request.id}/tasks`),
    [api, request.id, request.updatedAt],
  );
  const [reason, setReason] = useState(closureReasons[0] ?? 'other');
  const [note, setNote] = useState('');
  const retry = useAction(async (task: Task) => {
    await api.post(`/v1/system-tasks/${task.id}/retry`);
    await Promise.all([tasks.reload(), reload()]);
  });
  if (tasks.data && tasks.data.items.length === 0 && request.state !== 'awaiting_systems') return null;
  return (
    <Card title="Downstream systems">
      <ErrorAlert error={retry.error} />
      <LoadState loaded={tasks}>
        {(data) =>
          data.items.length === 0 ? (
            <Empty>No downstream system holds a copy of this data.</Empty>
          ) : (
            <ul className="list">
              {data.items.map((task) => (
                <li key={task.id}>
                  <div className="list-row">
                    <span>
                      <strong>{task.system.name}</strong> · {humanize(task.action)}
                    </span>
                    <Badge tone={taskTone(task.status)}>{humanize(task.status)}</Badge>
                  </div>
                  <p className="muted">
                    {task.attempts} {task.attempts === 1 ? 'message' : 'messages'} sent · updated{' '}
                    {formatDateTime(task.updatedAt)}
                    {task.failure ? ` · ${humanize(task.failure)}` : ''}
                    {task.detail ? ` · “${task.detail}”` : ''}
                  </p>
                  {task.status === 'failed' && can('requests.manage') ? (
                    <Button busy={retry.busy} onClick={() => void retry.run(task)}>
                      Send again<span className="visually-hidden"> to {task.system.name}</span>
                    </Button>
                  ) : null}
                </li>
              ))}
            </ul>
          )
        }
      </LoadState>
      {request.state === 'awaiting_systems' && can('requests.manage') ? (
        <ActionDialog
          trigger="Complete without every confirmation"
          title="Complete the request"
          submitLabel="Complete"
          description="Say why the request is done although not every system confirmed."
          onSubmit={async () => {
            await api.post(`/v1/requests/${request.id}/closure`, {
              reason,
              ...(note.trim() ? { note: note.trim() } : {}),
            });
            await reload();
          }}
        >
          <SelectField
            label="Reason"
            value={reason}
            onChange={(event) => setReason(event.target.value)}
            options={closureReasons.map((value) => ({ value, label: humanize(value) }))}
          />
          <TextAreaField
            label="Note (optional)"
            value={note}
            maxLength={2000}
            onChange={(event) => setNote(event.target.value)}
          />
        </ActionDialog>
      ) : null}
    </Card>
  );
}
