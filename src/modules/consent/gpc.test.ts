import { describe, expect, it } from 'vitest';
import { gpcSupportResource, hasGpcSignal } from './gpc.js';

describe('hasGpcSignal', () => {
  it('counts exactly "1" and nothing else', () => {
    expect(hasGpcSignal('1')).toBe(true);
    expect(hasGpcSignal(' 1 ')).toBe(true);
    for (const value of ['0', '', 'true', 'yes', '1.0', '01', '11', 'on'])
      expect(hasGpcSignal(value)).toBe(false);
    expect(hasGpcSignal(undefined)).toBe(false);
  });

  it('counts several headers, or a folded list, as a signal when any of them is "1"', () => {
    expect(hasGpcSignal(['0', '1'])).toBe(true);
    expect(hasGpcSignal('0, 1')).toBe(true);
    expect(hasGpcSignal(['0', 'true'])).toBe(false);
    expect(hasGpcSignal([])).toBe(false);
  });
});

describe('gpcSupportResource', () => {
  it('says GPC is honoured, as of the configured date', () => {
    expect(gpcSupportResource('2026-11-23')).toEqual({ gpc: true, lastUpdate: '2026-11-23' });
  });
});
