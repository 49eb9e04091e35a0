import { Link } from 'react-router';
import { useLoad } from '../../shared/hooks';
import { Badge, Card, LoadState } from '../../shared/ui';
import { useSignedIn } from '../session';
import { type Assessment, outcomeLabels, outcomeTones, type Screening } from './assessment-types';

/** The DPIA screening of one activity, on its page in the data map; re-read after each save. */
export function ActivityScreening({ activityId, revision }: { activityId: string; revision: number }) {
  const { api } = useSignedIn();
  const loaded = useLoad(async () => {
    const [screening, dpias] = await Promise.all([
      api.get<Screening>(`/v1/assessments/activities/${activityId}/screening`),
      api.get<{ items: Assessment[] }>('/v1/assessments', { activityId }),
    ]);
    return { screening, dpia: dpias.items[0] };
  }, [api, activityId, revision]);
  return (
    <Card title="DPIA screening">
      <LoadState loaded={loaded} label="Screening…">
        {({ screening, dpia }) => (
          <>
            <p>
              <Badge tone={outcomeTones[screening.result.outcome]}>
                {outcomeLabels[screening.result.outcome]}
              </Badge>{' '}
              {screening.result.metCount} of nine criteria met.
            </p>
            <ul>
              {screening.result.criteria
                .filter((criterion) => criterion.met)
                .map((criterion) => (
                  <li key={criterion.key}>
                    {criterion.label}: {criterion.reasons.join('; ')}
                  </li>
                ))}
            </ul>
            <p>
              {dpia ? (
                <Link to={`/assessments/${dpia.id}`}>
                  Open the DPIA ({dpia.status.replace('_', ' ')}, version {dpia.version}
                  {dpia.reviewReason ? ', review needed' : ''})
                </Link>
              ) : (
                <Link to="/assessments">Answer the open criteria or start a DPIA</Link>
              )}
            </p>
          </>
        )}
      </LoadState>
    </Card>
  );
}
