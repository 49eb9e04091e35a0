import { describe, expect, it } from 'vitest';
import {
  type AdequacyDecision,
  adequacyOn,
  mergeDecisions,
  shippedDecisions,
  shippedReference,
} from './adequacy.js';
import { decideTransfer, placeIncludes, policyFor, sccModuleFor } from './transfer-decision.js';
import type { Mechanism, ResidencyPolicy, TransferQuestion } from './transfer-model.js';

const at = new Date('2026-06-01T00:00:00Z');

function shipped(id: string): AdequacyDecision {
  const found = shippedDecisions.find((decision) => decision.id === id);
  if (!found) throw new Error(`no shipped decision ${id}`);
  return found;
}

function question(overrides: Partial<TransferQuestion> = {}): TransferQuestion {
  return {
    classification: 'confidential',
    dataCategories: ['user.contact.email'],
    source: 'DE',
    target: 'US',
    exporterRole: 'controller',
    recipientRole: 'processor',
    date: '2026-06-01',
    regular: true,
    recipientScopes: [],
    ...overrides,
  };
}

function policy(overrides: Partial<ResidencyPolicy> = {}): ResidencyPolicy {
  return {
    id: 'p1',
    name: 'EU data',
    region: 'EU',
    allowedDestinations: null,
    classificationDestinations: {},
    specialCategoryDestinations: null,
    requireMechanismInPlace: false,
    storageLocations: null,
    storageAtStartup: 'warn',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

function scc(overrides: Partial<Mechanism> = {}, module: 1 | 2 | 3 | 4 = 2): Mechanism {
  return {
    id: 'm1',
    recipientType: 'processor',
    recipientId: 'acme',
    recipientName: 'Acme Analytics',
    destination: 'US',
    details: {
      kind: 'scc',
      module,
      exporterRole: 'controller',
      importerRole: 'processor',
      signedOn: '2025-03-01',
    },
    validFrom: null,
    validUntil: null,
    createdAt: at,
    updatedAt: at,
    tias: [
      {
        id: 't1',
        mechanismId: 'm1',
        destinationLawAssessment: 'FISA 702 and EO 14086 assessed; redress through the DPRC.',
        measures: { technical: ['encryption_keys_in_eea'], contractual: [], organisational: [] },
        conclusion: 'proceed_with_measures',
        assessedOn: '2025-03-01',
        reviewOn: '2027-03-01',
        createdAt: at,
      },
    ],
    ...overrides,
  };
}

const decide = (q: TransferQuestion, policies: ResidencyPolicy[] = [], mechanisms: Mechanism[] = []) =>
  decideTransfer({ question: q, decisions: shippedDecisions, policies, mechanisms });
const codes = (decision: ReturnType<typeof decide>) => decision.reasons.map((reason) => reason.code);

describe('the adequacy reference data', () => {
  it('ships every decision the list names, dated, with sources and a last-reviewed date', () => {
    const destinations = new Set(shippedDecisions.map((decision) => decision.destination));
    for (const code of [
      'AD',
      'AR',
      'CA',
      'FO',
      'GG',
      'IM',
      'IL',
      'JP',
      'JE',
      'NZ',
      'KR',
      'CH',
      'GB',
      'UY',
      'US',
      'BR',
      'EPO',
    ]) {
      expect(destinations.has(code), code).toBe(true);
    }
    expect(shippedReference.lastReviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(shippedReference.license).toContain('2011/833/EU');
    for (const decision of shippedDecisions) expect(decision.source.length).toBeGreaterThan(0);
  });

  it('lets an operator renew, add or revoke a decision', () => {
    const renewed = mergeDecisions(shippedDecisions, [
      { ...shipped('eu-gb-2025'), endsOn: '2037-12-27', revoked: false },
    ]);
    expect(adequacyOn(renewed, 'GB', '2032-01-10').status).toBe('in_force');
    const revoked = mergeDecisions(shippedDecisions, [{ ...shipped('eu-ar'), revoked: true }]);
    expect(adequacyOn(revoked, 'AR', '2026-01-10').status).toBe('none');
  });
});

describe('the rules', () => {
  it('picks the SCC module from the parties’ roles (Decision (EU) 2021/914)', () => {
    expect(sccModuleFor('controller', 'controller')).toBe(1);
    expect(sccModuleFor('controller', 'processor')).toBe(2);
    expect(sccModuleFor('processor', 'processor')).toBe(3);
    expect(sccModuleFor('processor', 'controller')).toBe(4);
  });

  it('reads EU and EEA as regions and prefers the most specific policy', () => {
    expect(placeIncludes('EEA', 'NO')).toBe(true);
    expect(placeIncludes('EU', 'NO')).toBe(false);
    expect(placeIncludes('EEA', 'EU')).toBe(true);
    const eea = policy({ id: 'eea', region: 'EEA' });
    const de = policy({ id: 'de', region: 'DE' });
    expect(policyFor([eea, de, policy()], 'DE')?.id).toBe('de');
    expect(policyFor([eea, policy()], 'FR')?.id).toBe('p1');
  });

  it('lets data move inside the EEA without a mechanism (GDPR Art. 1(3))', () => {
    const decision = decide(question({ target: 'NO' }));
    expect(decision.outcome).toBe('allowed');
    expect(codes(decision)).toEqual(['within_eea']);
  });
});

describe('worked examples (docs/TRANSFERS.md)', () => {
  it('1. EU → US recipient certified under the DPF: allowed on Implementing Decision (EU) 2023/1795', () => {
    const decision = decide(question({ recipientScopes: ['eu_us_dpf'] }));
    expect(decision.outcome).toBe('allowed');
    expect(codes(decision)).toEqual(['adequacy_scope_confirmed']);
    expect(decision.adequacy?.instrument).toContain('2023/1795');
  });

  it('2a. EU → US recipient not certified: needs SCC module 2 (GDPR Art. 46(2)(c), Decision (EU) 2021/914)', () => {
    const decision = decide(question());
    expect(decision.outcome).toBe('allowed_with_mechanism');
    expect(codes(decision)).toEqual(['adequacy_scope_not_confirmed', 'mechanism_required']);
    expect(decision.applicableMechanisms.find((m) => m.kind === 'scc')?.module).toBe(2);
  });

  it('2b. … with SCC module 2 and a current TIA in place: allowed with the mechanism (Schrems II, C-311/18)', () => {
    const decision = decide(question(), [], [scc()]);
    expect(decision.outcome).toBe('allowed_with_mechanism');
    expect(codes(decision)).toContain('mechanism_in_place');
    expect(decision.mechanismsInPlace).toEqual([{ id: 'm1', kind: 'scc', valid: true, problems: [] }]);
  });

  it('2c. … with the wrong module or an expired TIA: says so, and a policy requiring a mechanism refuses', () => {
    const wrong = decide(question(), [], [scc({}, 1)]);
    expect(codes(wrong)).toContain('scc_module_mismatch');
    const expired = scc();
    expired.tias = expired.tias.map((tia) => ({ ...tia, reviewOn: '2026-01-01' }));
    const decision = decide(question(), [policy({ requireMechanismInPlace: true })], [expired]);
    expect(decision.outcome).toBe('refused');
    expect(codes(decision)).toEqual([
      'adequacy_scope_not_confirmed',
      'tia_expired',
      'no_valid_mechanism_in_place',
    ]);
  });

  it('3. EU → Brazil: no adequacy before 2026-01-27, adequacy from that day (Commission decision of 27 January 2026)', () => {
    const before = decide(question({ target: 'BR', date: '2026-01-26' }));
    expect(before.outcome).toBe('allowed_with_mechanism');
    expect(codes(before)).toContain('adequacy_not_yet_in_force');
    const after = decide(question({ target: 'BR', date: '2026-01-27' }));
    expect(after.outcome).toBe('allowed');
    expect(codes(after)).toEqual(['adequacy_in_force']);
  });

  it('4. restricted data refused by the residency policy (the seed’s data_classification_restrictions)', () => {
    const decision = decide(question({ classification: 'restricted', target: 'CH' }), [
      policy({ classificationDestinations: { restricted: [] } }),
    ]);
    expect(decision.outcome).toBe('refused');
    expect(codes(decision)).toEqual(['policy_classification_restricted']);
    const special = decide(question({ target: 'CH', dataCategories: ['user.health_and_medical'] }), [
      policy({ specialCategoryDestinations: [] }),
    ]);
    expect(codes(special)).toEqual(['policy_special_categories_restricted']);
  });

  it('5. EU → UK after 2031-12-27 without a renewal: no adequacy (GDPR Art. 45(5); renewal of 19 December 2025)', () => {
    const during = decide(question({ target: 'GB', date: '2031-12-27' }));
    expect(during.outcome).toBe('allowed');
    const after = decide(question({ target: 'GB', date: '2031-12-28' }));
    expect(after.outcome).toBe('allowed_with_mechanism');
    expect(codes(after)).toContain('adequacy_ended');
  });

  it('warns that an Art. 49 derogation used for a regular flow suits occasional transfers only', () => {
    const derogation: Mechanism = {
      ...scc(),
      details: {
        kind: 'derogation',
        ground: 'explicit_consent',
        justification: 'Signed consent form',
        regular: false,
      },
      tias: [],
    };
    const decision = decide(question({ target: 'IN' }), [], [{ ...derogation, destination: 'IN' }]);
    expect(decision.outcome).toBe('allowed_with_mechanism');
    expect(decision.warnings.map((w) => w.code)).toEqual(['derogation_occasional_only']);
  });
});
