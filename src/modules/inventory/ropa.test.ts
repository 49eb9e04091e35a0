import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import {
  activityEntry,
  cleanDataMap,
  collectionEntry,
  generatedDataMap,
  ids,
} from '../../../test/helpers/data-map.js';
import { buildRopa, ropaCsv, ropaCsvColumns } from './ropa.js';
import { controllerHeadings, processorHeadings, ropaHtml } from './ropa-document.js';

describe('buildRopa', () => {
  it('puts controller activities in the Art. 30(1) register and processor activities in the Art. 30(2) one', () => {
    const ropa = buildRopa(cleanDataMap());
    expect(ropa.controllerRegister.map((record) => record.name)).toEqual(['Billing', 'Newsletter']);
    expect(ropa.processorRegister.map((record) => record.name)).toEqual(['Payroll for a client']);
    expect(ropa.counts).toEqual({ activities: 3, controllerActivities: 2, processorActivities: 1 });
    expect(ropa.organization.controllerName).toBe('Example GmbH');
  });

  it('fills every Art. 30(1) field of an activity from the map', () => {
    const newsletter = buildRopa(cleanDataMap()).controllerRegister.find(
      (record) => record.activityId === ids.newsletter,
    );
    expect(newsletter).toMatchObject({
      controller: {
        name: 'Example GmbH',
        dpoContact: 'dpo@example.de',
        jointControllers: [],
        representative: null,
      },
      purposes: [{ key: 'newsletter', name: 'Newsletter', legalBasis: 'consent' }],
      dataSubjects: ['customer'],
      dataCategories: ['user.contact.email', 'user.name'],
      recipients: [
        { name: 'Mailer Inc.', country: 'US', role: 'processor' },
        { name: 'Cloud Host Ltd', country: 'IE', role: 'sub_processor' },
      ],
      transfers: [
        { country: 'US', recipients: ['CRM', 'Mailer Inc.'], safeguard: expect.stringContaining('Standard') },
      ],
      retention: [
        { name: 'Customers: two years after last contact', period: 'P2Y', scope: 'collection customers' },
      ],
      securityMeasures: [{ name: 'Encryption at rest', kind: 'technical' }],
    });
  });

  it('shows a new field’s category in the RoPA of every activity linked to its collection', () => {
    const map = cleanDataMap();
    const customers = collectionEntry('customers');
    customers.fields?.push({
      name: 'iban',
      dataCategory: 'user.financial.bank_account',
      classification: 'restricted',
      encrypted: true,
    });
    map.systems[1] = customers;
    const ropa = buildRopa(map);
    for (const record of ropa.controllerRegister)
      expect(record.dataCategories).toContain('user.financial.bank_account');
  });

  it('gives the same version to the same content and a new one to any change, whenever it is made', () => {
    const map = cleanDataMap();
    const first = buildRopa(map);
    expect(buildRopa({ ...map, generatedAt: new Date('2027-01-01T00:00:00Z') }).version).toBe(first.version);
    map.activities[0] = activityEntry({ retentionNote: 'Until unsubscribed' });
    expect(buildRopa(map).version).not.toBe(first.version);
    expect(first.version).toMatch(/^[0-9a-f]{12}$/);
  });
});

describe('ropaCsv', () => {
  it('has a header and one row per activity, and parses back to the same values', () => {
    const ropa = buildRopa(cleanDataMap());
    const rows = parse(ropaCsv(ropa), { columns: true }) as Record<string, string>[];
    expect(Object.keys(rows[0] ?? {})).toEqual([...ropaCsvColumns]);
    expect(rows.map((row) => [row.register, row.activity_id])).toEqual([
      ['controller', ids.billing],
      ['controller', ids.newsletter],
      ['processor', ids.payroll],
    ]);
    const newsletter = rows[1] as Record<string, string>;
    expect(newsletter.purposes).toBe('Newsletter (consent)');
    expect(newsletter.data_categories).toBe('user.contact.email; user.name');
    expect(newsletter.transfers).toBe(
      'US (CRM, Mailer Inc.): Standard contractual clauses (2021/914), module 2',
    );
    expect(rows[2]?.controller).toBe('Client AG <hr@client.example>');
  });

  it('keeps commas, quotes and line breaks in a cell and never starts one with a formula', () => {
    const map = cleanDataMap();
    map.activities[0] = activityEntry({
      name: '=HYPERLINK("x"), "quoted"',
      description: 'two\nlines, one cell',
    });
    const rows = parse(ropaCsv(buildRopa(map)), { columns: true }) as Record<string, string>[];
    const row = rows.find((entry) => entry.activity_id === ids.newsletter);
    expect(row?.name).toBe('\'=HYPERLINK("x"), "quoted"');
    expect(row?.description).toBe('two\nlines, one cell');
  });

  it('writes a large register row for row', () => {
    const ropa = buildRopa(generatedDataMap({ activities: 500, systems: 200, collections: 100 }));
    expect(parse(ropaCsv(ropa), { columns: true })).toHaveLength(500);
  });
});

describe('ropaHtml', () => {
  it('has every heading of Art. 30(1) and Art. 30(2), the organization, the date and the version', () => {
    const ropa = buildRopa(cleanDataMap());
    const page = ropaHtml(ropa);
    for (const heading of [...Object.values(controllerHeadings), ...Object.values(processorHeadings)])
      expect(page).toContain(`<h3>${heading}</h3>`);
    expect(page).toContain('Example GmbH');
    expect(page).toContain('2026-03-01 09:00 UTC');
    expect(page).toContain(`Version ${ropa.version}`);
  });

  it('prints one page per activity', () => {
    const page = ropaHtml(buildRopa(cleanDataMap()));
    expect(page.match(/<section class="page">/g)).toHaveLength(3);
    expect(page).toContain('break-before: page');
  });

  it('escapes hostile names so they stay text', () => {
    const map = cleanDataMap();
    map.organization.controllerName = '<script>alert(1)</script>';
    map.activities[0] = activityEntry({
      name: '<img src=x onerror=alert(1)>',
      description: '"><iframe>{{7*7}}',
    });
    const page = ropaHtml(buildRopa(map));
    expect(page).not.toContain('<script>alert');
    expect(page).not.toContain('<img src=x');
    expect(page).not.toContain('"><iframe>');
    expect(page).toContain('&lt;img src=x onerror=alert(1)&gt;');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });

  it('says plainly when a transfer has no safeguard and a purpose no legal basis', () => {
    const map = cleanDataMap();
    map.activities[0] = activityEntry({ transferSafeguards: [], purposeKeys: ['removed'] });
    const page = ropaHtml(buildRopa(map));
    expect(page).toContain('<strong>no safeguard recorded</strong>');
    expect(page).toContain('<strong>no legal basis</strong>');
  });
});
