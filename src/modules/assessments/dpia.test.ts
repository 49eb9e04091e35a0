import { describe, expect, it } from 'vitest';
import { checkSignOff, defaultChain, stepsOfRound } from './approval-chain.js';
import { priorConsultationDates, priorConsultationRequired, type Risk, riskLevel } from './dpia.js';

const risk = (residual: [number, number]): Risk => ({
  id: 'r1',
  kind: 'custom',
  title: 'A risk',
  description: '',
  likelihood: 4,
  severity: 4,
  residualLikelihood: residual[0],
  residualSeverity: residual[1],
  mitigations: [],
});

describe('risk levels', () => {
  it('reads likelihood × severity: up to 3 low, 4 to 6 medium, 8 and more high', () => {
    expect(riskLevel(1, 3)).toBe('low');
    expect(riskLevel(2, 2)).toBe('medium');
    expect(riskLevel(2, 3)).toBe('medium');
    expect(riskLevel(2, 4)).toBe('high');
    expect(riskLevel(null, 4)).toBeNull();
  });

  it('requires prior consultation only when a residual risk stays high', () => {
    expect(priorConsultationRequired([risk([1, 4]), risk([2, 2])])).toBe(false);
    expect(priorConsultationRequired([risk([1, 4]), risk([3, 3])])).toBe(true);
  });
});

describe('prior consultation dates (Art. 36(2))', () => {
  it('gives 8 weeks for the advice and 6 more when extended, as calendar dates', () => {
    expect(priorConsultationDates('2026-03-02')).toEqual({
      answerDue: '2026-04-27',
      extendedDue: '2026-06-08',
    });
    expect(priorConsultationDates('2026-12-28')).toEqual({
      answerDue: '2027-02-22',
      extendedDue: '2027-04-05',
    });
    expect(priorConsultationDates(null)).toEqual({ answerDue: null, extendedDue: null });
  });
});

describe('the approval chain', () => {
  const chain = stepsOfRound(defaultChain, false);
  const dpo = { type: 'operator', id: 'o-dpo', roles: ['dpo'] };

  it('keeps the authority step only when prior consultation is required', () => {
    expect(chain.map((step) => step.key)).toEqual(['dpo_review', 'legal_approval', 'management_signoff']);
    expect(stepsOfRound(defaultChain, true).at(-1)?.key).toBe('authority_consultation');
  });

  it('signs off the current step only, by its role, and never by the author when forbidden', () => {
    expect(checkSignOff(chain, 0, 'dpo_review', dpo, ['o-author'], true).key).toBe('dpo_review');
    expect(() => checkSignOff(chain, 0, 'legal_approval', dpo, [], true)).toThrow(/in order/);
    expect(() => checkSignOff(chain, 1, 'legal_approval', dpo, [], true)).toThrow(/role admin/);
    expect(() => checkSignOff(chain, 0, 'dpo_review', dpo, ['o-dpo'], true)).toThrow(/self-approval/);
    expect(checkSignOff(chain, 0, 'dpo_review', dpo, ['o-dpo'], false).key).toBe('dpo_review');
    expect(() => checkSignOff(chain, 3, 'dpo_review', dpo, [], true)).toThrow(/no step/);
  });
});
