import type { ActivityBucket } from '../audit/audit-activity.js';

/**
 * Baselines, folded one hour at a time: running moments (Welford) of a principal's hourly volumes over
 * the hours it was active, which hours of the day and days of the week it works, and the networks and
 * purposes it used. The hour in progress is kept open and scored as it fills; when a later hour begins
 * it is closed into the baseline. Nothing here reads the log again: a baseline is its own summary.
 */
export type Moments = { n: number; mean: number; m2: number };

export const volumeMetrics = ['reads', 'reveals', 'exportedRecords', 'subjects'] as const;
export type VolumeMetric = (typeof volumeMetrics)[number];

/** The hour in progress. */
export type OpenHour = {
  hour: number;
  entries: number;
  reads: number;
  reveals: number;
  exportedRecords: number;
  fieldsRead: number;
  readsWithFields: number;
  failures: number;
  logins: number;
  privileged: number;
  /** Distinct subjects, estimated from a 4,096-bit map of their hashes (linear counting). */
  subjectBits: string;
  /** Bits set in that map (kept as they are set, so the estimate costs nothing). */
  bitsSet?: number;
  /** Distinct subjects within single reads of the log (exact per read, summed). */
  subjectsSummed: number;
  /**
   * The same for the subjects read in clear (absent in hours folded before they were counted): the
   * mass-reveal rule compares them with its threshold, whether or not the principal is past its warm-up.
   */
  revealBits?: string;
  revealBitsSet?: number;
  revealedSummed?: number;
  pairs: number;
  ascending: number;
  purposes: string[];
  networks: string[];
  unmatchedFulfilment: number;
  seqs: number[];
  firstSeq: number;
  lastSeq: number;
  /** An anomaly alert was raised for this hour: it is not learned from when it closes. */
  flagged?: boolean;
};

/** A closed hour as the exfiltration rules look back on it. */
export type ClosedHour = { hour: number; exportedRecords: number; failures: number };

export type Baseline = {
  /** The first hour seen (hours since the epoch), for the warm-up and the hours active per day. */
  firstHour: number | null;
  activeHours: number;
  volume: Record<VolumeMetric, Moments>;
  hourOfDay: number[];
  dayOfWeek: number[];
  /** Network hashes and purposes seen, with how many active hours each was seen in (at most 200). */
  networks: Record<string, number>;
  purposes: Record<string, number>;
  open: OpenHour | null;
  /** The closed hours of the last two days that exported or failed to sign in. */
  recent: ClosedHour[];
};

const bitmapBits = 4096;
const maxRemembered = 200;

export const emptyMoments = (): Moments => ({ n: 0, mean: 0, m2: 0 });

export function emptyBaseline(): Baseline {
  return {
    firstHour: null,
    activeHours: 0,
    volume: {
      reads: emptyMoments(),
      reveals: emptyMoments(),
      exportedRecords: emptyMoments(),
      subjects: emptyMoments(),
    },
    hourOfDay: new Array<number>(24).fill(0),
    dayOfWeek: new Array<number>(7).fill(0),
    networks: {},
    purposes: {},
    open: null,
    recent: [],
  };
}

export function addSample(moments: Moments, value: number): Moments {
  const n = moments.n + 1;
  const delta = value - moments.mean;
  const mean = moments.mean + delta / n;
  return { n, mean, m2: moments.m2 + delta * (value - mean) };
}

export function standardDeviation(moments: Moments): number {
  return moments.n > 1 ? Math.sqrt(moments.m2 / (moments.n - 1)) : 0;
}

/** The usual upper end of a volume: mean plus three standard deviations, never below `floor`. */
export function usualCeiling(moments: Moments, floor: number): number {
  return Math.max(floor, moments.mean + 3 * standardDeviation(moments));
}

const emptyBitmapText = Buffer.alloc(bitmapBits / 8).toString('base64');

const bitsInByte = Array.from({ length: 256 }, (_, byte) => {
  let count = 0;
  for (let b = byte; b > 0; b >>= 1) count += b & 1;
  return count;
});

function countBits(map: Buffer): number {
  let set = 0;
  for (const byte of map) set += bitsInByte[byte] ?? 0;
  return set;
}

/** Linear counting: n ≈ -m·ln(zero bits / m). */
export function estimateDistinct(bits: string): number {
  return distinctFromBitsSet(countBits(Buffer.from(bits, 'base64')));
}

