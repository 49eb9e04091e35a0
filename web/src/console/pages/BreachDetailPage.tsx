import { type FormEvent, useState } from 'react';
import { useParams } from 'react-router';
import { formatDateTime, formatNumber, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Button,
  Card,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  TextAreaField,
  TextField,
} from '../../shared/ui';
import { ActionDialog } from '../action-dialog';
import { Assessment } from '../breach-assessment';
import { EditFacts } from '../breach-facts';
import { AuthorityNotices, IndividualNotices } from '../breach-notices';
import { BlastRadiusPanel } from '../breach-radius';
import {
  type Breach,
  type BreachDetail,
  breachStatusLabels,
  ClockBadge,
  severityLevelLabels,
} from '../breach-view';
import { useSignedIn } from '../session';

type TimelineEvent = {
  id: string;
  at: string;
  actor: { type: string; id: string | null };
  kind: string;
  fields: string[];
  note: string | null;
};

const nextStatuses: Record<string, string[]> = {
  suspected: ['confirmed', 'dismissed'],
  confirmed: ['contained', 'dismissed'],
  contained: ['closed'],
};

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

function Tasks({ detail, onDone }: { detail: BreachDetail; onDone: () => Promise<void> }) {
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
  const detail = useLoad(() => api.get<BreachDetail>(`/v1/breaches/${id}`), [api, id]);
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
              {can('breaches.manage') && open ? (
                <>
                  <StatusActions breach={breach} onDone={reload} />
                  <EditFacts breach={breach} onDone={reload} />
                </>
              ) : null}
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
