/**
 * The approval chain of a DPIA (seed: DPO review → legal approval → management sign-off → supervisory
 * authority consultation if required). The organization configures the steps and the role each needs;
 * the authority step is kept only when the residual risk makes prior consultation (Art. 36) required.
 */
import { AppError } from '../../lib/app-error.js';
import type { Role } from '../access/permissions.js';

export type ChainStep = {
  key: string;
  name: string;
  /** The role an operator must hold to sign this step off. */
  role: Role;
  /** Kept in a round only when prior consultation of the authority is required. */
  onlyWhenPriorConsultation: boolean;
};

export type ChainSettings = {
  steps: ChainStep[];
  /** Whether the DPIA's author (or whoever submitted it) is refused any step's sign-off. */
  forbidSelfApproval: boolean;
  /** Months from approval to the scheduled review. */
  reviewMonths: number;
};

export const defaultChain: ChainSettings = {
  steps: [
    { key: 'dpo_review', name: 'DPO review', role: 'dpo', onlyWhenPriorConsultation: false },
    { key: 'legal_approval', name: 'Legal approval', role: 'admin', onlyWhenPriorConsultation: false },
    {
      key: 'management_signoff',
      name: 'Management sign-off',
      role: 'admin',
      onlyWhenPriorConsultation: false,
    },
    {
      key: 'authority_consultation',
      name: 'Supervisory authority consultation',
      role: 'dpo',
      onlyWhenPriorConsultation: true,
    },
  ],
  forbidSelfApproval: true,
  reviewMonths: 12,
};

/** The steps of a round: the authority's step only when its consultation is required. */
export function stepsOfRound(settings: ChainSettings, priorConsultation: boolean): ChainStep[] {
  return settings.steps.filter((step) => priorConsultation || !step.onlyWhenPriorConsultation);
}

export type Approver = { type: string; id: string | null; roles: readonly string[] };

/**
 * Checks that `approver` may sign off `stepKey` now: it must be the current step, the approver must
 * hold its role and, when configured, must not be the DPIA's author or submitter.
 */
export function checkSignOff(
  chain: readonly ChainStep[],
  stepIndex: number,
  stepKey: string,
  approver: Approver,
  authors: readonly (string | null)[],
  forbidSelfApproval: boolean,
): ChainStep {
  const current = chain[stepIndex];
  if (!current) throw new AppError('invalid_transition', 'This DPIA has no step awaiting sign-off.');
  if (current.key !== stepKey)
    throw new AppError(
      'invalid_transition',
      `Steps are signed off in order: the step awaiting sign-off is ${current.key}.`,
      { extensions: { expectedStep: current.key } },
    );
  if (approver.type !== 'operator' || !approver.roles.includes(current.role))
    throw new AppError(
      'forbidden',
      `This step is signed off by an operator holding the role ${current.role}.`,
      { extensions: { reason: 'step_role', role: current.role } },
    );
  if (forbidSelfApproval && approver.id !== null && authors.includes(approver.id))
    throw new AppError(
      'forbidden',
      'The author of a DPIA may not sign off its steps (self-approval is forbidden).',
      {
        extensions: { reason: 'self_approval' },
      },
    );
  return current;
}
