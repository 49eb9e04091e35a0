import { useState } from 'react';
import { useAction } from '../../shared/hooks';
import { Badge, Button, ErrorAlert, SelectField, TableWrap, TextField } from '../../shared/ui';
import { useSignedIn } from '../session';
import { outcomeLabels, outcomeTones, type Screening } from './assessment-types';

const answerOptions = [
  { value: '', label: 'Not answered' },
  { value: 'yes', label: 'Yes' },
  { value: 'no', label: 'No' },
];

/** One screening: every criterion with where its answer comes from, and the questions the map cannot answer. */
export function ScreeningPanel({ screening, onChange }: { screening: Screening; onChange: () => void }) {
  const { api, can } = useSignedIn();
  const [answers, setAnswers] = useState<Record<string, string>>(() =>
    Object.fromEntries(
      Object.entries(screening.answers.criteria).map(([key, answer]) => [key, answer.met ? 'yes' : 'no']),
    ),
  );
  const [estimate, setEstimate] = useState(screening.answers.estimatedSubjects?.toString() ?? '');
  const save = useAction(async () => {
    const criteria = Object.fromEntries(
      Object.entries(answers)
        .filter(([, value]) => value !== '')
        .map(([key, value]) => [key, { met: value === 'yes', note: '' }]),
    );
    await api.put(`/v1/assessments/screenings/${screening.id}/answers`, {
      criteria,
      estimatedSubjects: estimate ? Number(estimate) : null,
    });
    onChange();
  });
  const editable = can('assessments.manage');
  return (
    <div className="screening-panel">
      <p>
        <Badge tone={outcomeTones[screening.result.outcome]}>{outcomeLabels[screening.result.outcome]}</Badge>{' '}
        {screening.result.metCount} of nine criteria met (two or more require a DPIA).
      </p>
      <TableWrap label={`Screening of ${screening.name}`}>
        <table>
          <thead>
            <tr>
              <th scope="col">Criterion</th>
              <th scope="col">Met</th>
              <th scope="col">Why</th>
            </tr>
          </thead>
          <tbody>
            {screening.result.criteria.map((criterion) => (
              <tr key={criterion.key}>
                <td>{criterion.label}</td>
                <td>
                  {criterion.source === 'derived' && criterion.met ? (
                    <Badge tone="danger">Yes (from the data map)</Badge>
                  ) : editable ? (
                    <SelectField
                      label={`${criterion.label}: answer`}
                      value={answers[criterion.key] ?? ''}
                      options={answerOptions}
                      onChange={(event) => setAnswers({ ...answers, [criterion.key]: event.target.value })}
                    />
                  ) : criterion.met === null ? (
                    'Not answered'
                  ) : criterion.met ? (
                    'Yes'
                  ) : (
                    'No'
                  )}
                </td>
                <td>{criterion.reasons.join('; ') || '–'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </TableWrap>
      <p className="muted">
        Triggers:{' '}
        {screening.result.triggers
          .filter((trigger) => trigger.met)
          .map((trigger) => trigger.key.replaceAll('_', ' '))
          .join(', ') || 'none'}
        {screening.result.facts.transfers.length
          ? ` · Transfers: ${screening.result.facts.transfers.map((t) => `${t.country} (${t.safeguard ?? 'no safeguard'})`).join(', ')}`
          : ''}
      </p>
      {editable ? (
        <form
          className="form"
          onSubmit={(event) => {
            event.preventDefault();
            void save.run();
          }}
        >
          <ErrorAlert error={save.error} />
          <TextField
            label="Expected number of data subjects"
            hint="Only when the linked collections cannot tell (large scale from 10 000)."
            inputMode="numeric"
            value={estimate}
            onChange={(event) => setEstimate(event.target.value.replace(/\D/g, ''))}
          />
          <div className="button-row">
            <Button type="submit" busy={save.busy}>
              Save answers and screen again
            </Button>
          </div>
        </form>
      ) : null}
    </div>
  );
}
