import {
  type Baseline,
  type Moments,
  openSubjects,
  type RoleBaseline,
  standardDeviation,
  usualCeiling,
  type VolumeMetric,
  volumeMetrics,
  volumesOf,
} from './baseline.js';
import type { MonitoringSettings } from './monitoring-settings.js';

/**
 * Scores: one number in [0, 1] per principal and hour, from factors that each say how strongly (0–1)
 * something unusual was seen, weighted by how much it matters. Factors combine as independent pieces of
 * evidence (noisy-OR: score = 1 − Π(1 − weight·strength)), so one strong factor can carry a score and
 * several weak ones add up without ever passing 1. Each factor's contribution is its share of the score,
 * in proportion to −ln(1 − weight·strength), so the contributions add up to the score exactly.
 */
export const factorNames = [
  'volume',
  'peers',
  'new_network',
  'off_hours',
  'new_purpose',
  'breadth',
  'enumeration',
  'unmatched_requests',
  'failed_logins',
] as const;
export type FactorName = (typeof factorNames)[number];

export type Factor = { factor: FactorName; strength: number; contribution: number; words: string };
export type Score = { score: number; factors: Factor[] };

export type Exfiltration = {
  variant: 'fast' | 'slow';
  score: number;
  exportedRecords: number;
  normal: number;
  ratio: number;
  words: string;
};

/** Volumes below these are never unusual, however quiet the history. */
const floors: Record<VolumeMetric, number> = { reads: 20, reveals: 10, exportedRecords: 50, subjects: 10 };

const metricWords: Record<VolumeMetric, (count: string) => string> = {
  reads: (count) => `read personal data ${count} times`,
  reveals: (count) => `read records in clear ${count} times`,
  exportedRecords: (count) => `exported ${count} records`,
  subjects: (count) => `touched ${count} distinct subjects`,
};

// One formatter: toLocaleString builds a new one on every call, which the minute job would do thousands of times.
const grouped = new Intl.NumberFormat('en-GB', { maximumFractionDigits: 0 });
const number = (value: number) => grouped.format(Math.round(value));
const weekday = new Intl.DateTimeFormat('en-GB', { weekday: 'long', timeZone: 'UTC' });
const clamp = (value: number) => Math.min(1, Math.max(0, value));
/** 0 at the ceiling, 1 at eight times it. */
const overCeiling = (observed: number, ceiling: number) =>
  observed <= ceiling ? 0 : clamp(Math.log2(observed / ceiling) / 3);

function hourLabel(hour: number): string {
  return `${String(new Date(hour * 3_600_000).getUTCHours()).padStart(2, '0')}:00 UTC`;
}

type Found = { factor: FactorName; strength: number; words: string };

function volumeFactor(baseline: Baseline, observed: Record<VolumeMetric, number>): Found | undefined {
  let best: Found | undefined;
  for (const metric of volumeMetrics) {
    const moments = baseline.volume[metric];
    const ceiling = usualCeiling(moments, floors[metric]);
    const strength = overCeiling(observed[metric], ceiling);
    if (strength > 0 && (!best || strength > best.strength)) {
      best = {
        factor: 'volume',
        strength,
        words: `This hour it ${metricWords[metric](number(observed[metric]))}; in its ${number(moments.n)} active hours it averaged ${number(moments.mean)} (rarely above ${number(ceiling)}).`,
      };
    }
  }
  return best;
}

function peersFactor(
  role: { name: string; baseline: RoleBaseline } | undefined,
  observed: Record<VolumeMetric, number>,
): Found | undefined {
  if (!role) return undefined;
  let best: Found | undefined;
  for (const metric of volumeMetrics) {
    const moments: Moments = role.baseline.volume[metric];
    if (moments.n < 20) continue;
    const ceiling = usualCeiling(moments, floors[metric]);
    const strength = overCeiling(observed[metric], ceiling);
    if (strength > 0 && (!best || strength > best.strength)) {
      best = {
        factor: 'peers',
        strength,
        words: `Others with the role ${role.name} average ${number(moments.mean)} an hour (rarely above ${number(ceiling)}); this principal ${metricWords[metric](number(observed[metric]))}.`,
      };
    }
  }
  return best;
}

