/**
 * DPIA screening (GDPR Art. 35(1), (3); EDPB/WP248 rev.01): the nine criteria of processing "likely to
 * result in a high risk" and the seed's trigger criteria, evaluated for one activity as the data map
 * resolves it. What the map can tell is derived (special categories from the linked collections' data
 * categories, automated decisions from the purposes, large scale from subject counts, vulnerable
 * subjects from the subject types, transfers from the derived transfers); the rest is asked and the
 * person's answer is kept. Two or more criteria met: a DPIA is required (WP248: "in most cases").
 */
import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import { isSpecialCategory } from '../consent/consent-rules.js';
import type { ResolvedActivity } from '../inventory/inventory-resolve.js';

export const criteria = [
  'evaluation_scoring',
  'automated_decisions',
  'systematic_monitoring',
  'sensitive_data',
  'large_scale',
  'matching_datasets',
  'vulnerable_subjects',
  'innovative_technology',
  'prevents_rights',
] as const;
export type Criterion = (typeof criteria)[number];

export const criterionLabels: Record<Criterion, string> = {
  evaluation_scoring: 'Evaluation or scoring, including profiling and predicting',
  automated_decisions: 'Automated decision-making with legal or similarly significant effect',
  systematic_monitoring: 'Systematic monitoring',
  sensitive_data: 'Sensitive data or data of a highly personal nature',
  large_scale: 'Data processed on a large scale',
  matching_datasets: 'Matching or combining datasets',
  vulnerable_subjects: 'Data concerning vulnerable data subjects',
  innovative_technology: 'Innovative use or application of new technological or organisational solutions',
  prevents_rights: 'Processing that prevents data subjects from exercising a right or using a service',
};

/** The seed's trigger criteria for a DPIA. */
export const triggers = [
  'new_processing_activity',
  'high_risk_processing',
  'systematic_monitoring',
  'special_category_data',
  'automated_decision_making',
] as const;
export type Trigger = (typeof triggers)[number];

export type Answer = { met: boolean; note: string };
export type ScreeningAnswers = {
  criteria: Partial<Record<Criterion, Answer>>;
  /** The number of data subjects a person expects, for an activity whose collections cannot tell. */
  estimatedSubjects: number | null;
};

export type CriterionResult = {
  key: Criterion;
  label: string;
  /** Null while it is neither derivable nor answered. */
  met: boolean | null;
  source: 'derived' | 'answered' | 'unanswered';
  reasons: string[];
};

export type TriggerResult = { key: Trigger; met: boolean; reasons: string[] };

export type ScreeningOutcome = 'required' | 'not_required' | 'incomplete';

export type ScreeningResult = {
  outcome: ScreeningOutcome;
  metCount: number;
  criteria: CriterionResult[];
  triggers: TriggerResult[];
  /** The facts derived from the data map that the result rests on. */
  facts: {
    specialCategories: string[];
    automatedPurposes: string[];
    subjects: number | null;
    transfers: { country: string; safeguard: string | null }[];
  };
};

/** What the map says besides the resolved activity: how many subjects its collections hold. */
export type ScreeningContext = {
  subjectCount: number | null;
  largeScaleThreshold: number;
  /** Whether the activity has not been screened before in this form (new, proposed, or changed). */
  isNew: boolean;
};

const vulnerableSubjects = ['employee', 'job_applicant', 'trainee', 'patient', 'citizen_voter'];
const highlyPersonal = ['user.criminal_history'];
const childrenCategory = 'user.childrens';
const profilingUses = ['marketing.advertising.profiling', 'personalize'];

const within = (key: string, root: string) => key === root || key.startsWith(`${root}.`);

function derive(
  resolved: ResolvedActivity,
  context: ScreeningContext,
): Partial<Record<Criterion, { met: boolean; reasons: string[] }>> {
  const categories = resolved.dataCategories.map((entry) => entry.value);
  const subjects = resolved.dataSubjects.map((entry) => entry.value);
  const special = categories.filter(
    (key) => isSpecialCategory(key) || highlyPersonal.some((root) => within(key, root)),
  );
  const automated = resolved.purposes.filter((purpose) => purpose.automatedDecisions);
  const profiling = resolved.purposes.filter((purpose) =>
    purpose.dataUses.some(
      (use) => profilingUses.some((root) => within(use, root)) || use.endsWith('.targeted'),
    ),
  );
  const vulnerable = subjects.filter((key) => vulnerableSubjects.includes(key));
  const children = categories.filter((key) => within(key, childrenCategory));
  const derived: Partial<Record<Criterion, { met: boolean; reasons: string[] }>> = {
    sensitive_data: special.length
      ? { met: true, reasons: special.map((key) => `special or highly personal category ${key}`) }
      : { met: false, reasons: ['no special category in the linked collections, systems or purposes'] },
    automated_decisions: automated.length
      ? { met: true, reasons: automated.map((purpose) => `purpose ${purpose.key} makes automated decisions`) }
      : { met: false, reasons: ['no linked purpose makes automated decisions'] },
    vulnerable_subjects:
      vulnerable.length || children.length
        ? {
            met: true,
            reasons: [
              ...vulnerable.map((key) => `data subjects: ${key}`),
              ...children.map((key) => `children's data: ${key}`),
            ],
          }
        : { met: false, reasons: ['no vulnerable subject type in the map'] },
  };
  if (profiling.length)
    derived.evaluation_scoring = {
      met: true,
      reasons: profiling.map((purpose) => `purpose ${purpose.key} is used for profiling or personalization`),
    };
  if (context.subjectCount !== null && context.subjectCount > 0)
    derived.large_scale = {
      met: context.subjectCount >= context.largeScaleThreshold,
      reasons: [
        context.subjectCount >= context.largeScaleThreshold
          ? `at least ${context.largeScaleThreshold} data subjects in the linked collections (large scale from ${context.largeScaleThreshold})`
          : `${context.subjectCount} data subjects in the linked collections (large scale from ${context.largeScaleThreshold})`,
      ],
    };
  return derived;
}

