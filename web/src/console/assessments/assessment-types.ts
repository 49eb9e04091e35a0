/** The assessments API as the console reads it: aliases of the SDK's generated types (../../shared/api-types). */
import type { ResponseOf } from '../../shared/api-types';

export type CriterionResult = Screening['result']['criteria'][number];

export type Screening = ResponseOf<'/v1/assessments/screenings/{id}'>;

/** A mitigation or risk as the editors hold it: a draft has no `id` until saved (saved ones: `Assessment`). */
export type Mitigation = {
  id?: string;
  measureId: string | null;
  title: string;
  owner: string;
  dueDate: string | null;
  status: 'planned' | 'implemented';
};

export type Risk = {
  id?: string;
  kind: 'illegitimate_access' | 'unwanted_modification' | 'disappearance' | 'custom';
  title: string;
  description: string;
  likelihood: number | null;
  severity: number | null;
  residualLikelihood: number | null;
  residualSeverity: number | null;
  inherentLevel?: 'low' | 'medium' | 'high' | null;
  residualLevel?: 'low' | 'medium' | 'high' | null;
  mitigations: Mitigation[];
};

export type Section = Assessment['sections'][string];

export type ChainStep = Assessment['chain'][number];

export type SignOff = Assessment['signOffs'][number];

export type Consultation = NonNullable<Assessment['consultation']>;
export type PriorConsultation = NonNullable<Assessment['priorConsultation']['record']>;

export type Assessment = ResponseOf<'/v1/assessments/{id}'>;

export type Snapshot = Omit<
  Assessment,
  'id' | 'status' | 'progress' | 'reviewReason' | 'createdAt' | 'updatedAt'
> & {
  approvedAt: string;
};

export const sectionTitles: Record<string, string> = {
  systematic_description: '1. Systematic description of the processing',
  purposes_and_interests: '2. Purposes and legitimate interests',
  necessity_and_proportionality: '3. Necessity and proportionality',
  privacy_risks: '4. Risks to the rights and freedoms of data subjects',
  mitigation_measures: '5. Measures envisaged to address the risks',
  safeguards_and_security: '6. Safeguards and security measures',
  consultation_results: '7. Views of data subjects or their representatives',
};

export const outcomeLabels: Record<Screening['result']['outcome'], string> = {
  required: 'DPIA required',
  not_required: 'DPIA not required',
  incomplete: 'Answers needed',
};
export const outcomeTones: Record<string, string> = {
  required: 'danger',
  not_required: 'success',
  incomplete: 'warning',
};

export const statusLabels: Record<Assessment['status'], string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
};

export const riskKindLabels: Record<Assessment['risks'][number]['kind'], string> = {
  illegitimate_access: 'Illegitimate access',
  unwanted_modification: 'Unwanted modification',
  disappearance: 'Disappearance',
  custom: 'Other',
};

export const levelTones: Record<string, string> = { low: 'success', medium: 'warning', high: 'danger' };
