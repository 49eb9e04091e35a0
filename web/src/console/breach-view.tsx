import type { Schemas } from '../shared/api-types';
import { Badge } from '../shared/ui';

export type Breach = {
  id: string;
  title: string;
  status: 'suspected' | 'confirmed' | 'contained' | 'closed' | 'dismissed';
  statusReason: string | null;
  awareAt: string;
  deadlineAt: string;
  clock: { msLeft: number; overdue: boolean; stopped: boolean };
  discovery: string;
  alertId: string | null;
  facts: Record<string, unknown>;
  assessment: {
    factors: Record<string, unknown>;
    proposal: {
      score: number;
      severity: string;
      notifyAuthority: boolean;
      notifyIndividuals: boolean;
      reasons: string[];
    };
  } | null;
  decision: { severity: string; overridden: string[]; justification?: string } | null;
  severity: string | null;
  notifyAuthority: boolean | null;
  notifyIndividuals: boolean | null;
  lateReasons: string | null;
  authorityNotifiedAt: string | null;
  individualNotice: { subject: string; startedAt: string } | null;
  publicCommunication: Record<string, string> | null;
  lessonsLearned: string | null;
  createdAt: string;
};

export type Progress = Schemas['BreachNoticeProgress'];

/** Typed against the generated API types, so a new status or severity must be named here. */
export const breachStatusLabels: Record<Schemas['Breach']['status'], string> = {
  suspected: 'Suspected',
  confirmed: 'Confirmed',
  contained: 'Contained',
  closed: 'Closed',
  dismissed: 'Dismissed',
};

export const severityLevelLabels: Record<NonNullable<Schemas['Breach']['severity']>, string> = {
  low: 'Low',
  medium: 'Medium',
  high: 'High',
  critical: 'Critical',
};

/** "2 d 5 h left", "3 h 10 min overdue", or "stopped". */
export function clockText(clock: Breach['clock']): string {
  const minutes = Math.floor(Math.abs(clock.msLeft) / 60_000);
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const span = days > 0 ? `${days} d ${hours} h` : `${hours} h ${minutes % 60} min`;
  if (clock.stopped) return clock.overdue ? `Notified ${span} late` : 'Clock stopped';
  return clock.overdue ? `${span} overdue` : `${span} left`;
}

export function ClockBadge({ clock }: { clock: Breach['clock'] }) {
  const tone = clock.stopped
    ? 'neutral'
    : clock.overdue || clock.msLeft < 6 * 3_600_000
      ? 'danger'
      : 'warning';
  return <Badge tone={tone}>{clockText(clock)}</Badge>;
}

/** A breach as `GET /v1/breaches/{id}` gives it: with tasks, affected set, progress and notice versions. */
export type BreachDetail = {
  breach: Breach;
  tasks: { id: string; title: string; owner: string; status: string }[];
  affected: { subjects: number; fields: string[]; kinds: string[] };
  progress: Progress;
  notices: {
    version: number;
    phase: string;
    createdAt: string;
    submittedAt: string | null;
    submissionReference: string | null;
  }[];
};

/** Select options from codes, shown with spaces for underscores. */
export const optionsOf = (values: readonly string[]) =>
  values.map((value) => ({ value, label: value.replace('_', ' ') }));

/** A local date-time input's value as an ISO instant. */
export const instantOf = (local: string) => new Date(local).toISOString();
