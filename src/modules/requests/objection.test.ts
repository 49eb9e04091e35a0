import { describe, expect, it } from 'vitest';
import { isAppError } from '../../lib/app-error.js';
import {
  objectionPlan,
  optInPlan,
  type PurposeFacts,
  type StandingFacts,
  whyNothingToStop,
} from './objection.js';

function purpose(key: string, overrides: Partial<PurposeFacts> = {}): PurposeFacts {
  return {
    key,
    name: key,
    legal_basis: 'consent',
    data_uses: ['essential.service'],
    ccpa_sale: false,
    ccpa_sharing: false,
    ...overrides,
  };
}

const catalog = [
  purpose('analytics', { legal_basis: 'legitimate_interests', data_uses: ['analytics.reporting'] }),
  purpose('fraud', { legal_basis: 'legitimate_interests', data_uses: ['essential.fraud_detection'] }),
  purpose('newsletter', { data_uses: ['marketing.communications.email'] }),
  purpose('ads', { data_uses: ['marketing.advertising'], ccpa_sale: true }),
  purpose('personalisation', { data_uses: ['personalize'] }),
  purpose('billing', { legal_basis: 'contract' }),
  purpose('partners', { legal_basis: 'legitimate_interests', ccpa_sharing: true }),
];

const standing = new Map<string, StandingFacts>([
  ['newsletter', { status: 'granted', objected: false }],
  ['ads', { status: 'denied', objected: false }],
  ['personalisation', { status: 'granted', objected: false }],
  ['fraud', { status: null, objected: true }],
]);

function refusal(run: () => unknown) {
  try {
    run();
  } catch (error) {
    if (isAppError(error)) return { code: error.code, extensions: error.extensions };
  }
  return undefined;
}

describe('what an objection records', () => {
  it('objects to legitimate interests and withdraws consent to direct marketing, skipping what is stopped', () => {
    expect(objectionPlan('objection', catalog, standing)).toEqual({
      object: ['analytics', 'partners'],
      withdraw: ['newsletter'],
      deny: [],
    });
  });

  it('withdraws any named consent, and refuses a named purpose no objection applies to', () => {
    expect(objectionPlan('objection', catalog, standing, ['personalisation', 'fraud'])).toEqual({
      object: [],
      withdraw: ['personalisation'],
      deny: [],
    });
    expect(refusal(() => objectionPlan('objection', catalog, standing, ['billing']))).toEqual({
      code: 'objection_not_applicable',
      extensions: { purposes: ['billing'] },
    });
    expect(refusal(() => objectionPlan('objection', catalog, standing, ['nope']))?.code).toBe(
      'validation_failed',
    );
  });

  it('opts out of sale and sharing: withdrawn where given or not on consent, denied where nothing was given', () => {
    const fresh = new Map<string, StandingFacts>();
    expect(objectionPlan('opt_out', catalog, fresh)).toEqual({
      object: [],
      withdraw: ['partners'],
      deny: ['ads'],
    });
    expect(objectionPlan('opt_out', catalog, standing)).toEqual({
      object: [],
      withdraw: ['partners'],
      deny: [],
    });
    expect(refusal(() => objectionPlan('opt_out', catalog, fresh, ['newsletter']))?.code).toBe(
      'objection_not_applicable',
    );
  });

  it('opts back in to sale and sharing where a check refuses for want of a grant, and nowhere else', () => {
    const refused = (reason: string): StandingFacts => ({
      status: null,
      objected: false,
      allowed: false,
      reason,
    });
    const allowed: StandingFacts = { status: 'granted', objected: false, allowed: true, reason: 'granted' };
    const sale = [
      purpose('ads', { ccpa_sale: true }),
      purpose('partners', { legal_basis: 'legitimate_interests', ccpa_sharing: true }),
      purpose('brokers', { ccpa_sale: true }),
      purpose('old_terms', { ccpa_sale: true }),
      purpose('objected', { legal_basis: 'legitimate_interests', ccpa_sharing: true }),
      purpose('newsletter'),
    ];
    expect(optInPlan(sale, new Map())).toEqual(['ads', 'brokers', 'old_terms']);
    const standingNow = new Map<string, StandingFacts>([
      ['ads', allowed],
      ['partners', refused('withdrawn')],
      ['brokers', refused('no_consent')],
      ['old_terms', refused('version_outdated')],
      ['objected', refused('objected')],
      ['newsletter', refused('no_consent')],
    ]);
    expect(optInPlan(sale, standingNow)).toEqual(['partners', 'brokers', 'old_terms']);
  });
});

describe('why an objection or opt-out stopped nothing', () => {
  it('says no purpose applies when none rests on legitimate interests, public task or direct marketing', () => {
    const contractual = [purpose('billing', { legal_basis: 'contract' }), purpose('personalisation')];
    expect(whyNothingToStop('objection', contractual)).toBe('no_applicable_purpose');
    expect(whyNothingToStop('opt_out', contractual)).toBe('no_applicable_purpose');
  });

  it('says everything was stopped already when the right applies to some purpose', () => {
    expect(whyNothingToStop('objection', catalog)).toBe('already_stopped');
    expect(whyNothingToStop('opt_out', catalog)).toBe('already_stopped');
    expect(whyNothingToStop('objection', catalog, ['newsletter'])).toBe('already_stopped');
    expect(whyNothingToStop('opt_out', catalog, ['analytics'])).toBe('no_applicable_purpose');
  });
});
