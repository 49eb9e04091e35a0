import { describe, expect, it } from 'vitest';
import {
  evaluateConsent,
  isSpecialCategory,
  methodProblem,
  type PurposeRules,
  type StateFacts,
} from './consent-rules.js';

const now = new Date('2026-05-01T12:00:00Z');
const consentPurpose: PurposeRules = {
  legalBasis: 'consent',
  minVersion: 2,
  ccpaSale: false,
  ccpaSharing: false,
  ccpaSensitive: false,
};
const interestPurpose: PurposeRules = {
  ...consentPurpose,
  legalBasis: 'legitimate_interests',
  minVersion: 1,
};

function state(facts: Partial<StateFacts>): StateFacts {
  return { status: null, version: null, expiresAt: null, objectedAt: null, ...facts };
}

describe('evaluateConsent', () => {
  it('allows a consent purpose only with a current, unexpired grant for a version that still counts', () => {
    const granted = state({ status: 'granted', version: 2 });
    expect(evaluateConsent(consentPurpose, 'active', granted, now)).toEqual({
      allowed: true,
      reason: 'granted',
    });
    expect(evaluateConsent(consentPurpose, 'active', undefined, now)).toEqual({
      allowed: false,
      reason: 'no_consent',
    });
    expect(
      evaluateConsent(consentPurpose, 'active', state({ status: 'denied', version: 2 }), now).reason,
    ).toBe('no_consent');
    expect(
      evaluateConsent(consentPurpose, 'active', state({ status: 'withdrawn', version: 2 }), now).reason,
    ).toBe('withdrawn');
    expect(
      evaluateConsent(consentPurpose, 'active', state({ status: 'expired', version: 2 }), now).reason,
    ).toBe('expired');
    expect(
      evaluateConsent(consentPurpose, 'active', state({ status: 'granted', version: 1 }), now).reason,
    ).toBe('version_outdated');
  });

  it('treats a grant past its expiry as expired before the expiry job has run', () => {
    const lapsed = state({ status: 'granted', version: 2, expiresAt: new Date(now.getTime() - 1) });
    const live = state({ status: 'granted', version: 2, expiresAt: new Date(now.getTime() + 1) });
    expect(evaluateConsent(consentPurpose, 'active', lapsed, now)).toEqual({
      allowed: false,
      reason: 'expired',
    });
    expect(evaluateConsent(consentPurpose, 'active', live, now).allowed).toBe(true);
  });

  it('stops everything for erased and restricted subjects, whatever the basis or grant', () => {
    const granted = state({ status: 'granted', version: 2 });
    expect(evaluateConsent(consentPurpose, 'erased', granted, now)).toEqual({
      allowed: false,
      reason: 'erased',
    });
    expect(evaluateConsent(consentPurpose, 'restricted', granted, now).reason).toBe('restricted');
    expect(
      evaluateConsent({ ...interestPurpose, legalBasis: 'contract' }, 'restricted', undefined, now),
    ).toEqual({
      allowed: false,
      reason: 'restricted',
    });
  });

  it('lets other bases apply without consent, unless the subject objected where objection applies', () => {
    expect(evaluateConsent(interestPurpose, 'active', undefined, now)).toEqual({
      allowed: true,
      reason: 'legal_basis',
    });
    const objected = state({ objectedAt: now });
    expect(evaluateConsent(interestPurpose, 'active', objected, now)).toEqual({
      allowed: false,
      reason: 'objected',
    });
    expect(
      evaluateConsent({ ...interestPurpose, legalBasis: 'public_task' }, 'active', objected, now).reason,
    ).toBe('objected');
    // Art. 21 does not reach processing needed for a contract or required by law.
    expect(
      evaluateConsent({ ...interestPurpose, legalBasis: 'contract' }, 'active', objected, now).allowed,
    ).toBe(true);
  });

  it('honours an opt-out of a CCPA sale or sharing purpose on any basis', () => {
    const sale = { ...interestPurpose, ccpaSale: true };
    expect(evaluateConsent(sale, 'active', state({ status: 'withdrawn', version: 1 }), now).reason).toBe(
      'withdrawn',
    );
    expect(evaluateConsent(sale, 'active', state({ status: 'denied', version: 1 }), now).allowed).toBe(false);
    // The same withdrawal means nothing for a purpose that neither rests on consent nor is an opt-out purpose.
    expect(
      evaluateConsent(interestPurpose, 'active', state({ status: 'withdrawn', version: 1 }), now).allowed,
    ).toBe(true);
  });
});

describe('methodProblem', () => {
  it('refuses implied and opt-out grants for purposes based on consent, and says why', () => {
    expect(methodProblem('consent', 'grant', 'implied')).toMatch(/Art\. 4\(11\)/);
    expect(methodProblem('consent', 'grant', 'opt_out')).toMatch(/explicit_opt_in/);
    expect(methodProblem('consent', 'grant', 'explicit_opt_in')).toBeUndefined();
    expect(methodProblem('consent', 'withdraw', 'opt_out')).toBeUndefined();
    expect(methodProblem('legitimate_interests', 'grant', 'implied')).toBeUndefined();
  });
});

describe('isSpecialCategory', () => {
  it('knows the GDPR Art. 9 categories and what lies beneath them', () => {
    expect(isSpecialCategory('user.health_and_medical')).toBe(true);
    expect(isSpecialCategory('user.health_and_medical.genetic')).toBe(true);
    expect(isSpecialCategory('user.demographic.religious_belief')).toBe(true);
    expect(isSpecialCategory('user.biometric.fingerprint')).toBe(true);
    expect(isSpecialCategory('user.demographic.age_range')).toBe(false);
    expect(isSpecialCategory('user.contact.email')).toBe(false);
  });
});
