import { type FormEvent, useEffect, useState } from 'react';
import { useParams } from 'react-router';
import { count, formatDateTime, formatNumber, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Button,
  Card,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  SelectField,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import {
  type Breach,
  breachStatusLabels,
  ClockBadge,
  type Progress,
  severityLevelLabels,
} from '../breach-view';
import { useSignedIn } from '../session';

type Detail = {
  breach: Breach;
  tasks: { id: string; title: string; owner: string; status: string }[];
  affected: { subjects: number; fields: string[]; kinds: string[] };
  progress: Progress;
  notices: {
    version: number;
    phase: string;
    createdAt: string;
    submittedAt: string | null;
    submissionReference: string | null;
  }[];
};
type TimelineEvent = {
  id: string;
  at: string;
  actor: { type: string; id: string | null };
  kind: string;
  fields: string[];
  note: string | null;
};
type Radius = {
  subjects: number;
  entries: number;
  kinds: Record<string, number>;
  fields: string[];
  categories: string[];
};

const nextStatuses: Record<string, string[]> = {
  suspected: ['confirmed', 'dismissed'],
  confirmed: ['contained', 'dismissed'],
  contained: ['closed'],
};
const options = (values: string[]) => values.map((value) => ({ value, label: value.replace('_', ' ') }));
const instantOf = (local: string) => new Date(local).toISOString();

function StatusActions({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [reason, setReason] = useState('');
  return (
    <div className="button-row">
      {(nextStatuses[breach.status] ?? []).map((status) => (
        <ActionDialog
          key={status}
          trigger={`Mark ${label(breachStatusLabels, status).toLowerCase()}`}
          title={`Mark the breach ${label(breachStatusLabels, status).toLowerCase()}`}
          submitLabel="Save"
          variant={status === 'dismissed' ? 'danger' : 'primary'}
          onSubmit={async () => {
            await api.post(
              `/v1/breaches/${breach.id}/status`,
              reason.trim() ? { status, reason: reason.trim() } : { status },
            );
            setReason('');
            await onDone();
          }}
        >
          <TextAreaField
            label={status === 'dismissed' ? 'Why it is not a breach' : 'Note (optional)'}
            value={reason}
            maxLength={2000}
            onChange={(event) => setReason(event.target.value)}
          />
        </ActionDialog>
      ))}
    </div>
  );
}

function Tasks({ detail, onDone }: { detail: Detail; onDone: () => Promise<void> }) {
  const { api, can } = useSignedIn();
  const [title, setTitle] = useState('');
  const [owner, setOwner] = useState('');
  const add = useAction(async () => {
    await api.post(`/v1/breaches/${detail.breach.id}/tasks`, { title: title.trim(), owner: owner.trim() });
    setTitle('');
    setOwner('');
    await onDone();
  });
  const finish = useAction(async (id: string) => {
    await api.patch(`/v1/breaches/${detail.breach.id}/tasks/${id}`, { status: 'done' });
    await onDone();
  });
  return (
    <Card title="Containment tasks">
      <ErrorAlert error={finish.error} />
      <ul>
        {detail.tasks.map((task) => (
          <li key={task.id}>
            {task.title} — {task.owner} ({task.status}){' '}
            {can('breaches.manage') && task.status === 'open' ? (
              <Button onClick={() => void finish.run(task.id)}>Done</Button>
            ) : null}
          </li>
        ))}
      </ul>
      {can('breaches.manage') ? (
        <form
          className="form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void add.run();
          }}
        >
          <ErrorAlert error={add.error} />
          <TextField
            label="Task"
            required
            maxLength={500}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
          />
          <TextField
            label="Owner"
            required
            maxLength={200}
            value={owner}
            onChange={(event) => setOwner(event.target.value)}
          />
          <Button type="submit" busy={add.busy}>
            Add task
          </Button>
        </form>
      ) : null}
    </Card>
  );
}

