import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { MetricValue, Period } from './metrics.js';
import { round1 } from './metrics.js';
import type { ReportStore } from './report-store.js';

const dayMs = 86_400_000;
const iso = (at: Date | null | undefined) => (at ? at.toISOString() : null);
const rate = (part: number, whole: number) => (whole === 0 ? null : round1((part / whole) * 100));

/** What the report reads from other modules, each through what the wiring hands in. */
export type ReportSources = {
  organization: () => Promise<string>;
  dataMap: () => Promise<{
    activities: { name: string; role: string; purposeKeys: string[] }[];
    processors: { name: string; role: string; dpa: { reviewAt: string | null } | null }[];
    purposes: { key: string; name: string; legalBasis: string }[];
    systems: { id: string; name: string }[];
  }>;
  training: (at: Date) => Promise<{
    courses: { title: string; required: number; current: number; completionRate: number | null }[];
    overall: { required: number; current: number; completionRate: number | null };
  }>;
  audits: (at: Date) => Promise<{
    audits: {
      auditor: string;
      scope: string;
      startedAt: Date;
      endedAt: Date | null;
      reference: string | null;
    }[];
    openFindings: { title: string; severity: string; owner: string; dueAt: Date | null }[];
  }>;
  policies: () => Promise<{ title: string; version: string; overdue: boolean; daysPastReview: number }[]>;
  accessReviews: () => Promise<{ title: string; status: string; completedAt: Date | null; items: number }[]>;
  retentionRuns: (
    period: Period,
  ) => Promise<{ kind: string; status: string; startedAt: Date; records: number }[]>;
  /**
   * The requests module's late-requests analysis: per right, the downstream systems whose tasks finished
   * after the deadline of requests closed late in the period.
   */
  lateRequests: (period: Period) => Promise<{ right: string; systemId: string; requests: number }[]>;
  /** DPIAs due and done: the assessments module's, "not tracked" until it is installed. */
  assessments?: (period: Period) => Promise<{ due: number; done: number; overdue: number }>;
  metrics: (period: Period) => Promise<{ key: string; label: string; unit: string; value: MetricValue }[]>;
};

export type Recommendation = {
  rule: string;
  severity: 'high' | 'medium' | 'low';
  text: string;
  /** The numbers that triggered it. */
  figures: Record<string, number | string>;
};

/** The sections, in the seed's order; each is computed from its source. */
export const reportSections = [
  'period',
  'processingActivities',
  'requests',
  'breaches',
  'consent',
  'training',
  'audits',
  'assessments',
  'retention',
  'policies',
  'accessReviews',
  'metrics',
] as const;

type Deps = { db: Kysely<DB>; store: ReportStore; sources: ReportSources };

