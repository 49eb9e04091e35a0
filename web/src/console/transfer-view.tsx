import type { Schemas } from '../shared/api-types';
import { Badge } from '../shared/ui';

/* The transfers API's answers (aliases of the SDK's generated types), and the explained decision. */

export type Reason = TransferDecision['reasons'][number];

export type TransferDecision = Schemas['TransferDecision'];

export type AdequacyDecision = Schemas['AdequacyDecision'];

export type TransferReference = Schemas['TransferReference'];

export type ResidencyPolicy = Schemas['ResidencyPolicy'];

export type Tia = Schemas['Tia'];

export type TransferMechanism = Schemas['TransferMechanism'];

export type TransferFlow = TransferRegister['flows'][number];

export type TransferRegister = Schemas['TransferRegister'];

export const outcomeLabels: Record<TransferDecision['outcome'], string> = {
  allowed: 'Allowed',
  allowed_with_mechanism: 'Allowed with a mechanism',
  refused: 'Refused',
};

const outcomeTones: Record<TransferDecision['outcome'], string> = {
  allowed: 'success',
  allowed_with_mechanism: 'warning',
  refused: 'danger',
};

export const flowStatusLabels: Record<TransferFlow['status'], string> = {
  adequacy: 'Adequacy',
  covered: 'Covered by a mechanism',
  action_needed: 'Action needed',
  mechanism_missing: 'Mechanism missing',
  refused: 'Refused by policy',
};

export const flowStatusTones: Record<TransferFlow['status'], string> = {
  adequacy: 'success',
  covered: 'success',
  action_needed: 'warning',
  mechanism_missing: 'warning',
  refused: 'danger',
};

export const mechanismKindLabels: Record<TransferMechanism['kind'], string> = {
  adequacy_scope: 'Within an adequacy scope',
  scc: 'Standard Contractual Clauses',
  bcr: 'Binding corporate rules',
  code_of_conduct: 'Code of conduct',
  certification: 'Certification',
  derogation: 'Art. 49 derogation',
};

function ReasonList({ reasons }: { reasons: Reason[] }) {
  return (
    <ul>
      {reasons.map((reason) => (
        <li key={`${reason.code}-${reason.text}`}>
          <code>{reason.code}</code> — {reason.text}
          {reason.ref ? <small> ({reason.ref})</small> : null}
        </li>
      ))}
    </ul>
  );
}

/** The decision with its reasons, warnings and the mechanisms that apply. */
export function DecisionView({ decision }: { decision: TransferDecision }) {
  return (
    <div className="transfer-decision" aria-live="polite">
      <p>
        <Badge tone={outcomeTones[decision.outcome]}>{outcomeLabels[decision.outcome]}</Badge>{' '}
        {decision.source} → {decision.target} on {decision.date}
        {decision.policy ? ` · policy “${decision.policy.name}”` : ''}
      </p>
      <h3>Why</h3>
      <ReasonList reasons={decision.reasons} />
      {decision.warnings.length > 0 ? (
        <>
          <h3>Warnings</h3>
          <ReasonList reasons={decision.warnings} />
        </>
      ) : null}
      {decision.applicableMechanisms.length > 0 ? (
        <>
          <h3>Mechanisms that apply</h3>
          <ul>
            {decision.applicableMechanisms.map((mechanism) => (
              <li key={mechanism.kind}>
                {mechanismKindLabels[mechanism.kind] ?? mechanism.kind}
                {mechanism.module ? ` (module ${mechanism.module})` : ''}: {mechanism.note}{' '}
                <small>({mechanism.ref})</small>
              </li>
            ))}
          </ul>
        </>
      ) : null}
      {decision.mechanismsInPlace.length > 0 ? (
        <>
          <h3>In place for this recipient</h3>
          <ul>
            {decision.mechanismsInPlace.map((mechanism) => (
              <li key={mechanism.id}>
                {mechanismKindLabels[mechanism.kind] ?? mechanism.kind}:{' '}
                {mechanism.valid ? 'valid' : `not valid (${mechanism.problems.join(', ')})`}
              </li>
            ))}
          </ul>
        </>
      ) : null}
      <p>
        <small>Decision support, not legal advice.</small>
      </p>
    </div>
  );
}
