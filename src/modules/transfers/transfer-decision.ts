/**
 * The transfer decision, as a pure function of the question, the adequacy list, the residency policies
 * and the mechanisms recorded for the recipient. Order of the checks: the residency policy of the source
 * region (an organisation's own rule, stricter than the law), then whether Chapter V applies at all
 * (inside the EEA it does not), then adequacy as of the date (Art. 45), then appropriate safeguards
 * (Art. 46-47) and derogations (Art. 49) with the recipient's mechanisms in place.
 */
import { EEA, isRegionCode, regions } from '../../lib/countries.js';
import { isSpecialCategory } from '../consent/consent-rules.js';
import { type AdequacyDecision, adequacyOn } from './adequacy.js';
import type {
  ApplicableMechanism,
  Mechanism,
  MechanismInPlace,
  PartyRole,
  Reason,
  ResidencyPolicy,
  SccModule,
  TransferDecision,
  TransferQuestion,
} from './transfer-model.js';

const eea: ReadonlySet<string> = new Set(EEA);

/** Whether `place` (a country, `EU`/`EEA`, or an international organisation) includes `code`. */
export function placeIncludes(place: string, code: string): boolean {
  if (place === code) return true;
  if (!isRegionCode(place)) return false;
  const members = regions[place] ?? [];
  if (members.includes(code)) return true;
  // A region includes a smaller region wholly inside it (EEA includes EU).
  return isRegionCode(code) && (regions[code] ?? []).every((member) => members.includes(member));
}

const withinAny = (places: readonly string[], code: string) =>
  places.some((place) => placeIncludes(place, code));

/** Whether a place lies wholly inside the EEA (a member country, `EU` or `EEA`). */
export function inEea(code: string): boolean {
  return eea.has(code) || code === 'EU' || code === 'EEA';
}

/** The SCC module for the parties' roles (Decision (EU) 2021/914, Annex, Section I, Clause 2 and Modules). */
export function sccModuleFor(exporter: PartyRole, importer: PartyRole): SccModule {
  if (exporter === 'controller') return importer === 'controller' ? 1 : 2;
  return importer === 'processor' ? 3 : 4;
}

const moduleNames: Record<SccModule, string> = {
  1: 'Module 1 (controller to controller)',
  2: 'Module 2 (controller to processor)',
  3: 'Module 3 (processor to processor)',
  4: 'Module 4 (processor to controller)',
};

/** The policy governing exports from `source`: its own country's first, then the EU's, then the EEA's. */
export function policyFor(policies: readonly ResidencyPolicy[], source: string): ResidencyPolicy | null {
  const governing = policies.filter((policy) => placeIncludes(policy.region, source));
  const rank = (policy: ResidencyPolicy) =>
    policy.region === source ? 0 : policy.region === 'EU' ? 1 : policy.region === 'EEA' ? 2 : 3;
  return governing.sort((a, b) => rank(a) - rank(b))[0] ?? null;
}

/** The policy's refusals of this transfer, as reasons (empty when it permits it). */
function policyRefusals(policy: ResidencyPolicy, question: TransferQuestion): Reason[] {
  const { target } = question;
  if (placeIncludes(policy.region, target)) return [];
  const refusals: Reason[] = [];
  const ref = `residency policy “${policy.name}”`;
  if (policy.allowedDestinations !== null && !withinAny(policy.allowedDestinations, target)) {
    refusals.push({
      code: 'policy_destination_not_allowed',
      text: `The residency policy for ${policy.region} allows data to go only to ${policy.allowedDestinations.join(', ') || 'places inside the region'}; ${target} is not one of them.`,
      ref,
    });
  }
  const allowedForClass = question.classification
    ? policy.classificationDestinations[question.classification]
    : undefined;
  if (question.classification && allowedForClass && !withinAny(allowedForClass, target)) {
    refusals.push({
      code: 'policy_classification_restricted',
      text:
        allowedForClass.length === 0
          ? `The residency policy keeps ${question.classification} data inside ${policy.region}.`
          : `The residency policy lets ${question.classification} data leave ${policy.region} only for ${allowedForClass.join(', ')}.`,
      ref,
    });
  }
  const special = question.dataCategories.filter(isSpecialCategory);
  if (
    special.length > 0 &&
    policy.specialCategoryDestinations !== null &&
    !withinAny(policy.specialCategoryDestinations, target)
  ) {
    refusals.push({
      code: 'policy_special_categories_restricted',
      text: `The data includes special categories (${special.join(', ')}), which the residency policy keeps inside ${policy.region}${policy.specialCategoryDestinations.length > 0 ? ` or ${policy.specialCategoryDestinations.join(', ')}` : ''}.`,
      ref: `${ref}; GDPR Art. 9(1)`,
    });
  }
  return refusals;
}

