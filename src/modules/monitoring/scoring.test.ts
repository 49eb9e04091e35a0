import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import type { ActivityBucket } from '../audit/audit-activity.js';
import {
  addSample,
  emptyBaseline,
  emptyMoments,
  estimateDistinct,
  foldBucket,
  standardDeviation,
} from './baseline.js';
import { defaultMonitoringSettings } from './monitoring-settings.js';
import { combine, findFactors, isWarm } from './scoring.js';

faker.seed(1919);

function bucket(hour: number, changes: Partial<ActivityBucket> = {}): ActivityBucket {
  return {
    principalType: 'operator',
    principalId: 'op',
    hour,
    entries: 20,
    reads: 20,
    reveals: 10,
    exports: 0,
    exportedRecords: 0,
    fieldsRead: 60,
    readsWithFields: 20,
    failures: 0,
    logins: 0,
    privileged: 0,
    subjects: 20,
    subjectHashes: Array.from({ length: 20 }, () => faker.number.int({ max: 4095 })),
    revealedSubjects: 0,
    revealedHashes: [],
    purposes: ['billing'],
    networks: ['net-a'],
    pairs: 19,
    ascending: 9,
    fulfilmentSubjects: [],
    seqs: [1],
    firstSeq: 1,
    lastSeq: 20,
    ...changes,
  };
}

describe('baselines', () => {
  it('keeps running moments equal to the mean and deviation of the samples', () => {
    const samples = Array.from({ length: 50 }, () => faker.number.int({ min: 10, max: 40 }));
    const moments = samples.reduce(addSample, emptyMoments());
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    const sd = Math.sqrt(samples.reduce((a, b) => a + (b - mean) ** 2, 0) / (samples.length - 1));
    expect(moments.mean).toBeCloseTo(mean, 9);
    expect(standardDeviation(moments)).toBeCloseTo(sd, 9);
  });

  it('estimates distinct subjects of an hour across several reads of the log', () => {
    let baseline = emptyBaseline();
    // 2,000 subjects' hashes, uniform over the buckets as hashtext's are.
    const hashes = Array.from({ length: 2000 }, () => faker.number.int({ max: 4095 }));
    for (let i = 0; i < 4; i += 1) {
      baseline = foldBucket(
        baseline,
        bucket(10, { subjectHashes: hashes.slice(i * 500, (i + 1) * 500) }),
        0,
      ).baseline;
    }
    const estimate = estimateDistinct(baseline.open?.subjectBits ?? '');
    expect(estimate).toBeGreaterThan(1800);
    expect(estimate).toBeLessThan(2200);
  });

  it('closes an hour into the baseline when a later one begins, and says what it closed', () => {
    const first = foldBucket(emptyBaseline(), bucket(10), 0);
    expect(first.closed).toBeNull();
    const second = foldBucket(first.baseline, bucket(11), 0);
    expect(second.closed?.reads).toBe(20);
    expect(second.baseline.activeHours).toBe(1);
    expect(second.baseline.networks).toEqual({ 'net-a': 1 });
  });
});

describe('scores', () => {
  it('adds the factors’ contributions up to the score, which stays within [0, 1]', () => {
    const found = findFactors(
      (() => {
        let baseline = emptyBaseline();
        for (let h = 0; h < 200; h += 1)
          baseline = foldBucket(baseline, bucket(1000 + (h % 9) + 24 * Math.floor(h / 9)), 0).baseline;
        return foldBucket(
          baseline,
          bucket(5000 + 2, {
            reads: 3000,
            reveals: 3000,
            networks: ['net-b'],
            purposes: ['marketing'],
            pairs: 2999,
            ascending: 2990,
          }),
          0,
        ).baseline;
      })(),
      undefined,
    );
    const { score, factors } = combine(found, defaultMonitoringSettings);
    expect(score).toBeGreaterThan(0.95);
    expect(score).toBeLessThanOrEqual(1);
    expect(factors.map((f) => f.factor)).toEqual(
      expect.arrayContaining(['volume', 'new_network', 'new_purpose', 'enumeration']),
    );
    expect(factors.reduce((sum, f) => sum + f.contribution, 0)).toBeCloseTo(score, 2);
    for (const factor of factors) expect(factor.words.length).toBeGreaterThan(20);
  });

  it('leaves out a disabled factor', () => {
    const found = [{ factor: 'new_network' as const, strength: 1, words: 'new network' }];
    const off = {
      factors: { ...defaultMonitoringSettings.factors, new_network: { weight: 0.45, enabled: false } },
    };
    expect(combine(found, off)).toEqual({ score: 0, factors: [] });
    expect(combine(found, defaultMonitoringSettings).score).toBeCloseTo(0.45, 3);
  });

  it('does not score a principal in its warm-up', () => {
    const baseline = foldBucket(emptyBaseline(), bucket(10), 0).baseline;
    expect(isWarm(baseline, defaultMonitoringSettings)).toBe(false);
  });
});