function newOf(seen: Record<string, number>, now: readonly string[]): string[] {
  if (Object.keys(seen).length === 0) return [];
  return now.filter((key) => !Object.hasOwn(seen, key));
}

/** The factors found in the open hour, before weighting. */
export function findFactors(
  baseline: Baseline,
  role: { name: string; baseline: RoleBaseline } | undefined,
): Found[] {
  const open = baseline.open;
  if (!open) return [];
  const observed = volumesOf(open);
  const found: Found[] = [];
  const volume = volumeFactor(baseline, observed);
  if (volume) found.push(volume);
  const peers = peersFactor(role, observed);
  if (peers) found.push(peers);

  const networks = newOf(baseline.networks, open.networks);
  if (networks.length > 0) {
    found.push({
      factor: 'new_network',
      strength: 1,
      words: `Acted from ${networks.length === 1 ? 'a client network' : `${networks.length} client networks`} it never used in its ${number(baseline.activeHours)} active hours.`,
    });
  }

  const at = new Date(open.hour * 3_600_000);
  const hourShare = (baseline.hourOfDay[at.getUTCHours()] ?? 0) / Math.max(1, baseline.activeHours);
  const dayShare = (baseline.dayOfWeek[at.getUTCDay()] ?? 0) / Math.max(1, baseline.activeHours);
  if (open.entries >= 3 && (hourShare < 0.02 || dayShare < 0.02)) {
    const usual = baseline.hourOfDay[at.getUTCHours()] ?? 0;
    found.push({
      factor: 'off_hours',
      strength: hourShare < 0.02 ? 1 : 0.7,
      words:
        hourShare < 0.02
          ? `Active at ${hourLabel(open.hour)}, an hour it worked in ${number(usual)} of its ${number(baseline.activeHours)} active hours.`
          : `Active on a ${weekday.format(at)}, a day it rarely works.`,
    });
  }

  const purposes = newOf(baseline.purposes, open.purposes);
  if (purposes.length > 0) {
    found.push({
      factor: 'new_purpose',
      strength: 1,
      words: `Stated ${purposes.length === 1 ? 'a purpose' : `${purposes.length} purposes`} it never stated before (${purposes.slice(0, 3).join(', ')}).`,
    });
  }

  const subjects = openSubjects(open);
  const fieldsPerRead = open.readsWithFields > 0 ? open.fieldsRead / open.readsWithFields : 0;
  const subjectsCeiling = usualCeiling(baseline.volume.subjects, 50);
  if (subjects > subjectsCeiling && open.readsWithFields > 0 && fieldsPerRead <= 3) {
    found.push({
      factor: 'breadth',
      strength: overCeiling(subjects, subjectsCeiling),
      words: `Touched ${number(subjects)} distinct subjects reading ${fieldsPerRead.toFixed(1)} fields each on average: many people, little about each, the shape of scraping.`,
    });
  }

  if (open.pairs >= 30) {
    const order = open.ascending / open.pairs;
    const strength = clamp((order - 0.8) / 0.15);
    if (strength > 0) {
      found.push({
        factor: 'enumeration',
        strength,
        words: `The ids of ${number(open.pairs)} subjects read rose with the order of reading (correlation ${order.toFixed(2)}; random reads give about 0): walking the id space in order.`,
      });
    }
  }

  if (open.unmatchedFulfilment > 0) {
    found.push({
      factor: 'unmatched_requests',
      strength: clamp(open.unmatchedFulfilment / 10),
      words: `Read ${number(open.unmatchedFulfilment)} subjects for request fulfilment that have no open request.`,
    });
  }

  const before = baseline.recent.find((closed) => closed.hour === open.hour - 1)?.failures ?? 0;
  const failures = open.failures + before;
  if (failures >= 5) {
    found.push({
      factor: 'failed_logins',
      strength: clamp(failures / 20) * (open.logins > 0 ? 1 : 0.5),
      words:
        open.logins > 0
          ? `${number(failures)} failed sign-ins against this account within two hours, then a successful one.`
          : `${number(failures)} failed sign-ins against this account within two hours.`,
    });
  }
  return found;
}

