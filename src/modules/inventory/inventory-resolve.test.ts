import { describe, expect, it } from 'vitest';
import {
  activityEntry,
  cleanDataMap,
  ids,
  processorEntry,
  purposeSummary,
  retentionSummary,
} from '../../../test/helpers/data-map.js';
import type { DataMap } from './inventory-model.js';
import { mapIndex, type ResolvedActivity, resolveActivity } from './inventory-resolve.js';

function resolve(map: DataMap, id = ids.newsletter): ResolvedActivity {
  const activity = map.activities.find((entry) => entry.id === id);
  if (!activity) throw new Error(`no activity ${id}`);
  return resolveActivity(mapIndex(map), activity);
}

describe('resolveActivity', () => {
  it('derives data categories from linked collections and systems, naming every source', () => {
    const resolved = resolve(cleanDataMap());
    expect(resolved.dataCategories).toEqual([
      {
        value: 'user.contact.email',
        sources: [
          { from: 'collection', ref: 'collection:customers' },
          { from: 'system', ref: ids.crm },
          { from: 'purpose', ref: 'newsletter' },
        ],
      },
      { value: 'user.name', sources: [{ from: 'collection', ref: 'collection:customers' }] },
    ]);
  });

  it('adds the categories and subjects typed in on the activity as manual', () => {
    const map = cleanDataMap();
    map.activities[0] = activityEntry({
      extraDataCategories: ['user.behavior'],
      extraDataSubjects: ['prospect'],
    });
    const resolved = resolve(map);
    expect(resolved.dataCategories.at(-1)).toEqual({
      value: 'user.behavior',
      sources: [{ from: 'manual', ref: ids.newsletter }],
    });
    expect(resolved.dataSubjects.map((subject) => subject.value)).toEqual(['customer', 'prospect']);
  });

  it('takes legal bases from the purposes and marks a purpose missing from the map', () => {
    const map = cleanDataMap();
    map.activities[0] = activityEntry({ purposeKeys: ['newsletter', 'gone'] });
    const resolved = resolve(map);
    expect(resolved.purposes.map((purpose) => [purpose.key, purpose.legalBasis])).toEqual([
      ['newsletter', 'consent'],
      ['gone', null],
    ]);
    expect(resolved.unresolved.purposes).toEqual(['gone']);
  });

  it('reaches the processor operating a linked system and, down the chain, its sub-processors', () => {
    const resolved = resolve(cleanDataMap());
    expect(resolved.recipients.map((recipient) => [recipient.name, recipient.sources])).toEqual([
      ['Mailer Inc.', [{ from: 'system', ref: ids.crm }]],
      ['Cloud Host Ltd', [{ from: 'processor', ref: ids.mailer }]],
    ]);
  });

  it('walks a sub-processor chain that loops only once', () => {
    const map = cleanDataMap();
    map.processors = [
      processorEntry({ parentId: ids.mailerHost }),
      processorEntry({ id: ids.mailerHost, name: 'Cloud Host Ltd', parentId: ids.mailer }),
    ];
    expect(resolve(map).recipients).toHaveLength(2);
  });

  it('finds transfers to third countries with the recorded safeguard, or none', () => {
    const map = cleanDataMap();
    expect(resolve(map).transfers).toEqual([
      {
        country: 'US',
        via: [
          { type: 'system', id: ids.crm, name: 'CRM' },
          { type: 'processor', id: ids.mailer, name: 'Mailer Inc.' },
        ],
        safeguard: 'Standard contractual clauses (2021/914), module 2',
      },
    ]);
    map.activities[0] = activityEntry({ transferSafeguards: [] });
    expect(resolve(map).transfers[0]?.safeguard).toBeNull();
  });

  it('counts no transfer inside the EEA or to the organization’s own country', () => {
    const map = cleanDataMap();
    map.organization.country = 'US';
    expect(resolve(map).transfers).toEqual([]);
  });

  it('takes retention from policies covering a linked collection or a declared category', () => {
    const map = cleanDataMap();
    map.retention.push(
      retentionSummary({
        id: 'by-category',
        name: 'Contact data',
        collection: null,
        dataCategory: 'user.contact',
        duration: 'P1Y',
      }),
      retentionSummary({
        id: 'unrelated',
        name: 'Financial',
        collection: null,
        dataCategory: 'user.financial',
        duration: 'P10Y',
      }),
    );
    expect(resolve(map).retention.map((entry) => [entry.name, entry.period, entry.source.ref])).toEqual([
      ['Customers: two years after last contact', 'P2Y', 'e7f8a9b0-c1d2-4e3f-8a4b-5c6d7e8f9a01'],
      ['Contact data', 'P1Y', 'by-category'],
    ]);
  });

  it('lists the linked security measures', () => {
    expect(resolve(cleanDataMap()).measures.map((measure) => measure.name)).toEqual(['Encryption at rest']);
  });

  it('derives a purpose’s categories only for activities linked to it', () => {
    const map = cleanDataMap();
    map.purposes[1] = purposeSummary({
      key: 'billing',
      name: 'Billing',
      legalBasis: 'contract',
      dataCategories: ['user.financial'],
    });
    const billing = resolve(map, ids.billing);
    expect(billing.dataCategories.find((category) => category.value === 'user.financial')?.sources).toEqual([
      { from: 'purpose', ref: 'billing' },
    ]);
    expect(resolve(map).dataCategories.some((category) => category.value === 'user.financial')).toBe(false);
  });
});
