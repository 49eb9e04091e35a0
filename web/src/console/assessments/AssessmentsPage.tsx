import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { formatDate, label } from '../../shared/format';
import { useAction, useLoad, useTitle } from '../../shared/hooks';
import {
  Badge,
  Button,
  Card,
  Empty,
  ErrorAlert,
  Facts,
  LoadState,
  PageHeader,
  TableWrap,
} from '../../shared/ui';
import { useSignedIn } from '../session';
import {
  type Assessment,
  outcomeLabels,
  outcomeTones,
  type Screening,
  statusLabels,
} from './assessment-types';
import { type ChainSettings, ChainSettingsCard } from './ChainSettingsCard';
import { LinkToActivity } from './LinkToActivity';
import { ScreeningPanel } from './ScreeningPanel';

type Summary = Record<string, number>;

/** Screening of every activity, the DPIAs, and what is due. */
export function AssessmentsPage() {
  const { api, can } = useSignedIn();
  const navigate = useNavigate();
  useTitle('Assessments', 'Custos console');
  const loaded = useLoad(async () => {
    const [screenings, assessments, summary, chain] = await Promise.all([
      api.get<{ items: Screening[] }>('/v1/assessments/screenings'),
      api.get<{ items: Assessment[] }>('/v1/assessments'),
      api.get<Summary>('/v1/assessments/summary'),
      api.get<ChainSettings>('/v1/assessments/settings'),
    ]);
    return { screenings: screenings.items, assessments: assessments.items, summary, chain };
  }, [api]);
  const [open, setOpen] = useState<string | null>(null);
  const [linking, setLinking] = useState<string | null>(null);
  const start = useAction(async (screeningId: string) => {
    const created = await api.post<Assessment>('/v1/assessments', { screeningId });
    navigate(`/assessments/${created.id}`);
  });
  return (
    <>
      <PageHeader
        title="Assessments"
        description="Data protection impact assessments (GDPR Art. 35–36): each processing activity screened against the nine EDPB criteria from the data map, the DPIAs, their approvals and reviews."
      />
      <LoadState loaded={loaded} label="Loading assessments…">
        {({ screenings, assessments, summary, chain }) => {
          const byActivity = new Map(assessments.map((a) => [a.activityId, a]));
          const byScreening = new Map(assessments.map((a) => [a.screeningId, a]));
          const unassessed = screenings.flatMap((s) =>
            s.activityId && !byActivity.has(s.activityId) ? [{ id: s.activityId, name: s.name }] : [],
          );
          return (
            <>
              <Card title="Overview">
                <Facts
                  items={[
                    ['DPIAs due', summary.due],
                    ['Drafts', summary.drafts],
                    ['In review', summary.inReview],
                    ['Approved and current', summary.done],
                    ['Flagged for review (activity changed)', summary.flaggedForReview],
                    ['Activity deleted from the data map', summary.activityDeleted],
                    ['Reviews due within 30 days', summary.reviewDueSoon],
                    ['Reviews overdue', summary.reviewOverdue],
                  ]}
                />
              </Card>
              <Card title="Screening of processing activities">
                <ErrorAlert error={start.error} />
                {screenings.length === 0 ? (
                  <Empty>No processing activities in the data map yet.</Empty>
                ) : (
                  <TableWrap label="Screenings">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">Activity</th>
                          <th scope="col">Screening</th>
                          <th scope="col">DPIA</th>
                          <th scope="col">Actions</th>
                        </tr>
                      </thead>
                      <tbody>
                        {screenings.map((screening) => {
                          const dpia = screening.activityId
                            ? byActivity.get(screening.activityId)
                            : byScreening.get(screening.id);
                          return (
                            <tr key={screening.id}>
                              <td>
                                {screening.name}
                                {screening.activityId ? null : <span className="muted"> (proposed)</span>}
                              </td>
                              <td>
                                <Badge tone={outcomeTones[screening.result.outcome]}>
                                  {outcomeLabels[screening.result.outcome]}
                                </Badge>{' '}
                                {screening.result.metCount}/9
                              </td>
                              <td>
                                {dpia ? (
                                  <Link to={`/assessments/${dpia.id}`}>
                                    {label(statusLabels, dpia.status)} v{dpia.version}
                                    {dpia.reviewReason ? ' — review needed' : ''}
                                  </Link>
                                ) : (
                                  '–'
                                )}
                              </td>
                              <td className="button-row">
                                <Button
                                  variant="ghost"
                                  aria-expanded={open === screening.id}
                                  onClick={() => setOpen(open === screening.id ? null : screening.id)}
                                >
                                  {open === screening.id ? 'Hide criteria' : `Criteria of ${screening.name}`}
                                </Button>
                                {!dpia &&
                                screening.result.outcome !== 'not_required' &&
                                can('assessments.manage') ? (
                                  <Button busy={start.busy} onClick={() => void start.run(screening.id)}>
                                    Start DPIA for {screening.name}
                                  </Button>
                                ) : null}
                                {!screening.activityId && can('assessments.manage') ? (
                                  <Button
                                    variant="ghost"
                                    aria-expanded={linking === screening.id}
                                    onClick={() => setLinking(linking === screening.id ? null : screening.id)}
                                  >
                                    Link {screening.name} to an activity
                                  </Button>
                                ) : null}
                              </td>
                            </tr>
                          );
                        })}
                      </tbody>
                    </table>
                  </TableWrap>
                )}
                {screenings
                  .filter((screening) => screening.id === linking)
                  .map((screening) => (
                    <LinkToActivity
                      key={`link-${screening.id}`}
                      screeningId={screening.id}
                      name={screening.name}
                      activities={unassessed}
                      onLinked={() => {
                        setLinking(null);
                        void loaded.reload();
                      }}
                    />
                  ))}
                {screenings
                  .filter((screening) => screening.id === open)
                  .map((screening) => (
                    <ScreeningPanel
                      key={screening.id}
                      screening={screening}
                      onChange={() => void loaded.reload()}
                    />
                  ))}
              </Card>
              <Card title="DPIAs">
                {assessments.length === 0 ? (
                  <Empty>No DPIAs yet.</Empty>
                ) : (
                  <TableWrap label="DPIAs">
                    <table>
                      <thead>
                        <tr>
                          <th scope="col">DPIA</th>
                          <th scope="col">Status</th>
                          <th scope="col">Sections done</th>
                          <th scope="col">Next review</th>
                        </tr>
                      </thead>
                      <tbody>
                        {assessments.map((a) => (
                          <tr key={a.id}>
                            <td>
                              <Link to={`/assessments/${a.id}`}>{a.title}</Link>
                            </td>
                            <td>
                              {label(statusLabels, a.status)} v{a.version}{' '}
                              {a.reviewReason === 'activity_deleted' ? (
                                <Badge tone="danger">Activity deleted</Badge>
                              ) : a.reviewReason ? (
                                <Badge tone="warning">Review needed</Badge>
                              ) : null}
                            </td>
                            <td>{Object.values(a.progress).filter(Boolean).length} / 7</td>
                            <td>{a.reviewDue ? formatDate(a.reviewDue) : '–'}</td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                  </TableWrap>
                )}
              </Card>
              <ChainSettingsCard chain={chain} onSaved={() => void loaded.reload()} />
            </>
          );
        }}
      </LoadState>
    </>
  );
}
