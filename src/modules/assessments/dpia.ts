/**
 * The content of a DPIA (Art. 35(7)): the seed's seven components as sections pre-filled from the data
 * map, the risk register on a 4 × 4 likelihood × severity scale, the data subjects' consultation (Art.
 * 35(9)) and the prior consultation of the supervisory authority (Art. 36), with its 8 + 6 week periods.
 */
import type { ResolvedActivity } from '../inventory/inventory-resolve.js';
import { categoryLabel, legalBasisLabel, periodText, subjectName } from '../inventory/labels.js';

export const sectionKeys = [
  'systematic_description',
  'purposes_and_interests',
  'necessity_and_proportionality',
  'privacy_risks',
  'mitigation_measures',
  'safeguards_and_security',
  'consultation_results',
] as const;
export type SectionKey = (typeof sectionKeys)[number];

export const sectionTitles: Record<SectionKey, string> = {
  systematic_description: '1. Systematic description of the processing',
  purposes_and_interests: '2. Purposes and legitimate interests',
  necessity_and_proportionality: '3. Necessity and proportionality',
  privacy_risks: '4. Risks to the rights and freedoms of data subjects',
  mitigation_measures: '5. Measures envisaged to address the risks',
  safeguards_and_security: '6. Safeguards and security measures',
  consultation_results: '7. Views of data subjects or their representatives',
};

/** A section: the facts derived from the map when it was pre-filled, and the text a person edits. */
export type Section = { text: string; derived: string[]; complete: boolean };
export type Sections = Record<SectionKey, Section>;

export const riskKinds = ['illegitimate_access', 'unwanted_modification', 'disappearance', 'custom'] as const;
export type RiskKind = (typeof riskKinds)[number];
export const riskKindLabels: Record<RiskKind, string> = {
  illegitimate_access: 'Illegitimate access to data',
  unwanted_modification: 'Unwanted modification of data',
  disappearance: 'Disappearance of data',
  custom: 'Other risk',
};

export type Mitigation = {
  id: string;
  /** A security measure of the data map; null for a new measure, which then has an owner and a due date. */
  measureId: string | null;
  title: string;
  owner: string;
  /** YYYY-MM-DD. */
  dueDate: string | null;
  status: 'planned' | 'implemented';
};

export type Risk = {
  id: string;
  kind: RiskKind;
  title: string;
  description: string;
  /** 1 (negligible) … 4 (maximum); null while not yet scored. */
  likelihood: number | null;
  severity: number | null;
  residualLikelihood: number | null;
  residualSeverity: number | null;
  mitigations: Mitigation[];
};

export type RiskLevel = 'low' | 'medium' | 'high';

/** Likelihood × severity: 1–3 low, 4–6 medium, 8 and more high (both at least "significant" or one maximal). */
export function riskLevel(likelihood: number | null, severity: number | null): RiskLevel | null {
  if (likelihood === null || severity === null) return null;
  const score = likelihood * severity;
  return score >= 8 ? 'high' : score >= 4 ? 'medium' : 'low';
}

/** Art. 36(1): a residual risk that stays high after the measures requires the authority's prior consultation. */
export function priorConsultationRequired(risks: readonly Risk[]): boolean {
  return risks.some((risk) => riskLevel(risk.residualLikelihood, risk.residualSeverity) === 'high');
}

export type ConsultationRecord = {
  consulted: boolean;
  /** Who was consulted (groups or representatives, never named individuals) and how; or why not. */
  who: string;
  how: string;
  results: string;
  whyNot: string;
};

export type PriorConsultation = {
  authority: string;
  /** YYYY-MM-DD the consultation was submitted. */
  submittedOn: string | null;
  reference: string;
  /** The authority's written advice, and when it came. */
  answer: string;
  answeredOn: string | null;
  /** Whether the authority extended its period by six weeks (Art. 36(2)), having said so within the first eight. */
  extended: boolean;
};

/** The authority's periods (Art. 36(2)): advice within 8 weeks of the request, extendable by 6. */
export function priorConsultationDates(submittedOn: string | null): {
  answerDue: string | null;
  extendedDue: string | null;
} {
  if (!submittedOn) return { answerDue: null, extendedDue: null };
  const start = new Date(`${submittedOn}T00:00:00Z`);
  const plusWeeks = (weeks: number) =>
    new Date(start.getTime() + weeks * 7 * 86_400_000).toISOString().slice(0, 10);
  return { answerDue: plusWeeks(8), extendedDue: plusWeeks(14) };
}

