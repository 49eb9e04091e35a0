import { randomUUID } from 'node:crypto';
import { strFromU8, unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { csvCell } from '../../lib/csv.js';
import { buildAccessPackage, type CollectionData } from './access-package.js';
import { escapeHtml, renderAccessPage } from './access-page.js';
import { collectionCsv, portabilityArchive } from './portability-archive.js';

const at = new Date('2025-03-10T09:00:00Z');

const customers: CollectionData = {
  collection: 'customers',
  description: 'Customer accounts',
  fields: [
    { name: 'email', type: 'email', category: 'user.contact.email', classification: 'confidential' },
    { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
    { name: 'address', type: 'address', category: 'user.contact.address', classification: 'confidential' },
  ],
  records: [
    {
      id: randomUUID(),
      createdAt: at,
      updatedAt: at,
      values: {
        email: 'jane@example.org',
        full_name: '<script>alert(1)</script>',
        address: { city: 'Köln' },
      },
    },
  ],
};
const orders: CollectionData = {
  collection: 'orders',
  description: '',
  fields: [{ name: 'total', type: 'number', category: 'user.financial', classification: 'internal' }],
  records: [],
};

function packageOf(processing: Parameters<typeof buildAccessPackage>[0]['processing'] = null) {
  return buildAccessPackage({
    request: { id: randomUUID(), type: 'access', regime: 'gdpr', received_at: at },
    subject: { id: randomUUID(), createdAt: at, region: 'eu' },
    data: [customers, orders],
    processing,
    generatedAt: at,
  });
}

describe('the access package', () => {
  it('holds every collection with data, the categories of what is held, and says what is not recorded', () => {
    const pkg = packageOf();
    expect(pkg.personalData.map((collection) => collection.collection)).toEqual(['customers']);
    expect(pkg.personalData[0]?.fields[0]).toMatchObject({
      name: 'email',
      categoryName: 'User Contact Email',
    });
    expect(pkg.categories.map((category) => category.key)).toEqual([
      'user.contact.address',
      'user.contact.email',
      'user.name',
    ]);
    expect(pkg.purposes).toBeNull();
    expect(pkg.recipients.note).toMatch(/not recorded/);
    expect(pkg.retention.note).toMatch(/not recorded/);
  });

  it('carries purposes, legal bases and the consent history when the consent module records them', () => {
    const purpose = {
      key: 'newsletter',
      name: 'Newsletter',
      description: 'Monthly news',
      legalBasis: 'consent',
      dataUses: ['marketing.communications'],
      dataCategories: ['user.contact.email'],
    };
    const pkg = packageOf({
      purposes: [purpose],
      consentHistory: [{ purpose: 'newsletter', action: 'grant' }],
    });
    expect(pkg.purposes).toEqual([purpose]);
    expect(pkg.consentHistory).toHaveLength(1);
    expect(renderAccessPage(pkg)).toContain('Newsletter');
  });

  it('names the downstream systems and retention periods that concern the subject’s data', () => {
    const pkg = buildAccessPackage({
      request: { id: randomUUID(), type: 'access', regime: 'gdpr', received_at: at },
      subject: { id: randomUUID(), createdAt: at, region: null },
      data: [customers, orders],
      processing: null,
      recipients: [
        { name: 'CRM', owner: 'Sales operations', description: '', dataCategories: ['user.contact'] },
        { name: 'Payroll', owner: 'HR', description: '', dataCategories: ['user.financial'] },
      ],
      retention: [
        {
          name: 'Correspondence',
          collection: 'customers',
          data_category: null,
          fields: ['email'],
          legal_basis: 'legal_claims',
          description: 'Three years for claims',
          duration: 'P3Y',
          trigger: { type: 'record_created' },
        },
        {
          name: 'Invoices',
          collection: null,
          data_category: 'user.financial',
          fields: null,
          legal_basis: 'legal_obligation',
          description: '',
          duration: 'P10Y',
          trigger: { type: 'record_created' },
        },
      ],
      generatedAt: at,
    });
    expect(pkg.recipients.systems.map((system) => system.name)).toEqual(['CRM']);
    expect(pkg.recipients.note).not.toMatch(/not recorded/);
    expect(pkg.retention.periods).toEqual([
      {
        name: 'Correspondence',
        covers: 'customers',
        legalBasis: 'legal_claims',
        description: 'Three years for claims',
        duration: 'P3Y',
      },
    ]);
    const page = renderAccessPage(pkg);
    expect(page).toContain('<td>Sales operations</td>');
    expect(page).toContain('Correspondence: Three years for claims');
  });

  it('says whether automated decisions apply: not recorded, none, or each with its logic, significance and consequences', () => {
    expect(packageOf().automatedDecisions).toEqual({
      applies: null,
      decisions: [],
      note: expect.stringMatching(/not recorded/),
    });
    const purpose = {
      key: 'newsletter',
      name: 'Newsletter',
      description: '',
      legalBasis: 'consent',
      dataUses: ['marketing.communications'],
      dataCategories: ['user.contact.email'],
    };
    const none = packageOf({
      purposes: [purpose, { ...purpose, key: 'orders', automatedDecisionMaking: { applies: false } }],
      consentHistory: [],
    });
    expect(none.automatedDecisions).toEqual({
      applies: false,
      decisions: [],
      note: expect.stringContaining('No decisions based solely on automated processing'),
    });
    expect(renderAccessPage(none)).toContain('No decisions based solely on automated processing');

    const scoring = {
      ...purpose,
      key: 'credit_limit',
      name: 'Credit limits <automated>',
      legalBasis: 'contract',
      automatedDecisionMaking: {
        applies: true as const,
        logic: 'A score from your payment history & open orders sets the limit.',
        significance: 'The limit decides whether you can pay by invoice.',
        consequences: 'A low score means you pay up front.',
      },
    };
    const applies = packageOf({ purposes: [purpose, scoring], consentHistory: [] });
    expect(applies.automatedDecisions).toEqual({
      applies: true,
      decisions: [
        {
          purpose: 'credit_limit',
          purposeName: 'Credit limits <automated>',
          logic: scoring.automatedDecisionMaking.logic,
          significance: scoring.automatedDecisionMaking.significance,
          consequences: scoring.automatedDecisionMaking.consequences,
        },
      ],
      note: expect.stringContaining('GDPR Art. 22'),
    });
    const page = renderAccessPage(applies);
    expect(page).toContain('<h3>Credit limits &lt;automated&gt;</h3>');
    expect(page).toContain('<dd>A score from your payment history &amp; open orders sets the limit.</dd>');
    expect(page).toContain('<dd>A low score means you pay up front.</dd>');
    expect(page).not.toContain('<automated>');
  });

  it('renders a readable page with every value escaped', () => {
    const page = renderAccessPage(packageOf());
    expect(page).toContain('<h1>Your personal data</h1>');
    expect(page).toContain('jane@example.org');
    expect(page).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(page).not.toContain('<script>');
    expect(page).toContain(escapeHtml(JSON.stringify({ city: 'Köln' })));
  });
});

describe('the portability archive', () => {
  it('zips data.json, a CSV per collection with data, and a README describing the format', () => {
    const subjectId = randomUUID();
    const files = unzipSync(portabilityArchive({ subjectId, data: [customers, orders], generatedAt: at }));
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'customers.csv', 'data.json']);
    const document = JSON.parse(strFromU8(files['data.json'] as Uint8Array));
    expect(document).toMatchObject({ format: 'custos.portability', formatVersion: 1, subjectId });
    expect(document.collections[0].records[0].values.address).toEqual({ city: 'Köln' });
    expect(strFromU8(files['README.txt'] as Uint8Array)).toContain('customers.csv');
  });

  it('makes the same bytes from the same data', () => {
    const input = { subjectId: randomUUID(), data: [customers], generatedAt: at };
    expect(Buffer.from(portabilityArchive(input)).equals(Buffer.from(portabilityArchive(input)))).toBe(true);
  });

  it('writes RFC 4180 CSV, structured values as JSON, and never a live spreadsheet formula', () => {
    expect(csvCell('plain')).toBe('plain');
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).toBe('"\'=HYPERLINK(""x"")"');
    expect(csvCell('+4915112345678')).toBe("'+4915112345678");
    expect(csvCell(null)).toBe('');
    expect(csvCell(42)).toBe('42');
    const csv = collectionCsv(customers);
    const [header, row] = csv.split('\r\n');
    expect(header).toBe('record_id,created_at,updated_at,email,full_name,address');
    expect(row).toContain('"{""city"":""Köln""}"');
  });
});
