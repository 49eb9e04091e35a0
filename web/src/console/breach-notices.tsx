import { useEffect, useState } from 'react';
import { count, formatDateTime, formatNumber } from '../shared/format';
import { useAction } from '../shared/hooks';
import { Button, Card, ErrorAlert, TextAreaField, TextField } from '../shared/ui';
import { ActionDialog } from './action-dialog';
import { PublicCommunication } from './breach-facts';
import type { BreachDetail } from './breach-view';
import { useSignedIn } from './session';

/** The authority notice's versions, their downloads and their submission. */
export function AuthorityNotices({ detail, onDone }: { detail: BreachDetail; onDone: () => Promise<void> }) {
  const { api, can } = useSignedIn();
  const id = detail.breach.id;
  const [reference, setReference] = useState('');
  const [channel, setChannel] = useState('');
  const [lateReasons, setLateReasons] = useState('');
  const generate = useAction(async () => {
    await api.post(`/v1/breaches/${id}/authority-notices`, {
      phase: detail.notices.length === 0 ? 'initial' : 'follow_up',
    });
    await onDone();
  });
  return (
    <Card title="Notice to the supervisory authority">
      <ErrorAlert error={generate.error} />
      <ul>
        {detail.notices.map((notice) => (
          <li key={notice.version}>
            Version {notice.version} ({notice.phase.replace('_', ' ')}), {formatDateTime(notice.createdAt)}:{' '}
            <a href={api.href(`/v1/breaches/${id}/authority-notices/${notice.version}`, { format: 'html' })}>
              HTML
            </a>{' '}
            ·{' '}
            <a href={api.href(`/v1/breaches/${id}/authority-notices/${notice.version}`, { format: 'pdf' })}>
              PDF
            </a>{' '}
            ·{' '}
            <a href={api.href(`/v1/breaches/${id}/authority-notices/${notice.version}`, { format: 'json' })}>
              JSON
            </a>
            {notice.submittedAt
              ? ` — submitted ${formatDateTime(notice.submittedAt)}, reference ${notice.submissionReference}`
              : null}
            {!notice.submittedAt && can('breaches.manage') ? (
              <ActionDialog
                trigger="Record submission"
                title={`Record the submission of version ${notice.version}`}
                submitLabel="Record"
                onSubmit={async () => {
                  await api.post(`/v1/breaches/${id}/authority-notices/${notice.version}/submission`, {
                    submittedAt: new Date().toISOString(),
                    reference: reference.trim(),
                    channel: channel.trim(),
                    ...(lateReasons.trim() ? { lateReasons: lateReasons.trim() } : {}),
                  });
                  await onDone();
                }}
              >
                <TextField
                  label="Authority’s reference"
                  required
                  maxLength={200}
                  value={reference}
                  onChange={(event) => setReference(event.target.value)}
                />
                <TextField
                  label="Channel"
                  required
                  maxLength={200}
                  value={channel}
                  onChange={(event) => setChannel(event.target.value)}
                />
                <TextAreaField
                  label="Reasons for a delay (after 72 hours)"
                  maxLength={4000}
                  value={lateReasons}
                  onChange={(event) => setLateReasons(event.target.value)}
                />
              </ActionDialog>
            ) : null}
          </li>
        ))}
      </ul>
      {can('breaches.manage') ? (
        <Button busy={generate.busy} onClick={() => void generate.run()}>
          {detail.notices.length === 0 ? 'Generate the initial notice' : 'Generate a follow-up notice'}
        </Button>
      ) : null}
    </Card>
  );
}

/** The notice to individuals: preview, sending, and its progress while the job works. */
export function IndividualNotices({ detail, onDone }: { detail: BreachDetail; onDone: () => Promise<void> }) {
  const { api, can } = useSignedIn();
  const id = detail.breach.id;
  const [advice, setAdvice] = useState('');
  const [preview, setPreview] = useState<{ subject: string; text: string }>();
  const show = useAction(async () => {
    const answer = await api.get<{ notice: { subject: string; text: string } }>(
      `/v1/breaches/${id}/individual-notices`,
      { advice },
    );
    setPreview(answer.notice);
  });
  const send = useAction(async () => {
    await api.post(`/v1/breaches/${id}/individual-notices`, { advice });
    await onDone();
  });
  const { progress } = detail;
  const sending =
    detail.breach.individualNotice !== null && progress.queued + progress.unreachable < progress.affected;
  useEffect(() => {
    if (!sending) return;
    const timer = setInterval(() => void onDone(), 2000);
    return () => clearInterval(timer);
  }, [sending, onDone]);
  return (
    <Card title="Notices to individuals">
      <p role="status">
        {count(progress.affected, 'affected subject')}: {formatNumber(progress.queued)} sent to the outbox,{' '}
        {formatNumber(progress.unreachable)} without an address.
      </p>
      <ErrorAlert error={show.error ?? send.error} />
      <TextAreaField
        label="What people can do"
        value={advice}
        maxLength={4000}
        onChange={(event) => setAdvice(event.target.value)}
      />
      <div className="button-row">
        <Button busy={show.busy} onClick={() => void show.run()}>
          Preview notice
        </Button>
        {can('breaches.manage') ? (
          <Button variant="primary" busy={send.busy} onClick={() => void send.run()}>
            {detail.breach.individualNotice ? 'Resume sending' : 'Send notices'}
          </Button>
        ) : null}
        {can('breaches.manage') ? <PublicCommunication breach={detail.breach} onDone={onDone} /> : null}
      </div>
      {detail.breach.publicCommunication ? (
        <p>
          Public communication: {detail.breach.publicCommunication.channel} (
          {detail.breach.publicCommunication.reference}).
        </p>
      ) : null}
      {preview ? (
        <section aria-label="Notice preview">
          <h3>{preview.subject}</h3>
          <pre className="notice-preview">{preview.text}</pre>
        </section>
      ) : null}
    </Card>
  );
}
