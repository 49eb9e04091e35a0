/** A DPIA as the service hands it out: its content, progress, chain state, sign-offs and review state. */
import type { ChainStep } from './approval-chain.js';
import type { ConsultationRecord, PriorConsultation, Risk, RiskLevel, SectionKey, Sections } from './dpia.js';

export type SignOff = {
  version: number;
  round: number;
  stepKey: string;
  role: string;
  decision: 'approved' | 'rejected';
  comment: string;
  actor: { type: string; id: string | null };
  at: Date;
};

export type ScoredRisk = Risk & { inherentLevel: RiskLevel | null; residualLevel: RiskLevel | null };

export type Assessment = {
  id: string;
  activityId: string | null;
  screeningId: string | null;
  title: string;
  status: 'draft' | 'in_review' | 'approved';
  version: number;
  sections: Sections;
  progress: Record<SectionKey, boolean>;
  risks: ScoredRisk[];
  consultation: ConsultationRecord | null;
  priorConsultation: {
    required: boolean;
    record: PriorConsultation | null;
    answerDue: string | null;
    extendedDue: string | null;
  };
  chain: (ChainStep & { state: 'done' | 'current' | 'pending' })[];
  signOffs: SignOff[];
  /** Why the approved DPIA must be reviewed; null when it need not be. */
  reviewReason: string | null;
  reviewDue: string | null;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
};

/** What a frozen version holds. */
export type Snapshot = {
  version: number;
  title: string;
  activityId: string | null;
  sections: Sections;
  risks: ScoredRisk[];
  consultation: ConsultationRecord | null;
  priorConsultation: Assessment['priorConsultation'];
  chain: Assessment['chain'];
  signOffs: SignOff[];
  approvedAt: string;
  reviewDue: string | null;
};

/** The compliance dashboard's view: DPIAs due, done and overdue for review. */
export type AssessmentSummary = {
  /** Activities whose screening requires a DPIA that has no approved one. */
  due: number;
  /** Screenings still waiting for answers before they can tell. */
  screeningsIncomplete: number;
  drafts: number;
  inReview: number;
  /** Approved and current. */
  done: number;
  /** Approved, but the activity changed since. */
  flaggedForReview: number;
  /** Any status, whose processing activity was deleted from the data map (link or revise it). */
  activityDeleted: number;
  reviewOverdue: number;
  reviewDueSoon: number;
};