/** Linear counting from the number of bits set. */
function distinctFromBitsSet(bitsSet: number): number {
  if (bitsSet >= bitmapBits) return Math.round(bitmapBits * Math.log(bitmapBits));
  return Math.round(-bitmapBits * Math.log((bitmapBits - bitsSet) / bitmapBits));
}

/** Distinct subjects of the open hour: the bitmap's estimate, never below what a single read counted. */
export function openSubjects(open: OpenHour): number {
  const estimate =
    open.bitsSet === undefined ? estimateDistinct(open.subjectBits) : distinctFromBitsSet(open.bitsSet);
  return Math.max(estimate, open.subjectsSummed > 0 ? 1 : 0);
}

/**
 * Distinct subjects read in clear in the open hour, across every read of the log that folded into it:
 * the bitmap's estimate (at least one once any was).
 */
export function openRevealedSubjects(open: OpenHour): number {
  if (!open.revealedSummed) return 0;
  const estimate =
    open.revealBitsSet === undefined
      ? estimateDistinct(open.revealBits ?? emptyBitmapText)
      : distinctFromBitsSet(open.revealBitsSet);
  return Math.max(estimate, 1);
}

/** Sets the hashes' bits in a base64 bitmap; returns the bitmap and how many bits it has set. */
function setBits(
  bitmap: string,
  known: number | undefined,
  hashes: readonly number[],
): { bits: string; set: number } {
  const bits = Buffer.from(bitmap, 'base64');
  let set = known ?? countBits(bits);
  for (const hash of hashes) {
    const bit = ((hash % bitmapBits) + bitmapBits) % bitmapBits;
    const mask = 1 << (bit & 7);
    const byte = bits[bit >> 3] ?? 0;
    if ((byte & mask) === 0) {
      bits[bit >> 3] = byte | mask;
      set += 1;
    }
  }
  return { bits: bits.toString('base64'), set };
}

function openHourOf(bucket: ActivityBucket): OpenHour {
  return {
    hour: bucket.hour,
    entries: 0,
    reads: 0,
    reveals: 0,
    exportedRecords: 0,
    fieldsRead: 0,
    readsWithFields: 0,
    failures: 0,
    logins: 0,
    privileged: 0,
    subjectBits: emptyBitmapText,
    bitsSet: 0,
    subjectsSummed: 0,
    pairs: 0,
    ascending: 0,
    purposes: [],
    networks: [],
    unmatchedFulfilment: 0,
    seqs: [],
    firstSeq: bucket.firstSeq,
    lastSeq: bucket.lastSeq,
  };
}

function union(a: readonly string[], b: readonly string[], max: number): string[] {
  return [...new Set([...a, ...b])].slice(0, max);
}

/** Adds one hour's bucket of the log to the open hour (a bucket of the same hour). */
export function mergeIntoOpen(open: OpenHour, bucket: ActivityBucket, unmatchedFulfilment: number): OpenHour {
  let bitsSet = open.bitsSet ?? -1;
  let subjectBits = open.subjectBits;
  if (bucket.subjectHashes.length > 0) {
    const merged = setBits(open.subjectBits, open.bitsSet, bucket.subjectHashes);
    subjectBits = merged.bits;
    bitsSet = merged.set;
  }
  const revealed =
    bucket.revealedHashes.length > 0
      ? setBits(open.revealBits ?? emptyBitmapText, open.revealBitsSet, bucket.revealedHashes)
      : undefined;
  return {
    ...open,
    ...(revealed
      ? {
          revealBits: revealed.bits,
          revealBitsSet: revealed.set,
          revealedSummed: (open.revealedSummed ?? 0) + bucket.revealedSubjects,
        }
      : {}),
    entries: open.entries + bucket.entries,
    reads: open.reads + bucket.reads,
    reveals: open.reveals + bucket.reveals,
    exportedRecords: open.exportedRecords + bucket.exportedRecords,
    fieldsRead: open.fieldsRead + bucket.fieldsRead,
    readsWithFields: open.readsWithFields + bucket.readsWithFields,
    failures: open.failures + bucket.failures,
    logins: open.logins + bucket.logins,
    privileged: open.privileged + bucket.privileged,
    subjectBits,
    ...(bitsSet >= 0 ? { bitsSet } : {}),
    subjectsSummed: open.subjectsSummed + bucket.subjects,
    pairs: open.pairs + bucket.pairs,
    ascending: open.ascending + bucket.ascending,
    purposes: union(open.purposes, bucket.purposes, 50),
    networks: union(open.networks, bucket.networks, 50),
    unmatchedFulfilment: open.unmatchedFulfilment + unmatchedFulfilment,
    seqs: [...open.seqs, ...bucket.seqs].slice(0, 20),
    firstSeq: Math.min(open.firstSeq, bucket.firstSeq),
    lastSeq: Math.max(open.lastSeq, bucket.lastSeq),
  };
}

