import { describe, expect, it } from 'vitest';
import type { StandingView } from '../consent/check-service.js';
import type { LegalBasis } from '../consent/consent-rules.js';
import type { PurposeRow } from '../consent/purpose-store.js';
import { consentActionsFor } from './self-service.js';

function purpose(legalBasis: LegalBasis, ccpa: { sale?: boolean; sharing?: boolean } = {}): PurposeRow {
  const now = new Date('2026-01-01T00:00:00Z');
  return {
    key: 'p',
    name: 'Purpose',
    description: '',
    legal_basis: legalBasis,
    special_category_condition: null,
    data_uses: ['marketing'],
    data_categories: [],
    ccpa_sale: ccpa.sale ?? false,
    ccpa_sharing: ccpa.sharing ?? false,
    ccpa_sensitive: false,
    reconsent_on_change: true,
    automated_decisions: false,
    website: false,
    automated_decision_logic: null,
    automated_decision_significance: null,
    automated_decision_consequences: null,
    version: 1,
    min_version: 1,
    text: 'text',
    created_at: now,
    updated_at: now,
  };
}

function standing(
  status: 'granted' | 'withdrawn' | 'denied' | 'expired' | null,
  objectedAt: Date | null = null,
): StandingView {
  return {
    purpose: 'p',
    allowed: status === 'granted',
    reason: status === 'granted' ? 'granted' : 'no_consent',
    legalBasis: 'consent',
    version: 1,
    currentVersion: 1,
    expiresAt: null,
    choice: {
      purposeKey: 'p',
      status,
      version: 1,
      expiresAt: null,
      objectedAt,
      method: null,
      source: null,
      eventId: '00000000-0000-4000-8000-000000000000',
      updatedAt: new Date(),
    },
  };
}

describe('what a subject may change about a purpose', () => {
  it('offers a consent to give when none stands, and to withdraw once given', () => {
    expect(consentActionsFor(purpose('consent'), undefined)).toEqual(['grant']);
    expect(consentActionsFor(purpose('consent'), standing('denied'))).toEqual(['grant']);
    expect(consentActionsFor(purpose('consent'), standing('expired'))).toEqual(['grant']);
    expect(consentActionsFor(purpose('consent'), standing('granted'))).toEqual(['withdraw']);
  });

  it('offers an objection to legitimate interests and public task, and lifting it once made', () => {
    expect(consentActionsFor(purpose('legitimate_interests'), undefined)).toEqual(['object']);
    expect(consentActionsFor(purpose('public_task'), undefined)).toEqual(['object']);
    expect(consentActionsFor(purpose('legitimate_interests'), standing(null, new Date()))).toEqual(['grant']);
  });

  it('offers an opt-out of a sale or sharing on another basis, and opting back in', () => {
    const sharing = purpose('contract', { sharing: true });
    expect(consentActionsFor(sharing, undefined)).toEqual(['withdraw']);
    expect(consentActionsFor(sharing, standing('withdrawn'))).toEqual(['grant']);
  });

  it('offers nothing for processing a contract or the law requires', () => {
    expect(consentActionsFor(purpose('contract'), undefined)).toEqual([]);
    expect(consentActionsFor(purpose('legal_obligation'), undefined)).toEqual([]);
    expect(consentActionsFor(purpose('vital_interests'), undefined)).toEqual([]);
  });
});