function BlastRadiusPanel({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [kind, setKind] = useState('principal');
  const [principalType, setPrincipalType] = useState('api_key');
  const [id, setId] = useState('');
  const [from, setFrom] = useState('');
  const [until, setUntil] = useState('');
  const [found, setFound] = useState<Radius>();
  const query = () => ({
    source: kind === 'principal' ? { kind, type: principalType, id: id.trim() } : { kind, range: id.trim() },
    from: instantOf(from),
    ...(until ? { until: instantOf(until) } : {}),
  });
  const compute = useAction(async () =>
    setFound(await api.post<Radius>('/v1/breaches/blast-radius', query())),
  );
  const attach = useAction(async () => {
    await api.post(`/v1/breaches/${breach.id}/affected-set`, query());
    setFound(undefined);
    await onDone();
  });
  return (
    <Card title="Blast radius">
      <p>Whose data a compromised operator, API key or client network was handed, from the audit trail.</p>
      <form
        className="form"
        onSubmit={(event: FormEvent) => {
          event.preventDefault();
          void compute.run();
        }}
      >
        <ErrorAlert error={compute.error ?? attach.error} />
        <SelectField
          label="Source"
          value={kind}
          options={options(['principal', 'network'])}
          onChange={(event) => setKind(event.target.value)}
        />
        {kind === 'principal' ? (
          <SelectField
            label="Principal"
            value={principalType}
            options={options(['api_key', 'operator'])}
            onChange={(event) => setPrincipalType(event.target.value)}
          />
        ) : null}
        <TextField
          label={kind === 'principal' ? 'Operator or API key id' : 'Address range (CIDR)'}
          required
          maxLength={200}
          value={id}
          onChange={(event) => setId(event.target.value)}
        />
        <TextField
          label="From"
          type="datetime-local"
          required
          value={from}
          onChange={(event) => setFrom(event.target.value)}
        />
        <TextField
          label="Until"
          hint="Empty: until now"
          type="datetime-local"
          value={until}
          onChange={(event) => setUntil(event.target.value)}
        />
        <Button type="submit" busy={compute.busy}>
          Compute blast radius
        </Button>
      </form>
      {found ? (
        <>
          <Facts
            items={[
              ['Subjects', formatNumber(found.subjects)],
              ['Audit entries', formatNumber(found.entries)],
              ['Fields', found.fields.join(', ') || 'None named'],
              ['Data categories', found.categories.join(', ') || 'None'],
            ]}
          />
          <Button variant="primary" busy={attach.busy} onClick={() => void attach.run()}>
            Attach to this breach
          </Button>
        </>
      ) : null}
    </Card>
  );
}

const factorFields = {
  sensitivity: ['simple', 'behavioural', 'financial', 'special'],
  identifiability: ['negligible', 'limited', 'significant', 'maximum'],
  consequences: ['minimal', 'significant', 'severe', 'irreversible'],
} as const;

function Assessment({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api, can } = useSignedIn();
  const [factors, setFactors] = useState({
    sensitivity: 'simple',
    identifiability: 'significant',
    consequences: 'significant',
  });
  const [nature, setNature] = useState('confidentiality');
  const [vulnerable, setVulnerable] = useState('no');
  const [malicious, setMalicious] = useState('no');
  const [justification, setJustification] = useState('');
  const [severity, setSeverity] = useState('');
  const propose = useAction(async () => {
    await api.post(`/v1/breaches/${breach.id}/assessment`, {
      ...factors,
      nature: [nature],
      vulnerableIndividuals: vulnerable === 'yes',
      malicious: malicious === 'yes',
    });
    await onDone();
  });
  const proposal = breach.assessment?.proposal;
  const decide = useAction(async () => {
    if (!proposal) return;
    const chosen = severity || proposal.severity;
    const high = chosen === 'high' || chosen === 'critical';
    await api.post(`/v1/breaches/${breach.id}/decision`, {
      severity: chosen,
      notifyAuthority: chosen === proposal.severity ? proposal.notifyAuthority : chosen !== 'low',
      notifyIndividuals: chosen === proposal.severity ? proposal.notifyIndividuals : high,
      ...(justification.trim() ? { justification: justification.trim() } : {}),
    });
    await onDone();
  });
  return (
    <Card title="Risk assessment">
      {can('breaches.manage') ? (
        <form
          className="form"
          onSubmit={(event: FormEvent) => {
            event.preventDefault();
            void propose.run();
          }}
        >
          <ErrorAlert error={propose.error} />
          <SelectField
            label="Type of breach"
            value={nature}
            options={options(['confidentiality', 'integrity', 'availability'])}
            onChange={(event) => setNature(event.target.value)}
          />
          {(Object.keys(factorFields) as (keyof typeof factorFields)[]).map((name) => (
            <SelectField
              key={name}
              label={
                name === 'sensitivity'
                  ? 'Sensitivity of the data'
                  : name === 'identifiability'
                    ? 'Ease of identification'
                    : 'Consequences'
              }
              value={factors[name]}
              options={options([...factorFields[name]])}
              onChange={(event) => setFactors({ ...factors, [name]: event.target.value })}
            />
          ))}
          <SelectField
            label="Children or vulnerable individuals"
            value={vulnerable}
            options={options(['no', 'yes'])}
            onChange={(event) => setVulnerable(event.target.value)}
          />
          <SelectField
            label="Malicious"
            value={malicious}
            options={options(['no', 'yes'])}
            onChange={(event) => setMalicious(event.target.value)}
          />
          <Button type="submit" busy={propose.busy}>
            Propose
          </Button>
        </form>
      ) : null}
      {proposal ? (
        <>
          <h3>Proposal: {label(severityLevelLabels, proposal.severity)}</h3>
          <p>
            Notify the authority: {proposal.notifyAuthority ? 'yes' : 'no'}. Notify individuals:{' '}
            {proposal.notifyIndividuals ? 'yes' : 'no'}.
          </p>
          <ul>
            {proposal.reasons.map((reason) => (
              <li key={reason}>{reason}</li>
            ))}
          </ul>
          {breach.decision ? (
            <Alert tone="success">
              Decided: {label(severityLevelLabels, breach.decision.severity)}
              {breach.decision.overridden.length > 0
                ? ` (overridden: ${breach.decision.justification})`
                : ' (proposal confirmed)'}
            </Alert>
          ) : null}
          {can('breaches.manage') ? (
            <form
              className="form"
              onSubmit={(event: FormEvent) => {
                event.preventDefault();
                void decide.run();
              }}
            >
              <ErrorAlert error={decide.error} />
              <SelectField
                label="Decided severity"
                value={severity}
                options={[
                  { value: '', label: 'As proposed' },
                  ...options(['low', 'medium', 'high', 'critical']),
                ]}
                onChange={(event) => setSeverity(event.target.value)}
              />
              <TextAreaField
                label="Justification (needed to override)"
                value={justification}
                maxLength={4000}
                onChange={(event) => setJustification(event.target.value)}
              />
              <Button type="submit" variant="primary" busy={decide.busy}>
                {severity && severity !== proposal.severity ? 'Override' : 'Confirm proposal'}
              </Button>
            </form>
          ) : null}
        </>
      ) : null}
    </Card>
  );
}

function AuthorityNotices({ detail, onDone }: { detail: Detail; onDone: () => Promise<void> }) {
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

function IndividualNotices({ detail, onDone }: { detail: Detail; onDone: () => Promise<void> }) {
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
      </div>
      {preview ? (
        <section aria-label="Notice preview">
          <h3>{preview.subject}</h3>
          <pre className="notice-preview">{preview.text}</pre>
        </section>
      ) : null}
    </Card>
  );
}

function Closing({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
  const { api } = useSignedIn();
  const [lessons, setLessons] = useState(breach.lessonsLearned ?? '');
  const save = useAction(async () => {
    await api.patch(`/v1/breaches/${breach.id}`, { lessonsLearned: lessons.trim() });
    await onDone();
  });
  return (
    <Card title="Close out">
      <ErrorAlert error={save.error} />
      <TextAreaField
        label="Lessons learned"
        value={lessons}
        maxLength={8000}
        onChange={(event) => setLessons(event.target.value)}
      />
      <Button busy={save.busy} onClick={() => void save.run()}>
        Save lessons learned
      </Button>
    </Card>
  );
}

/** One breach: its clock, facts, tasks, blast radius, assessment, notices and timeline. */
export function BreachDetailPage() {
  const { id = '' } = useParams();
  const { api, can } = useSignedIn();
  const detail = useLoad(() => api.get<Detail>(`/v1/breaches/${id}`), [api, id]);
  const timeline = useLoad(
    () => api.get<{ items: TimelineEvent[] }>(`/v1/breaches/${id}/timeline`),
    [api, id],
  );
  useTitle(detail.data?.breach.title ?? 'Breach', 'Custos console');
  const reload = async () => {
    await Promise.all([detail.reload(), timeline.reload()]);
  };
  return (
    <LoadState loaded={detail} label="Loading the breach…">
      {(found) => {
        const { breach } = found;
        const open = breach.status !== 'closed' && breach.status !== 'dismissed';
        return (
          <>
            <PageHeader
              title={breach.title}
              description={`${label(breachStatusLabels, breach.status)} · deadline ${formatDateTime(breach.deadlineAt)}`}
              actions={<ClockBadge clock={breach.clock} />}
            />
            <Card title="The breach">
              <Facts
                items={[
                  ['Status', label(breachStatusLabels, breach.status)],
                  ['Aware', formatDateTime(breach.awareAt)],
                  ['Deadline', formatDateTime(breach.deadlineAt)],
                  ['Discovered through', breach.discovery.replace('_', ' ')],
                  ['Affected subjects', formatNumber(found.affected.subjects)],
                  ['Fields exposed', found.affected.fields.join(', ') || 'None recorded'],
                  ['Severity', breach.severity ? label(severityLevelLabels, breach.severity) : 'Not decided'],
                ]}
              />
              {can('breaches.manage') && open ? <StatusActions breach={breach} onDone={reload} /> : null}
            </Card>
            <Tasks detail={found} onDone={reload} />
            {can('breaches.manage') && open ? <BlastRadiusPanel breach={breach} onDone={reload} /> : null}
            <Assessment breach={breach} onDone={reload} />
            <AuthorityNotices detail={found} onDone={reload} />
            <IndividualNotices detail={found} onDone={reload} />
            {can('breaches.manage') && open ? <Closing breach={breach} onDone={reload} /> : null}
            <Card title="Timeline">
              <LoadState loaded={timeline} label="Loading the timeline…">
                {(events) => (
                  <ol className="timeline">
                    {events.items.map((event) => (
                      <li key={event.id}>
                        {formatDateTime(event.at)} — {event.kind.replaceAll('_', ' ')}
                        {event.fields.length > 0 ? ` (${event.fields.join(', ')})` : ''}
                        {event.note ? `: ${event.note}` : ''}
                      </li>
                    ))}
                  </ol>
                )}
              </LoadState>
            </Card>
          </>
        );
      }}
    </LoadState>
  );
}
