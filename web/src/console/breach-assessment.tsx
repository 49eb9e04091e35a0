import { type FormEvent, useState } from 'react';
import { label } from '../shared/format';
import { useAction } from '../shared/hooks';
import { Alert, Button, Card, ErrorAlert, SelectField, TextAreaField } from '../shared/ui';
import { type Breach, optionsOf, severityLevelLabels } from './breach-view';
import { useSignedIn } from './session';

const factorFields = {
  sensitivity: ['simple', 'behavioural', 'financial', 'special'],
  identifiability: ['negligible', 'limited', 'significant', 'maximum'],
  consequences: ['minimal', 'significant', 'severe', 'irreversible'],
} as const;

/** The EDPB factors, Custos's proposal with its reasons, and the DPO's confirmation or override. */
export function Assessment({ breach, onDone }: { breach: Breach; onDone: () => Promise<void> }) {
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
            options={optionsOf(['confidentiality', 'integrity', 'availability'])}
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
              options={optionsOf([...factorFields[name]])}
              onChange={(event) => setFactors({ ...factors, [name]: event.target.value })}
            />
          ))}
          <SelectField
            label="Children or vulnerable individuals"
            value={vulnerable}
            options={optionsOf(['no', 'yes'])}
            onChange={(event) => setVulnerable(event.target.value)}
          />
          <SelectField
            label="Malicious"
            value={malicious}
            options={optionsOf(['no', 'yes'])}
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
                  ...optionsOf(['low', 'medium', 'high', 'critical']),
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