/** What a recorded mechanism lacks for this transfer, as problem codes with their words. */
function mechanismProblems(mechanism: Mechanism, question: TransferQuestion): Reason[] {
  const problems: Reason[] = [];
  const { date } = question;
  if (
    (mechanism.validFrom && mechanism.validFrom > date) ||
    (mechanism.validUntil && mechanism.validUntil < date)
  ) {
    problems.push({
      code: 'mechanism_not_in_effect',
      text: `The ${mechanism.details.kind} recorded for ${mechanism.recipientName} is not in effect on ${date}.`,
      ref: null,
    });
  }
  const details = mechanism.details;
  if (details.kind === 'scc') {
    const needed = sccModuleFor(question.exporterRole, question.recipientRole);
    if (details.module !== needed) {
      problems.push({
        code: 'scc_module_mismatch',
        text: `The SCCs signed with ${mechanism.recipientName} are ${moduleNames[details.module]}; a ${question.exporterRole} exporting to a ${question.recipientRole} needs ${moduleNames[needed]}.`,
        ref: 'Implementing Decision (EU) 2021/914, Annex',
      });
    }
  }
  if (details.kind === 'scc' || details.kind === 'bcr') {
    const tia = mechanism.tias[0];
    const ref = 'CJEU C-311/18 (Schrems II); EDPB Recommendations 01/2020; SCC Clause 14';
    if (!tia) {
      problems.push({
        code: 'tia_missing',
        text: `No transfer impact assessment is recorded for the ${details.kind === 'scc' ? 'SCCs' : 'BCRs'} with ${mechanism.recipientName}.`,
        ref,
      });
    } else if (tia.reviewOn < date) {
      problems.push({
        code: 'tia_expired',
        text: `The transfer impact assessment for ${mechanism.recipientName} was due for review on ${tia.reviewOn}.`,
        ref,
      });
    } else if (tia.conclusion === 'suspend') {
      problems.push({
        code: 'tia_concludes_suspend',
        text: `The transfer impact assessment for ${mechanism.recipientName} concludes that the transfer must be suspended.`,
        ref,
      });
    }
  }
  return problems;
}

