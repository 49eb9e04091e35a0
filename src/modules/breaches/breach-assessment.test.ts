import { describe, expect, it } from 'vitest';
import { proposeAssessment, type RiskFactors } from './breach-assessment.js';

/** A breach that is unlikely to result in a risk: a few contact details, hard to tie to anyone, lost by error. */
const minor: RiskFactors = {
  nature: ['confidentiality'],
  sensitivity: 'simple',
  identifiability: 'limited',
  consequences: 'minimal',
  vulnerableIndividuals: false,
  malicious: false,
  subjectsAffected: 12,
  protection: 'clear',
};

const propose = (changes: Partial<RiskFactors>) => proposeAssessment({ ...minor, ...changes });

describe('the risk assessment’s proposal', () => {
  it('proposes low with no notification for a minor breach, and says why', () => {
    const proposal = propose({});
    expect(proposal).toMatchObject({ severity: 'low', notifyAuthority: false, notifyIndividuals: false });
    expect(proposal.reasons.at(-2)).toMatch(/unlikely to result in a risk/);
  });

  it('rises with the sensitivity of the data: special categories identify and harm most', () => {
    expect(propose({ sensitivity: 'behavioural', identifiability: 'maximum' }).severity).toBe('medium');
    expect(propose({ sensitivity: 'financial', identifiability: 'maximum' }).severity).toBe('high');
    expect(propose({ sensitivity: 'special', identifiability: 'maximum' }).severity).toBe('critical');
  });

  it('rises with the ease of identification', () => {
    expect(propose({ sensitivity: 'financial', identifiability: 'negligible' }).severity).toBe('low');
    expect(propose({ sensitivity: 'financial', identifiability: 'significant' }).severity).toBe('medium');
  });

  it('weighs the type of breach and malice', () => {
    const base = { sensitivity: 'behavioural', identifiability: 'significant' } as const;
    expect(propose(base).score).toBe(2);
    expect(propose({ ...base, nature: ['availability'] }).score).toBe(1.75);
    expect(propose({ ...base, nature: ['confidentiality', 'integrity'] }).score).toBe(2.5);
    expect(propose({ ...base, malicious: true }).severity).toBe('medium');
    expect(propose({ ...base, malicious: true, nature: ['confidentiality', 'integrity'] }).severity).toBe(
      'high',
    );
  });

  it('takes severe or irreversible consequences to high or critical, whatever the score', () => {
    expect(propose({ consequences: 'significant' }).severity).toBe('medium');
    expect(propose({ consequences: 'severe' })).toMatchObject({ severity: 'high', notifyIndividuals: true });
    expect(propose({ consequences: 'irreversible' }).severity).toBe('critical');
  });

  it('goes one level higher for children or other vulnerable individuals', () => {
    const proposal = propose({ vulnerableIndividuals: true });
    expect(proposal).toMatchObject({ severity: 'medium', notifyAuthority: true, notifyIndividuals: false });
    expect(proposal.reasons.join(' ')).toMatch(/vulnerable/);
  });

  it('goes one level higher when many are affected', () => {
    expect(propose({ subjectsAffected: 1000 }).severity).toBe('low');
    expect(propose({ subjectsAffected: 1001 }).severity).toBe('medium');
  });

  it('proposes no notification when every field was sealed and its keys were safe (Art. 34(3)(a))', () => {
    const proposal = propose({
      sensitivity: 'special',
      identifiability: 'maximum',
      protection: 'sealed_keys_safe',
    });
    expect(proposal).toMatchObject({ severity: 'low', notifyAuthority: false, notifyIndividuals: false });
    expect(proposal.reasons.at(-1)).toMatch(/unintelligible/);
  });

  it('does not lower the risk of a breach of availability for sealed data, nor of partly sealed data', () => {
    expect(
      propose({
        sensitivity: 'special',
        identifiability: 'maximum',
        nature: ['availability'],
        protection: 'sealed_keys_safe',
      }).notifyAuthority,
    ).toBe(true);
    const partly = propose({
      sensitivity: 'special',
      identifiability: 'maximum',
      protection: 'partly_sealed',
    });
    expect(partly).toMatchObject({ severity: 'critical', notifyAuthority: true, notifyIndividuals: true });
  });
});
