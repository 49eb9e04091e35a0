import { faker } from '@faker-js/faker';
import type {
  ActivityEntry,
  DataMap,
  MeasureEntry,
  ProcessorEntry,
  PurposeSummary,
  RetentionSummary,
  SystemEntry,
} from '../../src/modules/inventory/inventory-model.js';

/**
 * Data maps for the RoPA, findings and notice: small hand-made entries (each test changes what it is
 * about) and a generated map of any size for the bench and the scale tests.
 */
const at = new Date('2026-03-01T09:00:00Z');

export const ids = {
  newsletter: '0b8c6a52-5f0e-4c2e-9a51-0c1d2e3f4a01',
  billing: '0b8c6a52-5f0e-4c2e-9a51-0c1d2e3f4a02',
  payroll: '0b8c6a52-5f0e-4c2e-9a51-0c1d2e3f4a03',
  crm: '5d1e0f3a-7b2c-4d6e-8f90-a1b2c3d4e501',
  mailer: '9a7b6c5d-4e3f-4a1b-8c2d-e3f4a5b6c701',
  mailerHost: '9a7b6c5d-4e3f-4a1b-8c2d-e3f4a5b6c702',
  encryption: 'c1d2e3f4-a5b6-4c7d-8e9f-0a1b2c3d4e01',
};