function applicableMechanisms(
  question: TransferQuestion,
  scopeToConfirm: AdequacyDecision | null,
): ApplicableMechanism[] {
  const module = sccModuleFor(question.exporterRole, question.recipientRole);
  const list: ApplicableMechanism[] = [];
  if (scopeToConfirm?.scope) {
    list.push({
      kind: 'adequacy_scope',
      module: null,
      ref: `GDPR Art. 45; ${scopeToConfirm.instrument}`,
      note: `Confirm the recipient is within the decision's scope: ${scopeToConfirm.scope.text}`,
    });
  }
  list.push(
    {
      kind: 'scc',
      module,
      ref: 'GDPR Art. 46(2)(c); Implementing Decision (EU) 2021/914',
      note: `Standard Contractual Clauses, ${moduleNames[module]}, with a transfer impact assessment.`,
    },
    {
      kind: 'bcr',
      module: null,
      ref: 'GDPR Art. 46(2)(b), Art. 47',
      note: 'Binding corporate rules approved by the competent authority, for transfers within the group.',
    },
    {
      kind: 'code_of_conduct',
      module: null,
      ref: 'GDPR Art. 46(2)(e), Art. 40',
      note: 'An approved code of conduct with binding commitments of the importer.',
    },
    {
      kind: 'certification',
      module: null,
      ref: 'GDPR Art. 46(2)(f), Art. 42',
      note: 'An approved certification mechanism with binding commitments of the importer.',
    },
    {
      kind: 'derogation',
      module: null,
      ref: 'GDPR Art. 49(1); EDPB Guidelines 2/2018',
      note: 'A derogation for a specific situation: suits occasional, non-repetitive transfers only.',
    },
  );
  return list;
}

type Inputs = {
  question: TransferQuestion;
  decisions: readonly AdequacyDecision[];
  policies: readonly ResidencyPolicy[];
  /** Mechanisms recorded for this recipient and destination (empty when no recipient is named). */
  mechanisms: readonly Mechanism[];
};

