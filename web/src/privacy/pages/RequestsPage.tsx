import { type FormEvent, useState } from 'react';
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
import { Alert, Badge, Button, Card, Empty, ErrorAlert, LoadState, PageHeader } from '../../shared/ui';
import { useConfig, usePrivacy } from '../session';
import type { OwnRequest } from '../types';

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

/** Ask for access, rectification, erasure, restriction or objection; follow status and deadline. */
export function RequestsPage() {
  const { api } = usePrivacy();
  const config = useConfig();
  useTitle('Requests', config.branding.name);
  const requests = useLoad(() => api.get<{ items: OwnRequest[] }>('/v1/privacy/me/requests'), [api]);
  const [type, setType] = useState('');
  const [sent, setSent] = useState<OwnRequest>();
  const file = useAction(async () => {
    setSent(await api.post<OwnRequest>('/v1/privacy/me/requests', { type }));
    setType('');
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
            {label(requestTypeLabels, sent.type)} request received; we will answer by{' '}
            {formatDate(sent.dueDate)}.
          </Alert>
        ) : null}
        <ErrorAlert error={file.error} />
        <form className="form form-wide" onSubmit={submit}>
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
                    onChange={() => setType(value)}
                  />
                  <span>
                    <strong>{label(requestTypeLabels, value)}</strong>
                    <span className="purpose-meta">{requestTypeExplanations[value]}</span>
                  </span>
                </label>
              ))}
            </div>
          </fieldset>
          <p className="field-hint">
            For a copy of your data to take elsewhere, use “Download my data” on the My data page: it is ready
            at once.
          </p>
          <div>
            <Button type="submit" variant="primary" busy={file.busy} disabled={!type}>
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
