/** The assessments API as the console reads it (see src/modules/assessments/assessment-schemas.ts). */
export type CriterionResult = {
  key: string;
  label: string;
  met: boolean | null;
  source: 'derived' | 'answered' | 'unanswered';
  reasons: string[];
};

export type Screening = {
  id: string;
  activityId: string | null;
  name: string;
  answers: { criteria: Record<string, { met: boolean; note: string }>; estimatedSubjects: number | null };
  result: {
    outcome: 'required' | 'not_required' | 'incomplete';
    metCount: number;
    criteria: CriterionResult[];
    triggers: { key: string; met: boolean; reasons: string[] }[];
    facts: {
      specialCategories: string[];
      automatedPurposes: string[];
      subjects: number | null;
      transfers: { country: string; safeguard: string | null }[];
    };
  };
  screenedAt: string;
};

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

export type Section = { text: string; derived: string[]; complete: boolean };

export type ChainStep = {
  key: string;
  name: string;
  role: string;
  onlyWhenPriorConsultation: boolean;
  state: 'done' | 'current' | 'pending';
};

export type SignOff = {
  version: number;
  round: number;
  stepKey: string;
  role: string;
  decision: 'approved' | 'rejected';
  comment: string;
  actor: { type: string; id: string | null };
  at: string;
};

export type Consultation = { consulted: boolean; who: string; how: string; results: string; whyNot: string };
export type PriorConsultation = {
  authority: string;
  submittedOn: string | null;
  reference: string;
  answer: string;
  answeredOn: string | null;
  extended: boolean;
};

export type Assessment = {
  id: string;
  activityId: string | null;
  screeningId: string | null;
  title: string;
  status: 'draft' | 'in_review' | 'approved';
  version: number;
  sections: Record<string, Section>;
  progress: Record<string, boolean>;
  risks: Risk[];
  consultation: Consultation | null;
  priorConsultation: {
    required: boolean;
    record: PriorConsultation | null;
    answerDue: string | null;
    extendedDue: string | null;
  };
  chain: ChainStep[];
  signOffs: SignOff[];
  reviewReason: string | null;
  reviewDue: string | null;
  createdAt: string;
  updatedAt: string;
};

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

export const outcomeLabels: Record<string, string> = {
  required: 'DPIA required',
  not_required: 'DPIA not required',
  incomplete: 'Answers needed',
};
export const outcomeTones: Record<string, string> = {
  required: 'danger',
  not_required: 'success',
  incomplete: 'warning',
};

export const statusLabels: Record<string, string> = {
  draft: 'Draft',
  in_review: 'In review',
  approved: 'Approved',
};

export const riskKindLabels: Record<string, string> = {
  illegitimate_access: 'Illegitimate access',
  unwanted_modification: 'Unwanted modification',
  disappearance: 'Disappearance',
  custom: 'Other',
};

export const levelTones: Record<string, string> = { low: 'success', medium: 'warning', high: 'danger' };
