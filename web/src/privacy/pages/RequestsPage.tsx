import { type FormEvent, useState } from 'react';
import { ApiError } from '../../shared/api';
import {
  describeDaysLeft,
  formatDate,
  label,
  rejectionReasonLabels,
  requestStateLabels,
  requestTypeExplanations,
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
  Loading,
  LoadState,
  PageHeader,
} from '../../shared/ui';
import {
  type CorrectableField,
  type CorrectionDraft,
  CorrectionRow,
  correctableFields,
  correctionsOf,
  newCorrection,
  rowError,
} from '../corrections';
import { useConfig, usePrivacy } from '../session';
import type { OwnRecord, OwnRequest } from '../types';

function explanation(request: OwnRequest): string {
  switch (request.state) {
    case 'received':
      return 'We have your request. Before we act on it, we confirm that it is really you; we may contact you by e-mail.';
    case 'verifying':
      return 'We sent a code to your e-mail address to confirm that it is you.';
    case 'verified':
      return 'Your identity is confirmed. We will start work shortly.';
    case 'in_progress':
      return 'We are working on your request.';
    case 'awaiting_systems':
      return 'We are waiting for other systems to finish their part.';
    case 'completed':
      return 'Done: your request has been carried out.';
    case 'rejected':
      return `We could not carry out your request: ${label(rejectionReasonLabels, request.rejectionReason).toLowerCase()}. We have written to you with the details.`;
    case 'withdrawn':
      return 'You withdrew this request.';
    default:
      return '';
  }
}

function tone(state: string): string {
  if (state === 'completed') return 'success';
  if (state === 'rejected' || state === 'withdrawn') return 'neutral';
  return 'info';
}

/** What to correct: rows of "this field of my data" and "this is the right value". */
function Corrections({
  fields,
  drafts,
  onChange,
  error,
  paths,
}: {
  fields: CorrectableField[];
  drafts: CorrectionDraft[];
  onChange: (drafts: CorrectionDraft[]) => void;
  error: unknown;
  paths: string[];
}) {
  if (fields.length === 0) {
    return <Empty>We hold no data about you that could be corrected here.</Empty>;
  }
  return (
    <fieldset className="corrections">
      <legend>What should we correct?</legend>
      <p className="purpose-meta">
        Choose the information from your data (as on the My data page) and enter what is right. We check your
        request, then correct it.
      </p>
      {drafts.map((draft, index) => (
        <CorrectionRow
          key={`correction-${index.toString()}`}
          index={index}
          draft={draft}
          fields={fields}
          onChange={(next) => onChange(drafts.map((item, at) => (at === index ? next : item)))}
          onRemove={drafts.length > 1 ? () => onChange(drafts.filter((_, at) => at !== index)) : undefined}
          error={rowError(error, paths[index])}
        />
      ))}
      <div>
        <Button onClick={() => onChange([...drafts, newCorrection()])}>Correct something else too</Button>
      </div>
    </fieldset>
  );
}

/** The request's error in words: a correction that does not fit is marked at its field instead. */
function FilingError({ error }: { error: unknown }) {
  if (error instanceof ApiError && error.code === 'validation_failed' && error.errors.length > 0) {
    return (
      <Alert tone="error" title="Please check your corrections">
        Some values do not fit the information they correct; see the messages below.
      </Alert>
    );
  }
  return <ErrorAlert error={error} />;
}

