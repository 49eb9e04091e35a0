import type { Severity } from './breach-tables.js';

/**
 * The risk assessment's proposal. The factors are those of the EDPB Guidelines 9/2022 on personal data
 * breach notification (section on assessing risk): the type of breach, the nature, sensitivity and volume
 * of the data, the ease of identifying individuals, the severity and permanence of the consequences, the
 * special characteristics of the individuals and their number. The score follows the ENISA methodology
 * the EDPB refers to (data processing context × ease of identification + circumstances of the breach),
 * then the consequences, vulnerable individuals and the number affected move the level. It proposes; the
 * DPO decides (see the register's `decide`).
 */
export const breachNatures = ['confidentiality', 'integrity', 'availability'] as const;
export type BreachNature = (typeof breachNatures)[number];

export const sensitivities = ['simple', 'behavioural', 'financial', 'special'] as const;
export const identifiabilities = ['negligible', 'limited', 'significant', 'maximum'] as const;
export const consequenceLevels = ['minimal', 'significant', 'severe', 'irreversible'] as const;

export type RiskFactors = {
  nature: BreachNature[];
  /** The most sensitive data involved: special categories (Art. 9, 10) are `special`. */
  sensitivity: (typeof sensitivities)[number];
  /** How easily the data identifies a person (a name and address: maximum; a pseudonymous id: limited). */
  identifiability: (typeof identifiabilities)[number];
  /** The worst likely consequence for the individuals, and how lasting it is. */
  consequences: (typeof consequenceLevels)[number];
  /** Children or other vulnerable individuals are among those affected. */
  vulnerableIndividuals: boolean;
  /** Someone acted with intent (theft, attack) rather than by error. */
  malicious: boolean;
  subjectsAffected: number;
  /**
   * Whether the exposed data was unintelligible to whoever got it: every field sealed and the keys not
   * in the incident (Art. 34(3)(a)). Taken from the vault's collection definitions, not typed in.
   */
  protection: 'sealed_keys_safe' | 'partly_sealed' | 'clear';
};

export type RiskProposal = {
  score: number;
  severity: Severity;
  /** Art. 33(1): required unless the breach is unlikely to result in a risk. */
  notifyAuthority: boolean;
  /** Art. 34(1): when the breach is likely to result in a high risk. */
  notifyIndividuals: boolean;
  reasons: string[];
};

const contextScore = { simple: 1, behavioural: 2, financial: 3, special: 4 } as const;
const identificationFactor = { negligible: 0.25, limited: 0.5, significant: 0.75, maximum: 1 } as const;
const levels: readonly Severity[] = ['low', 'medium', 'high', 'critical'];
/** More subjects than this moves the level up one: the EDPB's "the higher the number, the greater the impact". */
export const largeScaleSubjects = 1000;

function levelOfScore(score: number): Severity {
  if (score < 2) return 'low';
  if (score < 3) return 'medium';
  if (score < 4) return 'high';
  return 'critical';
}

const raise = (severity: Severity, by = 1): Severity =>
  levels[Math.min(levels.length - 1, levels.indexOf(severity) + by)] as Severity;
const atLeast = (severity: Severity, floor: Severity): Severity =>
  levels.indexOf(severity) >= levels.indexOf(floor) ? severity : floor;

/** The circumstances of the breach (ENISA "CB"): what was lost, and whether on purpose. */
function circumstances(factors: RiskFactors, reasons: string[]): number {
  let score = 0;
  if (factors.nature.includes('confidentiality')) {
    score += 0.5;
    reasons.push('Confidentiality was lost: the data may be in the hands of people who should not have it.');
  }
  if (factors.nature.includes('integrity')) {
    score += 0.5;
    reasons.push('Integrity was lost: the data may have been altered and used as if it were correct.');
  }
  if (factors.nature.includes('availability')) {
    score += 0.25;
    reasons.push('Availability was lost: the individuals may not get a service that depends on the data.');
  }
  if (factors.malicious) {
    score += 0.5;
    reasons.push('The breach was malicious, which makes misuse of the data more likely.');
  }
  return score;
}

/** Proposes the severity and the two notification decisions, with the reason for each step. */
export function proposeAssessment(factors: RiskFactors): RiskProposal {
  const reasons: string[] = [];
  const base = contextScore[factors.sensitivity] * identificationFactor[factors.identifiability];
  reasons.push(
    `The data (${factors.sensitivity}) and how easily it identifies people (${factors.identifiability}) score ${base}.`,
  );
  const score = Math.round((base + circumstances(factors, reasons)) * 100) / 100;
  let severity = levelOfScore(score);
  reasons.push(`Score ${score} gives ${severity} severity before the consequences are weighed.`);

  if (factors.consequences === 'irreversible') {
    severity = atLeast(severity, 'critical');
    reasons.push('The consequences may be irreversible: at least critical.');
  } else if (factors.consequences === 'severe') {
    severity = atLeast(severity, 'high');
    reasons.push('The consequences may be severe: at least high.');
  } else if (factors.consequences === 'significant') {
    severity = atLeast(severity, 'medium');
    reasons.push('The consequences may be significant: at least medium.');
  }
  if (factors.vulnerableIndividuals) {
    severity = raise(severity);
    reasons.push('Children or other vulnerable individuals are affected: one level higher.');
  }
  if (factors.subjectsAffected > largeScaleSubjects) {
    severity = raise(severity);
    reasons.push(`More than ${largeScaleSubjects} individuals are affected: one level higher.`);
  }

  if (factors.protection === 'sealed_keys_safe' && !factors.nature.includes('availability')) {
    reasons.push(
      'Every exposed field was sealed and its keys were not in the incident: the data is unintelligible to whoever got it (Art. 34(3)(a)), so the breach is unlikely to result in a risk.',
    );
    return { score, severity: 'low', notifyAuthority: false, notifyIndividuals: false, reasons };
  }
  if (factors.protection === 'partly_sealed') {
    reasons.push('Some exposed fields were stored in clear, so sealing does not lower the risk.');
  }

  const notifyAuthority = severity !== 'low';
  const notifyIndividuals = severity === 'high' || severity === 'critical';
  reasons.push(
    notifyAuthority
      ? 'The breach is likely to result in a risk: notify the supervisory authority (Art. 33(1)).'
      : 'The breach is unlikely to result in a risk: record it; no notification to the authority (Art. 33(1), 33(5)).',
  );
  reasons.push(
    notifyIndividuals
      ? 'The risk is high: tell the individuals without undue delay (Art. 34(1)).'
      : 'The risk is not high: the individuals need not be told (Art. 34(1)).',
  );
  return { score, severity, notifyAuthority, notifyIndividuals, reasons };
}
