/** The transfers API's answers as the console shows them, and the explained decision. */
import { Badge } from '../shared/ui';

export type Reason = { code: string; text: string; ref: string | null };

export type TransferDecision = {
  outcome: 'allowed' | 'allowed_with_mechanism' | 'refused';
  date: string;
  source: string;
  target: string;
  reasons: Reason[];
  warnings: Reason[];
  adequacy: {
    status: string;
    instrument: string | null;
    inForce: string | null;
    endsOn: string | null;
    scope: string | null;
  } | null;
  applicableMechanisms: { kind: string; module: number | null; ref: string; note: string }[];
  mechanismsInPlace: { id: string; kind: string; valid: boolean; problems: string[] }[];
  policy: { id: string; name: string } | null;
};

export type AdequacyDecision = {
  id: string;
  destination: string;
  name: string;
  kind: string;
  instrument: string;
  inForce: string;
  endsOn: string | null;
  scope: { code: string; text: string; mustBeConfirmed: boolean } | null;
  source: string;
  origin: 'shipped' | 'override';
};

export type TransferReference = {
  info: { title: string; lastReviewed: string; license: string; sources: string[]; dateConvention: string };
  decisions: AdequacyDecision[];
  asOf: string | null;
  inForceOnDate: string[] | null;
};

export type ResidencyPolicy = {
  id: string;
  name: string;
  region: string;
  allowedDestinations: string[] | null;
  classificationDestinations: Record<string, string[]>;
  specialCategoryDestinations: string[] | null;
  requireMechanismInPlace: boolean;
};

export type Tia = {
  id: string;
  destinationLawAssessment: string;
  measures: { technical: string[]; contractual: string[]; organisational: string[] };
  conclusion: string;
  assessedOn: string;
  reviewOn: string;
};

export type TransferMechanism = {
  id: string;
  recipientType: string;
  recipientId: string | null;
  recipientName: string;
  destination: string;
  kind: string;
  details: Record<string, unknown>;
  validFrom: string | null;
  validUntil: string | null;
  tias: Tia[];
};

export type TransferFlow = {
  recipientType: string;
  recipientId: string;
  recipientName: string;
  destination: string;
  classification: string;
  status: 'adequacy' | 'covered' | 'action_needed' | 'mechanism_missing' | 'refused';
  decision: TransferDecision;
};

export type TransferRegister = {
  exporter: string;
  flows: TransferFlow[];
  approvals: { approved: number; total: number };
};

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

export const mechanismKindLabels: Record<string, string> = {
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