/** Weighs and combines the factors into a score with its explanation, strongest first. */
export function combine(found: readonly Found[], settings: Pick<MonitoringSettings, 'factors'>): Score {
  const weighed = found
    .filter((f) => settings.factors[f.factor].enabled && f.strength > 0)
    .map((f) => ({ ...f, evidence: Math.min(0.999, settings.factors[f.factor].weight * f.strength) }));
  const total = weighed.reduce((sum, f) => sum - Math.log(1 - f.evidence), 0);
  const score = 1 - Math.exp(-total);
  const factors = weighed
    .map((f) => ({
      factor: f.factor,
      strength: round(f.strength),
      contribution: round(total > 0 ? (score * -Math.log(1 - f.evidence)) / total : 0),
      words: f.words,
    }))
    .sort((a, b) => b.contribution - a.contribution);
  return { score: round(score), factors };
}

const round = (value: number) => Math.round(value * 1000) / 1000;

/** Whether the principal has history enough to be scored: active hours and days since first seen. */
export function isWarm(
  baseline: Baseline,
  settings: Pick<MonitoringSettings, 'warmupHours' | 'warmupDays'>,
): boolean {
  if (!baseline.open || baseline.firstHour === null) return false;
  return (
    baseline.activeHours >= settings.warmupHours &&
    baseline.open.hour - baseline.firstHour >= settings.warmupDays * 24
  );
}

/** Exports far above normal: in this hour (fast), or sustained over the last day (slow). */
export function exfiltration(
  baseline: Baseline,
  settings: Pick<MonitoringSettings, 'exfiltrationRatio' | 'slowExfiltrationRatio'>,
): Exfiltration | undefined {
  const open = baseline.open;
  if (!open || baseline.firstHour === null) return undefined;
  const moments = baseline.volume.exportedRecords;
  const normal = Math.max(floors.exportedRecords / 5, moments.mean);
  const ratio = open.exportedRecords / normal;
  if (ratio > settings.exfiltrationRatio) {
    return {
      variant: 'fast',
      score: round(clamp(0.85 + (0.15 * Math.log2(ratio / settings.exfiltrationRatio)) / 3)),
      exportedRecords: open.exportedRecords,
      normal: round(normal),
      ratio: round(ratio),
      words: `Exported ${number(open.exportedRecords)} records this hour, ${Math.round(ratio)} times its normal ${number(normal)} an hour.`,
    };
  }
  const days = Math.max(1, (open.hour - baseline.firstHour) / 24);
  const hoursPerDay = Math.min(24, baseline.activeHours / days);
  const normalDay = Math.max(floors.exportedRecords, moments.mean * hoursPerDay);
  const lastDay = [...baseline.recent.filter((closed) => closed.hour > open.hour - 24), open];
  const exported = lastDay.reduce((sum, hour) => sum + hour.exportedRecords, 0);
  const sustained = lastDay.filter((hour) => hour.exportedRecords > 2 * normal).length;
  const dayRatio = exported / normalDay;
  if (dayRatio >= settings.slowExfiltrationRatio && sustained >= 12) {
    const sd = standardDeviation(moments);
    return {
      variant: 'slow',
      score: round(
        clamp(0.8 + (0.2 * (dayRatio - settings.slowExfiltrationRatio)) / settings.slowExfiltrationRatio),
      ),
      exportedRecords: exported,
      normal: round(normalDay),
      ratio: round(dayRatio),
      words: `Exported ${number(exported)} records over the last 24 hours, ${dayRatio.toFixed(1)} times its normal ${number(normalDay)} a day, above twice its hourly normal (${number(normal)} ± ${number(sd)}) in ${sustained} of those hours.`,
    };
  }
  return undefined;
}