/** The open hour's volumes, as the baseline keeps them. */
export function volumesOf(open: OpenHour): Record<VolumeMetric, number> {
  return {
    reads: open.reads,
    reveals: open.reveals,
    exportedRecords: open.exportedRecords,
    subjects: openSubjects(open),
  };
}

function remember(counts: Record<string, number>, keys: readonly string[]): Record<string, number> {
  const next = { ...counts };
  for (const key of keys) next[key] = (next[key] ?? 0) + 1;
  const entries = Object.entries(next);
  if (entries.length <= maxRemembered) return next;
  // Keep the most used: a network seen once long ago is as good as new.
  return Object.fromEntries(entries.sort((a, b) => b[1] - a[1]).slice(0, maxRemembered));
}

/** Closes the open hour into the baseline. */
export function closeOpenHour(baseline: Baseline): Baseline {
  const open = baseline.open;
  if (!open) return baseline;
  // Only hours with exports or failed sign-ins are kept: the others add nothing to what the rules sum.
  const closing = { hour: open.hour, exportedRecords: open.exportedRecords, failures: open.failures };
  const recent = [
    ...baseline.recent,
    ...(closing.exportedRecords > 0 || closing.failures > 0 ? [closing] : []),
  ].filter((closed) => closed.hour > open.hour - 48);
  // An hour that raised an anomaly is not learned from, so an attack does not widen what looks normal.
  if (open.flagged) return { ...baseline, open: null, recent };
  const volumes = volumesOf(open);
  const volume = { ...baseline.volume };
  for (const metric of volumeMetrics) volume[metric] = addSample(volume[metric], volumes[metric]);
  const at = new Date(open.hour * 3_600_000);
  const hourOfDay = [...baseline.hourOfDay];
  const dayOfWeek = [...baseline.dayOfWeek];
  hourOfDay[at.getUTCHours()] = (hourOfDay[at.getUTCHours()] ?? 0) + 1;
  dayOfWeek[at.getUTCDay()] = (dayOfWeek[at.getUTCDay()] ?? 0) + 1;
  return {
    firstHour: baseline.firstHour,
    activeHours: baseline.activeHours + 1,
    volume,
    hourOfDay,
    dayOfWeek,
    networks: remember(baseline.networks, open.networks),
    purposes: remember(baseline.purposes, open.purposes),
    open: null,
    recent,
  };
}

/**
 * Folds one bucket in: closes the open hour when the bucket starts a later one (its volumes are returned,
 * for the role's baseline).
 */
export function foldBucket(
  baseline: Baseline,
  bucket: ActivityBucket,
  unmatchedFulfilment: number,
): { baseline: Baseline; closed: Record<VolumeMetric, number> | null } {
  let next = baseline.firstHour === null ? { ...baseline, firstHour: bucket.hour } : baseline;
  let closed: Record<VolumeMetric, number> | null = null;
  if (next.open && next.open.hour < bucket.hour) {
    closed = next.open.flagged ? null : volumesOf(next.open);
    next = closeOpenHour(next);
  }
  const open = next.open ?? openHourOf(bucket);
  // A bucket of an hour already closed (entries committed late) is counted into the open hour.
  return { baseline: { ...next, open: mergeIntoOpen(open, bucket, unmatchedFulfilment) }, closed };
}

/** The role's moments: every member's closed hours together. */
export type RoleBaseline = { volume: Record<VolumeMetric, Moments>; members: number };

export function emptyRoleBaseline(): RoleBaseline {
  return {
    volume: {
      reads: emptyMoments(),
      reveals: emptyMoments(),
      exportedRecords: emptyMoments(),
      subjects: emptyMoments(),
    },
    members: 0,
  };
}

export function addToRole(role: RoleBaseline, volumes: Record<VolumeMetric, number>): RoleBaseline {
  const volume = { ...role.volume };
  for (const metric of volumeMetrics) volume[metric] = addSample(volume[metric], volumes[metric]);
  return { ...role, volume };
}