/** Builds the compliance report's sections for a period, reporting progress after each. */
export function complianceReportBuilder({ db, store, sources }: Deps) {
  async function requests(period: Period) {
    const [received, closed, rejections, lateBySystem, overdueOpen, map] = await Promise.all([
      store.requestsReceived(db, period.from, period.to),
      store.requestsClosed(db, period.from, period.to),
      store.rejectionsByReason(db, period.from, period.to),
      sources.lateRequests(period),
      store.openOverdue(db, period.to),
      sources.dataMap(),
    ]);
    const names = new Map(map.systems.map((system) => [system.id, system.name]));
    const sum = (pick: (row: (typeof closed)[number]) => number) =>
      closed.reduce((a, row) => a + pick(row), 0);
    const completed = sum((row) => row.completed);
    const meanHours =
      completed === 0 ? null : round1(sum((row) => (row.mean_hours ?? 0) * row.completed) / completed);
    return {
      byRight: closed.map((row) => ({
        right: row.type,
        received: received.find((entry) => entry.type === row.type)?.received ?? 0,
        closed: row.closed,
        onTime: row.on_time,
        late: row.late,
        lateRate: rate(row.late, row.closed),
        extended: row.extended,
        meanHours: row.mean_hours === null ? null : round1(row.mean_hours),
        p90Hours: row.p90_hours === null ? null : round1(row.p90_hours),
      })),
      received: received.reduce((a, row) => a + row.received, 0),
      closed: sum((row) => row.closed),
      onTime: sum((row) => row.on_time),
      late: sum((row) => row.late),
      onTimeRate: rate(
        sum((row) => row.on_time),
        sum((row) => row.closed),
      ),
      extended: sum((row) => row.extended),
      meanHours,
      rejectionsByReason: rejections,
      lateBySystem: lateBySystem.map((row) => ({
        right: row.right,
        system: names.get(row.systemId) ?? 'a removed system',
        requests: row.requests,
      })),
      overdueOpenAtEnd: overdueOpen,
    };
  }

  async function breaches(period: Period) {
    const rows = await store.breachesIn(db, period.from, period.to);
    const items = rows.map((row) => {
      const notification =
        row.notify_authority === false
          ? 'not_required'
          : row.authority_notified_at
            ? row.authority_notified_at.getTime() <= row.deadline_at.getTime()
              ? 'on_time'
              : 'late'
            : 'pending';
      return {
        title: row.title,
        status: row.status,
        severity: row.severity,
        awareAt: iso(row.aware_at),
        authorityNotifiedAt: iso(row.authority_notified_at),
        notification,
      };
    });
    const count = (kind: string) => items.filter((item) => item.notification === kind).length;
    return {
      total: items.length,
      notifiedOnTime: count('on_time'),
      notifiedLate: count('late'),
      pending: count('pending'),
      notRequired: count('not_required'),
      items,
    };
  }

  async function consent(period: Period) {
    const [rows, map] = await Promise.all([
      store.consentByPurpose(db, period.from, period.to),
      sources.dataMap(),
    ]);
    const names = new Map(map.purposes.map((purpose) => [purpose.key, purpose.name]));
    const grants = rows.reduce((a, row) => a + row.grants, 0);
    const withdrawals = rows.reduce((a, row) => a + row.withdrawals, 0);
    return {
      grants,
      withdrawals,
      withdrawalRate: rate(withdrawals, grants + withdrawals),
      byPurpose: rows.map((row) => ({
        purpose: names.get(row.purpose) ?? row.purpose,
        grants: row.grants,
        withdrawals: row.withdrawals,
      })),
    };
  }

  async function processingActivities(period: Period) {
    const map = await sources.dataMap();
    const bases = new Map(map.purposes.map((purpose) => [purpose.key, purpose.legalBasis]));
    const processors = map.processors.filter((p) => p.role === 'processor' || p.role === 'sub_processor');
    const today = period.to.toISOString().slice(0, 10);
    return {
      count: map.activities.length,
      activities: map.activities.map((activity) => ({
        name: activity.name,
        role: activity.role,
        legalBases: [...new Set(activity.purposeKeys.map((key) => bases.get(key) ?? 'unknown'))],
      })),
      processors: processors.length,
      processorsWithoutValidDpa: processors
        .filter((p) => !p.dpa || (p.dpa.reviewAt !== null && p.dpa.reviewAt < today))
        .map((p) => p.name),
    };
  }

  /** Every section, in order; `progress` is told the share done after each. */
  async function build(period: Period, progress: (percent: number) => Promise<void>) {
    const days = Math.round((period.to.getTime() - period.from.getTime()) / dayMs);
    const steps: [string, () => Promise<unknown>][] = [
      ['period', async () => ({ from: iso(period.from), to: iso(period.to), days })],
      ['processingActivities', () => processingActivities(period)],
      ['requests', () => requests(period)],
      ['breaches', () => breaches(period)],
      ['consent', () => consent(period)],
      ['training', () => sources.training(period.to)],
      ['audits', () => sources.audits(period.to)],
      [
        'assessments',
        async () =>
          sources.assessments
            ? { tracked: true, ...(await sources.assessments(period)) }
            : { tracked: false },
      ],
      ['retention', async () => ({ runs: await sources.retentionRuns(period) })],
      [
        'policies',
        async () => {
          const all = await sources.policies();
          return { total: all.length, overdue: all.filter((policy) => policy.overdue) };
        },
      ],
      [
        'accessReviews',
        async () => {
          const all = await sources.accessReviews();
          const completed = all.filter((review) => review.completedAt);
          return {
            campaigns: all,
            lastCompletedAt: iso(
              completed.map((r) => r.completedAt as Date).sort((a, b) => b.getTime() - a.getTime())[0],
            ),
            open: all.filter((review) => review.status === 'open').length,
          };
        },
      ],
      ['metrics', () => sources.metrics(period)],
    ];
    const sections: Record<string, unknown> = {};
    for (const [index, [name, compute]] of steps.entries()) {
      sections[name] = await compute();
      await progress(Math.round(((index + 1) / (steps.length + 1)) * 100));
    }
    return { organization: await sources.organization(), sections };
  }

  return { build };
}
