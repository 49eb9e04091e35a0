import { type FormEvent, useState } from 'react';
import { useAction } from '../../shared/hooks';
import { Alert, Button, Card, CheckboxField, ErrorAlert, SelectField, TextField } from '../../shared/ui';
import { useSignedIn } from '../session';

export type ChainSettings = {
  steps: { key: string; name: string; role: string; onlyWhenPriorConsultation: boolean }[];
  forbidSelfApproval: boolean;
  reviewMonths: number;
};

const roleOptions = [
  { value: 'dpo', label: 'Data protection officer (dpo)' },
  { value: 'admin', label: 'Administrator (admin)' },
  { value: 'privacy_agent', label: 'Privacy agent (privacy_agent)' },
  { value: 'auditor', label: 'Auditor (auditor)' },
  { value: 'security', label: 'Security (security)' },
];

type Draft = { key: string | null; name: string; role: string; onlyWhenPriorConsultation: boolean };

/** A step's key, derived from its name for a new step (existing steps keep theirs). */
function keyOf(name: string, taken: Set<string>): string {
  const base =
    name
      .toLowerCase()
      .normalize('NFKD')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .replace(/^[^a-z]+/, '')
      .slice(0, 60) || 'step';
  let candidate = base;
  for (let n = 2; taken.has(candidate); n += 1) candidate = `${base}_${n}`;
  taken.add(candidate);
  return candidate;
}

/** The approval chain: shown to everyone who reads DPIAs, editable by whoever approves them. */
export function ChainSettingsCard({ chain, onSaved }: { chain: ChainSettings; onSaved: () => void }) {
  const { api, can } = useSignedIn();
  const [editing, setEditing] = useState(false);
  const [steps, setSteps] = useState<Draft[]>([]);
  const [forbidSelfApproval, setForbidSelfApproval] = useState(chain.forbidSelfApproval);
  const [reviewMonths, setReviewMonths] = useState(String(chain.reviewMonths));
  const [saved, setSaved] = useState(false);
  const save = useAction(async () => {
    const taken = new Set(steps.flatMap((step) => (step.key ? [step.key] : [])));
    await api.put('/v1/assessments/settings', {
      steps: steps.map((step) => ({
        key: step.key ?? keyOf(step.name, taken),
        name: step.name.trim(),
        role: step.role,
        onlyWhenPriorConsultation: step.onlyWhenPriorConsultation,
      })),
      forbidSelfApproval,
      reviewMonths: Number(reviewMonths),
    });
    setEditing(false);
    setSaved(true);
    onSaved();
  });
  function startEditing() {
    setSteps(chain.steps.map((step) => ({ ...step })));
    setForbidSelfApproval(chain.forbidSelfApproval);
    setReviewMonths(String(chain.reviewMonths));
    save.clearError();
    setSaved(false);
    setEditing(true);
  }
  function change(index: number, patch: Partial<Draft>) {
    setSteps(steps.map((step, i) => (i === index ? { ...step, ...patch } : step)));
  }
  function move(index: number, by: number) {
    const next = [...steps];
    const [step] = next.splice(index, 1);
    if (step) next.splice(index + by, 0, step);
    setSteps(next);
  }
  function submit(event: FormEvent) {
    event.preventDefault();
    void save.run();
  }

  if (!editing)
    return (
      <Card title="Approval chain">
        {saved ? (
          <Alert tone="success">
            The approval chain is saved; it applies to DPIAs submitted from now on.
          </Alert>
        ) : null}
        <ol>
          {chain.steps.map((step) => (
            <li key={step.key}>
              {step.name} (role {step.role})
              {step.onlyWhenPriorConsultation ? ', when prior consultation is required' : ''}
            </li>
          ))}
        </ol>
        <p className="muted">
          {chain.forbidSelfApproval
            ? 'A DPIA’s author may not sign off its steps.'
            : 'Authors may sign off their own DPIAs.'}{' '}
          Reviews fall due {chain.reviewMonths} months after approval.
        </p>
        {can('assessments.approve') ? (
          <div className="button-row">
            <Button onClick={startEditing}>Edit the approval chain</Button>
          </div>
        ) : null}
      </Card>
    );

  return (
    <Card title="Approval chain">
      <form className="form" onSubmit={submit} aria-label="Edit the approval chain">
        <p className="muted">
          Changes apply to DPIAs submitted afterwards; a round in progress keeps its chain. Only someone who
          holds every permission of each role the chain names (before and after the change) may change it.
        </p>
        <ErrorAlert error={save.error} title="The chain was not saved" />
        <ol className="chain-editor">
          {steps.map((step, index) => {
            const n = index + 1;
            return (
              <li key={step.key ?? `new-${index}`}>
                <fieldset>
                  <legend>Step {n}</legend>
                  <TextField
                    label={`Step ${n}: name`}
                    required
                    maxLength={200}
                    value={step.name}
                    onChange={(e) => change(index, { name: e.target.value })}
                  />
                  <SelectField
                    label={`Step ${n}: role that signs it off`}
                    value={step.role}
                    options={roleOptions}
                    onChange={(e) => change(index, { role: e.target.value })}
                  />
                  <CheckboxField
                    label={`Step ${n}: only when prior consultation of the authority is required`}
                    checked={step.onlyWhenPriorConsultation}
                    onChange={(e) => change(index, { onlyWhenPriorConsultation: e.target.checked })}
                  />
                  <div className="button-row">
                    <Button
                      variant="ghost"
                      disabled={index === 0}
                      onClick={() => move(index, -1)}
                      aria-label={`Move step ${n} up`}
                    >
                      Up
                    </Button>
                    <Button
                      variant="ghost"
                      disabled={index === steps.length - 1}
                      onClick={() => move(index, 1)}
                      aria-label={`Move step ${n} down`}
                    >
                      Down
                    </Button>
                    <Button
                      variant="ghost"
                      disabled={steps.length === 1}
                      onClick={() => setSteps(steps.filter((_, i) => i !== index))}
                      aria-label={`Remove step ${n}`}
                    >
                      Remove
                    </Button>
                  </div>
                </fieldset>
              </li>
            );
          })}
        </ol>
        <div className="button-row">
          <Button
            disabled={steps.length >= 10}
            onClick={() =>
              setSteps([...steps, { key: null, name: '', role: 'dpo', onlyWhenPriorConsultation: false }])
            }
          >
            Add a step
          </Button>
        </div>
        <CheckboxField
          label="Authors may sign off their own DPIA’s steps"
          hint="When unchecked, whoever wrote or submitted a DPIA is refused every sign-off of it."
          checked={!forbidSelfApproval}
          onChange={(e) => setForbidSelfApproval(!e.target.checked)}
        />
        <TextField
          label="Months from approval to the scheduled review"
          type="number"
          min={1}
          max={60}
          required
          value={reviewMonths}
          onChange={(e) => setReviewMonths(e.target.value)}
        />
        <div className="button-row">
          <Button type="submit" variant="primary" busy={save.busy}>
            Save the approval chain
          </Button>
          <Button onClick={() => setEditing(false)}>Cancel</Button>
        </div>
      </form>
    </Card>
  );
}