/** The explained decision on one transfer. */
export function decideTransfer({ question, decisions, policies, mechanisms }: Inputs): TransferDecision {
  const { source, target, date } = question;
  const reasons: Reason[] = [];
  const warnings: Reason[] = [];
  const policy = policyFor(policies, source);
  const base = {
    date,
    source,
    target,
    warnings,
    adequacy: null,
    applicableMechanisms: [],
    mechanismsInPlace: [],
    policy: policy ? { id: policy.id, name: policy.name } : null,
  };

  if (policy) {
    const refusals = policyRefusals(policy, question);
    if (refusals.length > 0) return { ...base, outcome: 'refused', reasons: refusals };
  }

  if (!inEea(source)) {
    reasons.push({
      code: 'source_outside_regime',
      text: `Custos ships the EU transfer rules only; exports from ${source} are checked against the residency policy alone.`,
      ref: null,
    });
    return { ...base, outcome: 'allowed', reasons };
  }
  if (inEea(target)) {
    reasons.push({
      code: 'within_eea',
      text: `${target} is inside the European Economic Area: no Chapter V transfer.`,
      ref: 'GDPR Art. 1(3), Art. 44; EEA Agreement',
    });
    return { ...base, outcome: 'allowed', reasons };
  }

  const finding = adequacyOn(decisions, target, date);
  const adequacy =
    finding.status === 'none'
      ? {
          status: finding.status,
          decisionId: null,
          instrument: null,
          inForce: null,
          endsOn: null,
          scope: null,
        }
      : {
          status: finding.status,
          decisionId: finding.decision.id,
          instrument: finding.decision.instrument,
          inForce: finding.decision.inForce,
          endsOn: finding.decision.endsOn,
          scope: finding.decision.scope?.text ?? null,
        };
  let scopeToConfirm: AdequacyDecision | null = null;
  if (finding.status === 'in_force') {
    const { decision } = finding;
    const ref = `GDPR Art. 45; ${decision.instrument}`;
    const scope = decision.scope;
    if (!scope?.mustBeConfirmed) {
      reasons.push({
        code: 'adequacy_in_force',
        text: `An adequacy decision for ${decision.name} is in force on ${date} (since ${decision.inForce}${decision.endsOn ? `, until ${decision.endsOn}` : ''}).`,
        ref,
      });
      if (scope) reasons.push({ code: 'adequacy_scope_condition', text: `Scope: ${scope.text}`, ref });
      return { ...base, outcome: 'allowed', reasons, adequacy };
    }
    const recorded = mechanisms.find(
      (mechanism) =>
        mechanism.details.kind === 'adequacy_scope' &&
        mechanism.details.scopeCode === scope.code &&
        mechanismProblems(mechanism, question).length === 0,
    );
    if (question.recipientScopes.includes(scope.code) || recorded) {
      reasons.push({
        code: 'adequacy_scope_confirmed',
        text: `An adequacy decision for ${decision.name} is in force on ${date}, and the recipient is confirmed within its scope: ${scope.text}`,
        ref,
      });
      return {
        ...base,
        outcome: 'allowed',
        reasons,
        adequacy,
        mechanismsInPlace: recorded
          ? [{ id: recorded.id, kind: 'adequacy_scope', valid: true, problems: [] }]
          : [],
      };
    }
    scopeToConfirm = decision;
    reasons.push({
      code: 'adequacy_scope_not_confirmed',
      text: `The adequacy decision for ${decision.name} covers only part of it (${scope.text}); the recipient is not confirmed within that scope, so another mechanism is needed.`,
      ref,
    });
  } else if (finding.status === 'ended') {
    reasons.push({
      code: 'adequacy_ended',
      text: `The adequacy decision for ${finding.decision.name} ended on ${finding.decision.endsOn} and no renewal in force on ${date} is in the data.`,
      ref: `GDPR Art. 45(5); ${finding.decision.instrument}`,
    });
  } else if (finding.status === 'not_yet_in_force') {
    reasons.push({
      code: 'adequacy_not_yet_in_force',
      text: `The adequacy decision for ${finding.decision.name} applies from ${finding.decision.inForce}, after ${date}.`,
      ref: `GDPR Art. 45; ${finding.decision.instrument}`,
    });
  } else {
    reasons.push({
      code: 'no_adequacy',
      text: `No adequacy decision covers ${target} on ${date}.`,
      ref: 'GDPR Art. 45',
    });
  }

  const inPlace: MechanismInPlace[] = [];
  const relevant = mechanisms.filter((mechanism) => mechanism.details.kind !== 'adequacy_scope');
  for (const mechanism of relevant) {
    const problems = mechanismProblems(mechanism, question);
    inPlace.push({
      id: mechanism.id,
      kind: mechanism.details.kind,
      valid: problems.length === 0,
      problems: problems.map((p) => p.code),
    });
    reasons.push(...problems);
    if (mechanism.details.kind === 'derogation' && (mechanism.details.regular || question.regular)) {
      warnings.push({
        code: 'derogation_occasional_only',
        text: `A derogation (${mechanism.details.ground.replaceAll('_', ' ')}) is relied on for a regular flow; derogations suit occasional transfers only.`,
        ref: 'GDPR Art. 49(1); EDPB Guidelines 2/2018, section 2.1',
      });
    }
  }
  const decided = {
    ...base,
    adequacy,
    applicableMechanisms: applicableMechanisms(question, scopeToConfirm),
    mechanismsInPlace: inPlace,
  };
  const valid = inPlace.find((mechanism) => mechanism.valid);
  if (valid) {
    reasons.push({
      code: 'mechanism_in_place',
      text: `A valid ${valid.kind.replaceAll('_', ' ')} is in place for this recipient.`,
      ref: valid.kind === 'derogation' ? 'GDPR Art. 49(1)' : 'GDPR Art. 46',
    });
    return { ...decided, outcome: 'allowed_with_mechanism', reasons };
  }
  if (policy?.requireMechanismInPlace) {
    reasons.push({
      code: 'no_valid_mechanism_in_place',
      text: 'The residency policy requires a valid mechanism in place for the recipient, and none is.',
      ref: `residency policy “${policy.name}”; GDPR Art. 44`,
    });
    return { ...decided, outcome: 'refused', reasons };
  }
  reasons.push({
    code: 'mechanism_required',
    text: 'The transfer may go ahead only on one of the mechanisms listed.',
    ref: 'GDPR Art. 44, Art. 46, Art. 49',
  });
  return { ...decided, outcome: 'allowed_with_mechanism', reasons };
}