const lines = (items: string[], none: string) => (items.length ? items : [none]);

/** The seven sections pre-filled from what the data map says of the activity. */
export function prefilledSections(resolved: ResolvedActivity | null, proposedDescription: string): Sections {
  const description = resolved?.activity.description || proposedDescription;
  const categories = resolved?.dataCategories.map((entry) => categoryLabel(entry.value)) ?? [];
  const subjects = resolved?.dataSubjects.map((entry) => subjectName(entry.value)) ?? [];
  const purposes =
    resolved?.purposes.map(
      (purpose) =>
        `${purpose.name}: ${purpose.legalBasis ? legalBasisLabel(purpose.legalBasis) : 'no legal basis recorded'}${
          purpose.automatedDecisions ? ' (automated decisions)' : ''
        }`,
    ) ?? [];
  const recipients = [
    ...(resolved?.recipients.map(
      (recipient) => `${recipient.name} (${recipient.role}, ${recipient.country})`,
    ) ?? []),
    ...(resolved?.recipientCategories ?? []),
  ];
  const retention = [
    ...(resolved?.retention.map(
      (entry) =>
        `${entry.name}: ${entry.period ? periodText(entry.period) : 'period not set'} (${entry.scope})`,
    ) ?? []),
    ...(resolved?.retentionNote ? [resolved.retentionNote] : []),
  ];
  const transfers =
    resolved?.transfers.map(
      (transfer) => `${transfer.country}: ${transfer.safeguard ?? 'no safeguard recorded'}`,
    ) ?? [];
  const measures =
    resolved?.measures.map((measure) => `${measure.name} (${measure.kind}): ${measure.description}`) ?? [];
  const describe: string[] = [
    ...lines(categories, 'No data categories in the map').map((line) => `Data category: ${line}`),
    ...lines(subjects, 'No data subject types in the map').map((line) => `Data subjects: ${line}`),
    ...lines(recipients, 'No recipients').map((line) => `Recipient: ${line}`),
    ...lines(retention, 'No retention recorded').map((line) => `Retention: ${line}`),
    ...lines(transfers, 'No transfers to third countries').map((line) => `Transfer: ${line}`),
  ];
  const section = (text: string, derived: string[]): Section => ({ text, derived, complete: false });
  return {
    systematic_description: section(description, describe),
    purposes_and_interests: section(
      '',
      lines(purposes, 'No purposes linked in the map').map((line) => `Purpose: ${line}`),
    ),
    necessity_and_proportionality: section('', [
      ...lines(retention, 'No retention recorded').map((line) => `Retention: ${line}`),
      ...categories.map((line) => `Data category: ${line}`),
    ]),
    privacy_risks: section('', []),
    mitigation_measures: section('', []),
    safeguards_and_security: section('', [
      ...lines(measures, 'No security measures linked in the map').map((line) => `Measure: ${line}`),
      ...transfers.map((line) => `Transfer safeguard: ${line}`),
    ]),
    consultation_results: section('', []),
  };
}

/** The three risks every DPIA considers (CNIL/ISO 29134 feared events), unscored. */
export function standardRisks(newId: () => string): Risk[] {
  return (['illegitimate_access', 'unwanted_modification', 'disappearance'] as const).map((kind) => ({
    id: newId(),
    kind,
    title: riskKindLabels[kind],
    description: '',
    likelihood: null,
    severity: null,
    residualLikelihood: null,
    residualSeverity: null,
    mitigations: [],
  }));
}

/** Which sections are done: text sections when marked complete, the register and consultation by their records. */
export function sectionProgress(
  sections: Sections,
  risks: readonly Risk[],
  consultation: ConsultationRecord | null,
): Record<SectionKey, boolean> {
  const scored =
    risks.length > 0 && risks.every((risk) => risk.likelihood !== null && risk.severity !== null);
  const treated =
    scored && risks.every((risk) => risk.residualLikelihood !== null && risk.residualSeverity !== null);
  const consulted =
    consultation !== null &&
    (consultation.consulted ? consultation.results.length > 0 : consultation.whyNot.length > 0);
  return {
    systematic_description: sections.systematic_description.complete,
    purposes_and_interests: sections.purposes_and_interests.complete,
    necessity_and_proportionality: sections.necessity_and_proportionality.complete,
    privacy_risks: scored && sections.privacy_risks.complete,
    mitigation_measures: treated && sections.mitigation_measures.complete,
    safeguards_and_security: sections.safeguards_and_security.complete,
    consultation_results: consulted && sections.consultation_results.complete,
  };
}
