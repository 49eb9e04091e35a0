import { useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatDateTime, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Alert,
  Badge,
  Button,
  Card,
  Empty,
  ErrorAlert,
  LoadState,
  PageHeader,
  SelectField,
  TableWrap,
  TextAreaField,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import { type Assessment, type Screening, type Snapshot, statusLabels } from './assessment-types';
import { ConsultationEditor, PriorConsultationEditor, RisksEditor, SectionsEditor } from './dpia-editors';
import { LinkToActivity } from './LinkToActivity';
import { RiskMatrix, RiskTable } from './risk-matrix';

const formats = [
  { format: 'pdf', label: 'PDF' },
  { format: 'html', label: 'HTML' },
  { format: 'json', label: 'JSON' },
] as const;

/** The chain's steps and, for the step awaiting sign-off, approve or reject with a comment. */
function Approvals({ assessment, onChange }: { assessment: Assessment; onChange: () => void }) {
  const { api, can, me } = useSignedIn();
  const [comment, setComment] = useState('');
  const current = assessment.chain.find((step) => step.state === 'current');
  const decide = useAction(async (decision: 'approve' | 'reject') => {
    await api.post(`/v1/assessments/${assessment.id}/${decision}`, { step: current?.key, comment });
    setComment('');
    onChange();
  });
  const submit = useAction(async () => {
    await api.post(`/v1/assessments/${assessment.id}/submit`);
    onChange();
  });
  const revise = useAction(async () => {
    await api.post(`/v1/assessments/${assessment.id}/revise`);
    onChange();
  });
  const holdsRole = current ? me.operator.roles.some((role) => role === current.role) : false;
  return (
    <Card title="Approval chain">
      {assessment.chain.length === 0 ? (
        <p>Not submitted yet: complete every section, then submit it for approval.</p>
      ) : (
        <ol className="approval-chain">
          {assessment.chain.map((step) => (
            <li key={step.key}>
              {step.name} <span className="muted">(role {step.role})</span>{' '}
              <Badge tone={step.state === 'done' ? 'success' : step.state === 'current' ? 'info' : 'neutral'}>
                {step.state === 'done'
                  ? 'Signed off'
                  : step.state === 'current'
                    ? 'Awaiting sign-off'
                    : 'Pending'}
              </Badge>
            </li>
          ))}
        </ol>
      )}
      <ErrorAlert error={decide.error ?? submit.error ?? revise.error} />
      {assessment.status === 'draft' && can('assessments.manage') ? (
        <div className="button-row">
          <Button variant="primary" busy={submit.busy} onClick={() => void submit.run()}>
            Submit for approval
          </Button>
        </div>
      ) : null}
      {current && can('assessments.approve') ? (
        holdsRole ? (
          <form className="form" onSubmit={(event) => event.preventDefault()}>
            <TextAreaField
              label={`Comment on ${current.name}`}
              hint="Required to reject: the reasons go back to the authors."
              value={comment}
              maxLength={4000}
              onChange={(event) => setComment(event.target.value)}
            />
            <div className="button-row">
              <Button variant="primary" busy={decide.busy} onClick={() => void decide.run('approve')}>
                Approve {current.name}
              </Button>
              <Button busy={decide.busy} onClick={() => void decide.run('reject')}>
                Reject
              </Button>
            </div>
          </form>
        ) : (
          <p className="muted">This step is signed off by an operator with the role {current.role}.</p>
        )
      ) : null}
      {assessment.status === 'approved' && can('assessments.manage') ? (
        <div className="button-row">
          <Button busy={revise.busy} onClick={() => void revise.run()}>
            Revise (start version {assessment.version + 1})
          </Button>
        </div>
      ) : null}
      <h3>Sign-offs</h3>
      {assessment.signOffs.length === 0 ? (
        <Empty>No sign-offs yet.</Empty>
      ) : (
        <TableWrap label="Sign-offs">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Step</th>
                <th scope="col">Decision</th>
                <th scope="col">Comment</th>
              </tr>
            </thead>
            <tbody>
              {assessment.signOffs.map((signOff) => (
                <tr key={`${signOff.at}-${signOff.stepKey}`}>
                  <td>{formatDateTime(signOff.at)}</td>
                  <td>
                    {signOff.stepKey} (v{signOff.version})
                  </td>
                  <td>{signOff.decision}</td>
                  <td>{signOff.comment || '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableWrap>
      )}
    </Card>
  );
}

/** Approved versions, frozen, and what changed between two of them. */
function Versions({ assessment }: { assessment: Assessment }) {
  const { api } = useSignedIn();
  const versions = useLoad(
    () => api.get<{ items: Snapshot[] }>(`/v1/assessments/${assessment.id}/versions`),
    [api, assessment.id, assessment.updatedAt],
  );
  const [from, setFrom] = useState('1');
  const [to, setTo] = useState('');
  const diff = useLoad(
    async () =>
      to && from !== to
        ? api.get<{ changes: { path: string; before: string | null; after: string | null }[] }>(
            `/v1/assessments/${assessment.id}/diff`,
            { from, to },
          )
        : null,
    [api, assessment.id, from, to],
  );
  return (
    <Card title="Versions">
      <LoadState loaded={versions}>
        {({ items }) =>
          items.length === 0 ? (
            <Empty>No approved version yet.</Empty>
          ) : (
            <>
              <ul>
                {items.map((version) => (
                  <li key={version.version}>
                    Version {version.version}, approved {formatDateTime(version.approvedAt)} —{' '}
                    <a
                      href={api.href(`/v1/assessments/${assessment.id}/export`, {
                        format: 'pdf',
                        version: version.version,
                      })}
                      download
                    >
                      PDF
                    </a>
                  </li>
                ))}
              </ul>
              {items.length > 1 ? (
                <div className="form">
                  <SelectField
                    label="Compare version"
                    value={from}
                    options={items.map((v) => ({ value: String(v.version), label: `Version ${v.version}` }))}
                    onChange={(event) => setFrom(event.target.value)}
                  />
                  <SelectField
                    label="With version"
                    value={to}
                    options={[
                      { value: '', label: 'Choose…' },
                      ...items.map((v) => ({ value: String(v.version), label: `Version ${v.version}` })),
                    ]}
                    onChange={(event) => setTo(event.target.value)}
                  />
                  <LoadState loaded={diff}>
                    {(result) =>
                      result ? (
                        result.changes.length === 0 ? (
                          <Empty>No differences.</Empty>
                        ) : (
                          <TableWrap label="Differences">
                            <table>
                              <thead>
                                <tr>
                                  <th scope="col">What</th>
                                  <th scope="col">Before</th>
                                  <th scope="col">After</th>
                                </tr>
                              </thead>
                              <tbody>
                                {result.changes.map((change) => (
                                  <tr key={change.path}>
                                    <td>{change.path}</td>
                                    <td>{change.before ?? '–'}</td>
                                    <td>{change.after ?? '–'}</td>
                                  </tr>
                                ))}
                              </tbody>
                            </table>
                          </TableWrap>
                        )
                      ) : null
                    }
                  </LoadState>
                </div>
              ) : null}
            </>
          )
        }
      </LoadState>
    </Card>
  );
}

/** The activities without a DPIA, to move a DPIA whose activity was deleted to the one replacing it. */
function RelinkOrphan({
  screeningId,
  name,
  onLinked,
}: {
  screeningId: string;
  name: string;
  onLinked: () => void;
}) {
  const { api } = useSignedIn();
  const choices = useLoad(async () => {
    const [screenings, assessments] = await Promise.all([
      api.get<{ items: Screening[] }>('/v1/assessments/screenings'),
      api.get<{ items: Assessment[] }>('/v1/assessments'),
    ]);
    const assessed = new Set(assessments.items.map((a) => a.activityId));
    return screenings.items.flatMap((s) =>
      s.activityId && !assessed.has(s.activityId) ? [{ id: s.activityId, name: s.name }] : [],
    );
  }, [api]);
  return (
    <LoadState loaded={choices} label="Loading the activities…">
      {(activities) => (
        <LinkToActivity screeningId={screeningId} name={name} activities={activities} onLinked={onLinked} />
      )}
    </LoadState>
  );
}

/** One DPIA: progress, sections, risks and the matrix, consultations, approvals, versions, exports. */
export function AssessmentDetailPage() {
  const { id = '' } = useParams();
  const { api, can } = useSignedIn();
  const loaded = useLoad(async () => {
    const [assessment, measures] = await Promise.all([
      api.get<Assessment>(`/v1/assessments/${id}`),
      can('inventory.read')
        ? api.get<{ items: { id: string; name: string }[] }>('/v1/inventory/measures')
        : Promise.resolve({ items: [] }),
    ]);
    return { assessment, measures: measures.items };
  }, [api, id]);
  useTitle(loaded.data?.assessment.title ?? 'DPIA', 'Custos console');
  const reload = () => void loaded.reload();
  return (
    <LoadState loaded={loaded} label="Loading the DPIA…">
      {({ assessment, measures }) => {
        const done = Object.values(assessment.progress).filter(Boolean).length;
        const editable = assessment.status === 'draft' && can('assessments.manage');
        const priorEditable =
          can('assessments.manage') &&
          (assessment.status === 'draft' ||
            assessment.chain.some((step) => step.state === 'current' && step.onlyWhenPriorConsultation));
        const key = assessment.updatedAt;
        return (
          <>
            <PageHeader
              title={assessment.title}
              description={
                <>
                  {label(statusLabels, assessment.status)}, version {assessment.version} · {done} of 7
                  sections done
                  {assessment.reviewDue ? ` · next review ${assessment.reviewDue}` : ''} ·{' '}
                  <Link to="/assessments">All assessments</Link>
                </>
              }
              actions={formats.map((item) => (
                <a
                  key={item.format}
                  className="button button-secondary"
                  href={api.href(`/v1/assessments/${assessment.id}/export`, { format: item.format })}
                  download
                >
                  Export {item.label}
                </a>
              ))}
            />
            <progress className="section-progress" max={7} value={done} aria-label="Sections done">
              {done} of 7
            </progress>
            {assessment.reviewReason === 'activity_deleted' ? (
              <>
                <Alert tone="warning" title="Activity deleted">
                  The processing activity this DPIA assesses was deleted from the data map. Link the DPIA to
                  the activity that replaces it, or keep it as a record of the processing that ended.
                </Alert>
                {can('assessments.manage') && assessment.screeningId ? (
                  <RelinkOrphan
                    screeningId={assessment.screeningId}
                    name={assessment.title}
                    onLinked={reload}
                  />
                ) : null}
              </>
            ) : assessment.reviewReason ? (
              <Alert tone="warning" title="Review needed">
                The processing activity changed after this DPIA was approved. Revise it to bring it up to
                date.
              </Alert>
            ) : null}
            {assessment.status === 'approved' ? (
              <Alert tone="info">This version is approved and frozen.</Alert>
            ) : null}
            <SectionsEditor key={`s${key}`} assessment={assessment} editable={editable} onSaved={reload} />
            <RisksEditor
              key={`r${key}`}
              assessment={assessment}
              editable={editable}
              onSaved={reload}
              measures={measures}
            />
            <Card title="Risk matrix">
              <RiskMatrix risks={assessment.risks} residual={false} />
              <RiskMatrix risks={assessment.risks} residual />
              <RiskTable risks={assessment.risks} />
            </Card>
            <ConsultationEditor
              key={`c${key}`}
              assessment={assessment}
              editable={editable}
              onSaved={reload}
            />
            {assessment.priorConsultation.required || assessment.priorConsultation.record ? (
              <PriorConsultationEditor
                key={`p${key}`}
                assessment={assessment}
                editable={priorEditable}
                onSaved={reload}
              />
            ) : null}
            <Approvals assessment={assessment} onChange={reload} />
            <Versions assessment={assessment} />
            <ErrorAlert error={undefined} />
          </>
        );
      }}
    </LoadState>
  );
}