/** Ask for access, rectification, erasure, restriction or objection; follow status and deadline. */
export function RequestsPage() {
  const { api } = usePrivacy();
  const config = useConfig();
  useTitle('Requests', config.branding.name);
  const requests = useLoad(() => api.get<{ items: OwnRequest[] }>('/v1/privacy/me/requests'), [api]);
  const [type, setType] = useState('');
  const [sent, setSent] = useState<{ request: OwnRequest; corrected: string[] }>();
  const [drafts, setDrafts] = useState<CorrectionDraft[]>([newCorrection()]);
  const [paths, setPaths] = useState<string[]>([]);
  const rectifying = type === 'rectification';
  // The subject's own data, to choose what to correct from: read (and audited) only when asked for.
  const data = useLoad(
    async () => (rectifying ? (await api.get<{ items: OwnRecord[] }>('/v1/privacy/me/data')).items : []),
    [api, rectifying],
  );
  const fields = correctableFields(data.data ?? []);
  const file = useAction(async () => {
    let body: Record<string, unknown> = { type };
    let corrected: string[] = [];
    if (rectifying) {
      const built = correctionsOf(drafts, fields);
      setPaths(built.paths);
      body = { type, corrections: built.corrections };
      corrected = drafts.map((draft) => fields.find((field) => field.id === draft.field)?.label ?? '');
    }
    const request = await api.post<OwnRequest>('/v1/privacy/me/requests', body);
    setSent({ request, corrected });
    setType('');
    setDrafts([newCorrection()]);
    await requests.reload();
  });
  const withdraw = useAction(async (request: OwnRequest) => {
    await api.post(`/v1/privacy/me/requests/${request.id}/withdrawal`);
    setSent(undefined);
    await requests.reload();
  });

  function submit(event: FormEvent) {
    event.preventDefault();
    if (type) void file.run();
  }

  return (
    <>
      <PageHeader
        title="Requests"
        description="Exercise your rights under data-protection law. We answer within the deadline the law sets."
      />
      <Card title="Make a request">
        {sent ? (
          <Alert tone="success" title="Your request was sent">
            {label(requestTypeLabels, sent.request.type)} request received; we will answer by{' '}
            {formatDate(sent.request.dueDate)}.
            {sent.corrected.length > 0 ? ` You asked us to correct: ${sent.corrected.join('; ')}.` : ''}
          </Alert>
        ) : null}
        <FilingError error={file.error} />
        <form className="form form-wide" onSubmit={submit} noValidate>
          <fieldset>
            <legend>What would you like us to do?</legend>
            <div className="request-types">
              {config.requestTypes.map((value) => (
                <label key={value} className="request-type">
                  <input
                    type="radio"
                    name="request-type"
                    value={value}
                    checked={type === value}
                    onChange={() => {
                      setType(value);
                      file.clearError();
                    }}
                  />
                  <span>
                    <strong>{label(requestTypeLabels, value)}</strong>
                    <span className="purpose-meta">{requestTypeExplanations[value]}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          {rectifying && data.loading ? <Loading label="Loading your data…" /> : null}
          {rectifying && !data.loading ? (
            <LoadState loaded={data} label="Loading your data…">
              {() => (
                <Corrections
                  fields={fields}
                  drafts={drafts}
                  onChange={(next) => {
                    setDrafts(next);
                    file.clearError();
                  }}
                  error={file.error}
                  paths={paths}
                />
              )}
            </LoadState>
          ) : null}
          <p className="field-hint">
            For a copy of your data to take elsewhere, use “Download my data” on the My data page: it is ready
            at once.
          </p>
          <div>
            <Button
              type="submit"
              variant="primary"
              busy={file.busy}
              disabled={!type || (rectifying && fields.length === 0)}
            >
              Send request
            </Button>
          </div>
        </form>
      </Card>
      <Card title="Your requests">
        <ErrorAlert error={withdraw.error} />
        <LoadState loaded={requests} label="Loading your requests…">
          {(data) =>
            data.items.length === 0 ? (
              <Empty>You have not made any requests.</Empty>
            ) : (
              <ul className="list">
                {data.items.map((request) => (
                  <li key={request.id}>
                    <div className="list-row">
                      <strong>{label(requestTypeLabels, request.type)}</strong>
                      <Badge tone={tone(request.state)}>{label(requestStateLabels, request.state)}</Badge>
                    </div>
                    <p>{explanation(request)}</p>
                    <p className="purpose-meta">
                      Received {formatDate(request.receivedAt)}
                      {request.closedAt
                        ? ` · closed ${formatDate(request.closedAt)}`
                        : ` · answer due by ${formatDate(request.dueDate)} (${describeDaysLeft(request.daysLeft)})${request.extended ? ', extended' : ''}`}
                    </p>
                    {request.canWithdraw ? (
                      <Button
                        variant="ghost"
                        busy={withdraw.busy}
                        aria-label={`Withdraw this request: ${label(requestTypeLabels, request.type)}`}
                        onClick={() => void withdraw.run(request)}
                      >
                        Withdraw this request
                      </Button>
                    ) : null}
                  </li>
                ))}
              </ul>
            )
          }
        </LoadState>
      </Card>
    </>
  );
}
