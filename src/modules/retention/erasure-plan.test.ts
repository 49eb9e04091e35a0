import { describe, expect, it } from 'vitest';
import { coverageOf, type PolicyRule, planErasure } from './erasure-plan.js';

const billing = {
  name: 'billing',
  fields: [
    { name: 'invoice_number', category: 'user.financial' },
    { name: 'amount', category: 'user.financial' },
    { name: 'email', category: 'user.contact.email' },
    { name: 'birth_date', category: 'user.demographic.date_of_birth' },
  ],
};
const profile = {
  name: 'profile',
  fields: [
    { name: 'email', category: 'user.contact.email' },
    { name: 'iban', category: 'user.financial.bank_account' },
  ],
};

function policy(overrides: Partial<PolicyRule>): PolicyRule {
  return {
    id: overrides.name ?? 'p',
    name: 'p',
    collection: null,
    data_category: null,
    fields: null,
    anonymization: {},
    legal_basis: 'legal_obligation',
    description: '',
    duration: 'P10Y',
    trigger: { type: 'record_created' },
    ...overrides,
  };
}

const invoices = policy({
  id: 'invoices',
  name: 'Invoices',
  collection: 'billing',
  fields: ['invoice_number', 'amount'],
  anonymization: { birth_date: { op: 'generalize_date', to: 'year' }, email: { op: 'null' } },
});
const now = new Date('2026-01-15T12:00:00Z');

describe('planning an erasure under retention policies', () => {
  it('covers a collection by name, and any collection holding a field of a covered category', () => {
    const financial = policy({
      id: 'fin',
      name: 'Financial',
      data_category: 'user.financial',
      duration: 'P6Y',
    });
    expect(coverageOf(billing, [invoices, financial]).map((entry) => [entry.policy.id, entry.keep])).toEqual([
      ['invoices', ['invoice_number', 'amount']],
      ['fin', ['invoice_number', 'amount']],
    ]);
    expect(coverageOf(profile, [invoices, financial]).map((entry) => entry.keep)).toEqual([['iban']]);
  });

  it('keeps records whose retention runs, minimised, and erases the rest', () => {
    const plan = planErasure({
      collections: [billing],
      records: [
        { id: 'recent', collection: 'billing', createdAt: new Date('2024-03-01T00:00:00Z') },
        { id: 'ancient', collection: 'billing', createdAt: new Date('2014-03-01T00:00:00Z') },
      ],
      policies: [invoices],
      now,
    });
    expect(plan.retained).toEqual([
      {
        id: 'recent',
        collection: 'billing',
        keep: ['amount', 'invoice_number'],
        anonymize: { birth_date: { op: 'generalize_date', to: 'year' }, email: { op: 'null' } },
        until: new Date('2034-03-01T23:59:59.999Z'),
      },
    ]);
    expect(plan.kept).toEqual([
      {
        collection: 'billing',
        records: 1,
        fields: ['amount', 'invoice_number'],
        anonymized: ['birth_date', 'email'],
        policies: [
          {
            id: 'invoices',
            name: 'Invoices',
            legalBasis: 'legal_obligation',
            description: '',
            duration: 'P10Y',
          },
        ],
        until: '2034-03-01T23:59:59.999Z',
      },
    ]);
    expect(plan.retainedUntil?.toISOString()).toBe('2034-03-01T23:59:59.999Z');
  });

  it('keeps a record until its longest obligation ends, with the fields of every obligation', () => {
    const claims = policy({
      id: 'claims',
      name: 'Claims',
      collection: 'billing',
      fields: ['email'],
      legal_basis: 'legal_claims',
      duration: 'P3Y',
    });
    const plan = planErasure({
      collections: [billing],
      records: [{ id: 'r', collection: 'billing', createdAt: new Date('2025-06-01T00:00:00Z') }],
      policies: [invoices, claims],
      now,
    });
    expect(plan.retained[0]?.keep).toEqual(['amount', 'email', 'invoice_number']);
    expect(plan.retained[0]?.anonymize).toEqual({ birth_date: { op: 'generalize_date', to: 'year' } });
    expect(plan.retained[0]?.until.toISOString()).toBe('2035-06-01T23:59:59.999Z');
    expect(plan.nextExpiryAt?.toISOString()).toBe('2035-06-01T23:59:59.999Z');
  });

  it('keeps nothing when no policy covers the data or every period has run out', () => {
    const records = [{ id: 'r', collection: 'profile', createdAt: new Date('2025-01-01T00:00:00Z') }];
    const none = planErasure({ collections: [profile], records, policies: [invoices], now });
    expect(none).toEqual({ retained: [], kept: [], retainedUntil: null, nextExpiryAt: null });
    const short = policy({ id: 'short', data_category: 'user.contact', duration: 'P6M' });
    expect(planErasure({ collections: [profile], records, policies: [short], now }).retained).toEqual([]);
  });
});