function largeScaleAnswer(answers: ScreeningAnswers, context: ScreeningContext): Answer | undefined {
  if (answers.estimatedSubjects === null) return undefined;
  const met = answers.estimatedSubjects >= context.largeScaleThreshold;
  return { met, note: `about ${answers.estimatedSubjects} data subjects expected` };
}

/** Screens one resolved activity with the answers given; pure, so the same facts give the same result. */
export function screen(
  resolved: ResolvedActivity,
  answers: ScreeningAnswers,
  context: ScreeningContext,
): ScreeningResult {
  const derived = derive(resolved, context);
  const results = criteria.map((key): CriterionResult => {
    const fromMap = derived[key];
    const label = criterionLabels[key];
    // A fact of the map that meets a criterion stands; an answer can add what the map cannot show.
    if (fromMap?.met) return { key, label, met: true, source: 'derived', reasons: fromMap.reasons };
    const answer =
      answers.criteria[key] ?? (key === 'large_scale' ? largeScaleAnswer(answers, context) : undefined);
    if (answer)
      return { key, label, met: answer.met, source: 'answered', reasons: answer.note ? [answer.note] : [] };
    if (fromMap) return { key, label, met: false, source: 'derived', reasons: fromMap.reasons };
    return { key, label, met: null, source: 'unanswered', reasons: [] };
  });
  const metCount = results.filter((result) => result.met === true).length;
  const open = results.filter((result) => result.met === null).length;
  const outcome: ScreeningOutcome =
    metCount >= 2 ? 'required' : metCount + open >= 2 ? 'incomplete' : 'not_required';
  const transfers = resolved.transfers.map(({ country, safeguard }) => ({ country, safeguard }));
  const byKey = new Map(results.map((result) => [result.key, result]));
  const specialCategories = resolved.dataCategories.map((entry) => entry.value).filter(isSpecialCategory);
  const automatedPurposes = resolved.purposes
    .filter((purpose) => purpose.automatedDecisions)
    .map((p) => p.key);
  const unsafeguarded = transfers.filter((transfer) => !transfer.safeguard);
  return {
    outcome,
    metCount,
    criteria: results,
    triggers: [
      {
        key: 'new_processing_activity',
        met: context.isNew,
        reasons: context.isNew
          ? ['the activity is new, proposed, or changed since it was last screened']
          : [],
      },
      {
        key: 'high_risk_processing',
        met: outcome === 'required',
        reasons: [
          `${metCount} of nine criteria met`,
          ...unsafeguarded.map((transfer) => `transfer to ${transfer.country} without a recorded safeguard`),
        ],
      },
      {
        key: 'systematic_monitoring',
        met: byKey.get('systematic_monitoring')?.met === true,
        reasons: byKey.get('systematic_monitoring')?.reasons ?? [],
      },
      {
        key: 'special_category_data',
        met: specialCategories.length > 0,
        reasons: specialCategories.map((key) => `special category ${key} (Art. 9)`),
      },
      {
        key: 'automated_decision_making',
        met: automatedPurposes.length > 0,
        reasons: automatedPurposes.map((key) => `purpose ${key} (Art. 22)`),
      },
    ],
    facts: { specialCategories, automatedPurposes, subjects: context.subjectCount, transfers },
  };
}

/**
 * The fingerprint of what a screening and an approved DPIA rest on: the activity's facts as the map
 * resolves them, without timestamps, so only a change of substance changes it.
 */
export function activityFingerprint(resolved: ResolvedActivity, largeScale: boolean | null): string {
  const sorted = (values: string[]) => [...new Set(values)].sort();
  const facts = {
    name: resolved.activity.name,
    description: resolved.activity.description,
    role: resolved.activity.role,
    categories: sorted(resolved.dataCategories.map((entry) => entry.value)),
    subjects: sorted(resolved.dataSubjects.map((entry) => entry.value)),
    purposes: resolved.purposes
      .map((purpose) => ({
        key: purpose.key,
        legalBasis: purpose.legalBasis,
        uses: sorted(purpose.dataUses),
        automated: purpose.automatedDecisions,
      }))
      .sort((a, b) => a.key.localeCompare(b.key)),
    recipients: sorted(
      resolved.recipients.map((recipient) => `${recipient.processorId}:${recipient.country}`),
    ),
    recipientCategories: sorted(resolved.recipientCategories),
    transfers: sorted(
      resolved.transfers.map((transfer) => `${transfer.country}:${transfer.safeguard ?? ''}`),
    ),
    retention: sorted(resolved.retention.map((entry) => `${entry.name}:${entry.period ?? ''}`)),
    retentionNote: resolved.retentionNote,
    measures: sorted(resolved.measures.map((measure) => measure.id)),
    largeScale,
  };
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}
