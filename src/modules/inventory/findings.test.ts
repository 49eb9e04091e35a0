import { describe, expect, it } from 'vitest';
import {
  activityEntry,
  cleanDataMap,
  collectionEntry,
  generatedDataMap,
  ids,
  processorEntry,
  purposeSummary,
  systemEntry,
} from '../../../test/helpers/data-map.js';
import { computeFindings, type FindingKind } from './findings.js';
import type { DataMap } from './inventory-model.js';

function kinds(map: DataMap): FindingKind[] {
  return computeFindings(map).map((finding) => finding.kind);
}

function only(map: DataMap, kind: FindingKind) {
  return computeFindings(map).filter((finding) => finding.kind === kind);
}

function withActivity(map: DataMap, index: number, overrides: Parameters<typeof activityEntry>[0]): DataMap {
  const current = map.activities[index];
  map.activities[index] = { ...(current ?? activityEntry()), ...overrides };
  return map;
}

describe('computeFindings', () => {
  it('finds nothing in a map where everything is declared, based, guarded, agreed, sealed and kept for a time', () => {
    expect(computeFindings(cleanDataMap())).toEqual([]);
  });

  it('flags a collection category no activity declares, and clears once an activity declares it', () => {
    const map = cleanDataMap();
    map.systems.push(
      collectionEntry('leads', {
        fields: [
          {
            name: 'phone',
            dataCategory: 'user.contact.phone_number',
            classification: 'confidential',
            encrypted: true,
          },
        ],
      }),
    );
    const [finding] = only(map, 'undeclared_data_category');
    expect(finding).toMatchObject({
      severity: 'medium',
      subject: { type: 'collection', id: 'collection:leads', name: 'leads' },
      concerns: ['user.contact.phone_number'],
    });
    withActivity(map, 1, { extraDataCategories: ['user.contact'] });
    expect(only(map, 'undeclared_data_category')).toEqual([]);
  });

  it('flags a controller activity without a purpose or with a purpose lacking a legal basis', () => {
    const map = withActivity(cleanDataMap(), 1, { purposeKeys: [] });
    expect(only(map, 'activity_without_legal_basis')[0]?.subject).toEqual({
      type: 'activity',
      id: ids.billing,
      name: 'Billing',
    });
    withActivity(map, 1, { purposeKeys: ['removed_purpose'] });
    expect(only(map, 'activity_without_legal_basis')[0]?.concerns).toEqual(['removed_purpose']);
    withActivity(map, 1, { purposeKeys: ['billing'] });
    expect(only(map, 'activity_without_legal_basis')).toEqual([]);
  });

  it('leaves the legal basis of a processor activity to the controller it serves', () => {
    const map = cleanDataMap();
    expect(map.activities[2]?.purposeKeys).toEqual([]);
    expect(only(map, 'activity_without_legal_basis')).toEqual([]);
  });

  it('flags a consent purpose no activity uses, and clears once one does', () => {
    const map = cleanDataMap();
    map.purposes.push(purposeSummary({ key: 'ads', name: 'Personalised ads' }));
    expect(only(map, 'consent_purpose_without_activity')[0]?.subject).toEqual({
      type: 'purpose',
      id: 'ads',
      name: 'Personalised ads',
    });
    withActivity(map, 0, { purposeKeys: ['newsletter', 'ads'] });
    expect(only(map, 'consent_purpose_without_activity')).toEqual([]);
  });

  it('flags systems and processors in a third country reached without a safeguard, naming the country', () => {
    const map = withActivity(cleanDataMap(), 0, { transferSafeguards: [] });
    const found = only(map, 'transfer_without_safeguard');
    expect(found.map((finding) => [finding.subject.type, finding.subject.id, finding.concerns])).toEqual([
      ['system', ids.crm, ['US']],
      ['processor', ids.mailer, ['US']],
    ]);
    expect(found[0]?.message).toContain('Newsletter');
    withActivity(map, 0, { transferSafeguards: [{ country: 'us', safeguard: 'SCCs' }] });
    expect(only(map, 'transfer_without_safeguard')).toEqual([]);
  });

  it('flags a system in a third country that no activity covers with a safeguard', () => {
    const map = cleanDataMap();
    map.systems.push(
      systemEntry({ id: 'a3c0e2f4-0000-4000-8000-000000000001', name: 'Analytics', locations: ['IN'] }),
    );
    expect(only(map, 'transfer_without_safeguard')[0]).toMatchObject({
      subject: { name: 'Analytics' },
      concerns: ['IN'],
    });
  });

  it('names a collection stored in a third country as a collection', () => {
    const map = cleanDataMap();
    map.systems[1] = collectionEntry('customers', { locations: ['DE', 'BR'] });
    expect(
      only(map, 'transfer_without_safeguard').map((finding) => [finding.subject, finding.concerns]),
    ).toEqual([[{ type: 'collection', id: 'collection:customers', name: 'customers' }, ['BR']]]);
  });

  it('flags a processor receiving data without a DPA, or with one past its review date', () => {
    const map = cleanDataMap();
    map.processors[0] = processorEntry({ dpa: null });
    expect(only(map, 'processor_dpa_missing')[0]?.subject.id).toBe(ids.mailer);
    map.processors[0] = processorEntry({
      dpa: { signedAt: '2020-01-01', version: '1', reviewAt: '2026-02-28', reference: 'dpa-1' },
    });
    expect(kinds(map)).toEqual(['processor_dpa_expired']);
    map.processors[0] = processorEntry({
      dpa: { signedAt: '2026-02-28', version: '2', reviewAt: '2026-03-01', reference: 'dpa-2' },
    });
    expect(kinds(map)).toEqual([]);
  });

  it('asks no DPA of a processor that receives nothing, nor of an independent controller', () => {
    const map = cleanDataMap();
    map.processors.push(
      processorEntry({ id: 'f0000000-0000-4000-8000-000000000001', country: 'DE', dpa: null, systemIds: [] }),
    );
    map.processors[0] = processorEntry({ role: 'independent_controller', dpa: null });
    expect(kinds(map)).not.toContain('processor_dpa_missing');
  });

  it('flags confidential or restricted fields Custos stores in clear, and any field in clear of an asset requiring encryption', () => {
    const map = cleanDataMap();
    map.systems[1] = collectionEntry('customers', {
      classification: 'internal',
      encryptionRequired: false,
      fields: [
        {
          name: 'email',
          dataCategory: 'user.contact.email',
          classification: 'confidential',
          encrypted: false,
        },
        { name: 'nickname', dataCategory: 'user.name', classification: 'public', encrypted: false },
      ],
    });
    expect(only(map, 'unencrypted_sensitive_data')[0]?.concerns).toEqual(['email']);
    map.systems[1] = { ...(map.systems[1] as (typeof map.systems)[number]), encryptionRequired: true };
    expect(only(map, 'unencrypted_sensitive_data')[0]?.concerns).toEqual(['email', 'nickname']);
    map.systems[1] = collectionEntry('customers');
    expect(only(map, 'unencrypted_sensitive_data')).toEqual([]);
  });

  it('flags an activity without a retention period, and clears once a period is noted', () => {
    const map = cleanDataMap();
    map.retention = [];
    expect(only(map, 'activity_without_retention').map((finding) => finding.subject.name)).toEqual([
      'Newsletter',
    ]);
    withActivity(map, 0, { retentionNote: 'Until the subscriber unsubscribes' });
    expect(only(map, 'activity_without_retention')).toEqual([]);
  });

  it('sorts the most severe first and keeps ids stable between runs', () => {
    const map = cleanDataMap();
    map.retention = [];
    map.processors[0] = processorEntry({ dpa: null });
    const first = computeFindings(map);
    expect(first.map((finding) => finding.severity)).toEqual(['high', 'medium']);
    expect(computeFindings(map).map((finding) => finding.id)).toEqual(first.map((finding) => finding.id));
  });

  it('computes the findings of a large map (500 activities, 200 systems, 100 collections)', () => {
    const found = computeFindings(generatedDataMap({ activities: 500, systems: 200, collections: 100 }));
    expect(found.filter((finding) => finding.kind === 'activity_without_retention').length).toBeGreaterThan(
      0,
    );
  });
});