export function systemEntry(overrides: Partial<SystemEntry> = {}): SystemEntry {
  return {
    id: ids.crm,
    origin: 'registered',
    name: 'CRM',
    description: 'Customer relationship management',
    owner: 'sales-ops',
    kind: 'saas',
    locations: ['DE'],
    dataCategories: ['user.contact.email'],
    dataSubjects: ['customer'],
    classification: 'internal',
    retention: null,
    encryptionRequired: false,
    accessControls: { roles: [], permissions: [], notes: '' },
    geographicRestrictions: [],
    processorId: null,
    fulfilment: null,
    fields: null,
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function collectionEntry(name: string, overrides: Partial<SystemEntry> = {}): SystemEntry {
  return systemEntry({
    id: `collection:${name}`,
    origin: 'collection',
    name,
    description: `Vault collection ${name}`,
    owner: 'Custos',
    kind: 'database',
    dataCategories: [],
    classification: 'confidential',
    encryptionRequired: true,
    fields: [
      { name: 'email', dataCategory: 'user.contact.email', classification: 'confidential', encrypted: true },
      { name: 'name', dataCategory: 'user.name', classification: 'internal', encrypted: true },
    ],
    ...overrides,
  });
}

export function processorEntry(overrides: Partial<ProcessorEntry> = {}): ProcessorEntry {
  return {
    id: ids.mailer,
    name: 'Mailer Inc.',
    contact: 'privacy@mailer.example',
    country: 'US',
    role: 'processor',
    parentId: null,
    systemIds: [ids.crm],
    dpa: {
      signedAt: '2025-01-10',
      version: '2.1',
      reviewAt: '2027-01-10',
      reference: 'contracts/mailer-dpa',
    },
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function activityEntry(overrides: Partial<ActivityEntry> = {}): ActivityEntry {
  return {
    id: ids.newsletter,
    name: 'Newsletter',
    description: 'Sending the monthly newsletter to subscribers',
    role: 'controller',
    controller: null,
    jointControllers: [],
    purposeKeys: ['newsletter'],
    collectionNames: ['customers'],
    systemIds: [ids.crm],
    processorIds: [],
    measureIds: [ids.encryption],
    extraDataCategories: [],
    extraDataSubjects: [],
    recipientCategories: [],
    transferSafeguards: [{ country: 'US', safeguard: 'Standard contractual clauses (2021/914), module 2' }],
    retentionNote: '',
    createdAt: at,
    updatedAt: at,
    ...overrides,
  };
}

export function purposeSummary(overrides: Partial<PurposeSummary> = {}): PurposeSummary {
  return {
    key: 'newsletter',
    name: 'Newsletter',
    description: 'Monthly product news',
    legalBasis: 'consent',
    dataCategories: ['user.contact.email'],
    dataUses: ['marketing.communications.email'],
    automatedDecisions: false,
    ...overrides,
  };
}

export function retentionSummary(overrides: Partial<RetentionSummary> = {}): RetentionSummary {
  return {
    id: 'e7f8a9b0-c1d2-4e3f-8a4b-5c6d7e8f9a01',
    name: 'Customers: two years after last contact',
    collection: 'customers',
    dataCategory: null,
    duration: 'P2Y',
    trigger: 'record_created',
    legalBasis: 'contract',
    ...overrides,
  };
}

export function measureEntry(overrides: Partial<MeasureEntry> = {}): MeasureEntry {
  return {
    id: ids.encryption,
    name: 'Encryption at rest',
    description: 'AES-256-GCM under per-subject keys',
    kind: 'technical',
    ...overrides,
  };
}

/**
 * A map with no findings: a newsletter (consent) and billing (contract) of a German controller over the
 * `customers` collection and a CRM hosted in the US by a processor with a valid DPA and a sub-processor
 * in Ireland, plus one activity done as a processor for a client.
 */
export function cleanDataMap(): DataMap {
  return {
    generatedAt: at,
    organization: {
      controllerName: 'Example GmbH',
      address: 'Hauptstraße 1, 10115 Berlin',
      country: 'DE',
      representative: null,
      dpoContact: 'dpo@example.de',
      supervisoryAuthority: 'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
      updatedAt: at,
    },
    systems: [
      systemEntry({
        id: 'custos',
        origin: 'custos',
        name: 'Custos',
        kind: 'internal_application',
        dataCategories: [],
        dataSubjects: [],
      }),
      collectionEntry('customers'),
      systemEntry({ locations: ['US'], processorId: ids.mailer }),
    ],
    processors: [
      processorEntry(),
      processorEntry({
        id: ids.mailerHost,
        name: 'Cloud Host Ltd',
        country: 'IE',
        role: 'sub_processor',
        parentId: ids.mailer,
        systemIds: [],
      }),
    ],
    activities: [
      activityEntry(),
      activityEntry({
        id: ids.billing,
        name: 'Billing',
        description: 'Invoicing customers',
        purposeKeys: ['billing'],
        systemIds: [],
        transferSafeguards: [],
        retentionNote: 'Ten years after the invoice (commercial law)',
      }),
      activityEntry({
        id: ids.payroll,
        name: 'Payroll for a client',
        description: 'Running payroll on behalf of a client company',
        role: 'processor',
        controller: { name: 'Client AG', contact: 'hr@client.example' },
        purposeKeys: [],
        collectionNames: [],
        systemIds: [],
        extraDataCategories: ['user.financial.bank_account'],
        extraDataSubjects: ['employee'],
        transferSafeguards: [],
        retentionNote: 'Until the service contract ends',
      }),
    ],
    measures: [measureEntry()],
    purposes: [
      purposeSummary(),
      purposeSummary({
        key: 'billing',
        name: 'Billing',
        legalBasis: 'contract',
        dataCategories: [],
        dataUses: [],
      }),
    ],
    retention: [retentionSummary()],
  };
}

/**
 * A map of the given size, like a large organization's: collections with a few fields each, registered
 * systems spread over countries (some run by processors), and activities linking a few of each.
 */
export function generatedDataMap(
  size: { activities: number; systems: number; collections: number },
  seed = 7,
): DataMap {
  faker.seed(seed);
  const categories = [
    'user.contact.email',
    'user.name',
    'user.contact.phone_number',
    'user.financial',
    'user.device.ip_address',
    'user.behavior',
  ];
  const countries = ['DE', 'FR', 'US', 'IE', 'IN', 'NL', 'BR'];
  const processors = Array.from({ length: Math.max(1, Math.floor(size.systems / 4)) }, () =>
    processorEntry({
      id: faker.string.uuid(),
      name: faker.company.name(),
      country: faker.helpers.arrayElement(countries),
      systemIds: [],
    }),
  );
  const collections = Array.from({ length: size.collections }, (_, n) =>
    collectionEntry(`collection_${n}`, {
      fields: faker.helpers.arrayElements(categories, 3).map((category, f) => ({
        name: `field_${f}`,
        dataCategory: category,
        classification: faker.helpers.arrayElement(['internal', 'confidential', 'restricted'] as const),
        encrypted: true,
      })),
    }),
  );
  const registered = Array.from({ length: size.systems }, () =>
    systemEntry({
      id: faker.string.uuid(),
      name: faker.company.name(),
      locations: [faker.helpers.arrayElement(countries)],
      dataCategories: faker.helpers.arrayElements(categories, 2),
      processorId: faker.datatype.boolean() ? faker.helpers.arrayElement(processors).id : null,
    }),
  );
  const purposes = Array.from({ length: 40 }, (_, n) =>
    purposeSummary({
      key: `purpose_${n}`,
      name: `Purpose ${n}`,
      legalBasis: faker.helpers.arrayElement(['consent', 'contract', 'legitimate_interests']),
    }),
  );
  const activities = Array.from({ length: size.activities }, (_, n) =>
    activityEntry({
      id: faker.string.uuid(),
      name: `Activity ${n}: ${faker.commerce.productName()}`,
      role: n % 10 === 0 ? 'processor' : 'controller',
      controller: n % 10 === 0 ? { name: faker.company.name(), contact: faker.internet.email() } : null,
      purposeKeys: faker.helpers.arrayElements(purposes, 2).map((purpose) => purpose.key),
      collectionNames: faker.helpers.arrayElements(collections, 2).map((collection) => collection.name),
      systemIds: faker.helpers.arrayElements(registered, 3).map((system) => system.id),
      processorIds: faker.helpers.arrayElements(processors, 1).map((processor) => processor.id),
      transferSafeguards: [{ country: 'US', safeguard: 'Standard contractual clauses' }],
      retentionNote: n % 3 === 0 ? '' : 'Until the contract ends',
    }),
  );
  return {
    ...cleanDataMap(),
    systems: [...collections, ...registered],
    processors,
    activities,
    purposes,
    retention: collections.slice(0, size.collections / 2).map((collection) =>
      retentionSummary({
        id: faker.string.uuid(),
        name: `${collection.name} retention`,
        collection: collection.name,
      }),
    ),
  };
}
