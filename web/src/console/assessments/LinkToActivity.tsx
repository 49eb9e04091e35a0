import { type FormEvent, useState } from 'react';
import { useAction } from '../../shared/hooks';
import { Button, ErrorAlert, SelectField } from '../../shared/ui';
import { useSignedIn } from '../session';

export type ActivityChoice = { id: string; name: string };

/**
 * Links a proposed activity's screening (or one whose activity was deleted) to an activity of the data
 * map; its DPIA comes along. Only activities without a DPIA are offered.
 */
export function LinkToActivity({
  screeningId,
  name,
  activities,
  onLinked,
}: {
  screeningId: string;
  name: string;
  activities: readonly ActivityChoice[];
  onLinked: () => void;
}) {
  const { api } = useSignedIn();
  const [activityId, setActivityId] = useState(activities[0]?.id ?? '');
  const link = useAction(async () => {
    await api.post(`/v1/assessments/screenings/${screeningId}/link`, { activityId });
    onLinked();
  });
  function submit(event: FormEvent) {
    event.preventDefault();
    void link.run();
  }
  if (activities.length === 0)
    return <p className="muted">No activity of the data map without a DPIA to link {name} to yet.</p>;
  return (
    <form className="form" onSubmit={submit} aria-label={`Link ${name} to an activity`}>
      <ErrorAlert error={link.error} title="Not linked" />
      <SelectField
        label={`Activity of the data map that ${name} became`}
        hint="The screening becomes the activity’s (answers kept) and its DPIA is carried over."
        value={activityId}
        options={activities.map((activity) => ({ value: activity.id, label: activity.name }))}
        onChange={(event) => setActivityId(event.target.value)}
      />
      <div className="button-row">
        <Button type="submit" variant="primary" busy={link.busy}>
          Link {name}
        </Button>
      </div>
    </form>
  );
}
