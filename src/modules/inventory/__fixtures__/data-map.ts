import { en, Faker } from '@faker-js/faker';
import type { ActivityEntry, DataMap, ProcessorEntry, SystemEntry } from '../inventory-model.js';

// A faker of its own, so that building a map never reseeds the one a test draws from.
const faker = new Faker({ locale: en });
const at = new Date('2026-11-02T09:00:00Z');
const stamps = { createdAt: at, updatedAt: at };

function system(overrides: Partial<SystemEntry> & Pick<SystemEntry, 'id' | 'name'>): SystemEntry {
  return {
    origin: 'registered',
    description: faker.lorem.sentence(),
    owner: faker.person.jobTitle(),
    kind: 'saas',
    locations: [],
    dataCategories: [],
    dataSubjects: ['customer'],
    classification: 'confidential',
    retention: null,
    encryptionRequired: false,
    accessControls: { roles: [], permissions: [], notes: '' },
    geographicRestrictions: [],
    processorId: null,
    fulfilment: null,
    fields: null,
    ...stamps,
    ...overrides,
  };
}

function activity(overrides: Partial<ActivityEntry> & Pick<ActivityEntry, 'id' | 'name'>): ActivityEntry {
  return {
    description: faker.lorem.sentence(),
    role: 'controller',
    controller: null,
    jointControllers: [],
    purposeKeys: [],
    collectionNames: [],
    systemIds: [],
    processorIds: [],
    measureIds: [],
    extraDataCategories: [],
    extraDataSubjects: [],
    recipientCategories: [],
    transferSafeguards: [],
    retentionNote: '',
    ...stamps,
    ...overrides,
  };
}

/**
 * A small subscription business as the inventory would see it: Custos with two collections, three
 * registered systems (billing run by a US processor, a data warehouse, a support desk), a sub-processor
 * chain, three activities and two consent purposes. Seeded, so every call gives the same map.
 */
export function sampleDataMap(seed = 1515): DataMap {
  faker.seed(seed);
  const payments: ProcessorEntry = {
    id: faker.string.uuid(),
    name: 'Payments Inc.',
    contact: faker.internet.email().toLowerCase(),
    country: 'US',
    role: 'processor',
    parentId: null,
    systemIds: [],
    dpa: {
      signedAt: '2025-03-01',
      version: '2.1',
      reviewAt: '2027-03-01',
      reference: 'contracts/payments-dpa.pdf',
    },
    ...stamps,
  };
  const hosting: ProcessorEntry = {
    ...payments,
    id: faker.string.uuid(),
    name: 'Cloud Hosting GmbH',
    contact: faker.internet.email().toLowerCase(),
    country: 'DE',
    role: 'sub_processor',
    parentId: payments.id,
    dpa: null,
  };
  const billing = system({
    id: faker.string.uuid(),
    name: 'Billing',
    locations: ['US', 'IE'],
    dataCategories: ['user.financial', 'user.contact.email'],
    processorId: payments.id,
    retention: { policyId: null, period: 'P10Y' },
    encryptionRequired: true,
    accessControls: { roles: ['finance'], permissions: [], notes: 'SSO only' },
    geographicRestrictions: ['EEA', 'US'],
  });
  payments.systemIds = [billing.id];
  const warehouse = system({
    id: faker.string.uuid(),
    name: 'Data Warehouse',
    kind: 'database',
    locations: ['DE'],
    dataCategories: ['user.behavior'],
    classification: 'restricted',
  });
  const support = system({
    id: faker.string.uuid(),
    name: 'Support Desk',
    locations: ['IE'],
    dataCategories: ['user.contact.email', 'user.name'],
    kind: 'processor_hosted',
  });
  const custos = system({
    id: 'custos',
    origin: 'custos',
    name: 'Custos',
    kind: 'internal_application',
    locations: ['DE'],
  });
  const customers = system({
    id: 'collection:customers',
    origin: 'collection',
    name: 'customers',
    kind: 'database',
    locations: ['DE'],
    dataCategories: ['user.contact.email', 'user.name'],
    encryptionRequired: true,
    fields: [
      { name: 'email', dataCategory: 'user.contact.email', classification: 'confidential', encrypted: true },
      { name: 'name', dataCategory: 'user.name', classification: 'confidential', encrypted: true },
    ],
  });
  const orders = system({
    id: 'collection:orders',
    origin: 'collection',
    name: 'orders',
    kind: 'database',
    locations: ['DE'],
    dataCategories: ['user.financial'],
    fields: [{ name: 'total', dataCategory: 'user.financial', classification: 'internal', encrypted: false }],
  });
  const encryption = {
    id: faker.string.uuid(),
    name: 'Encryption at rest',
    description: '',
    kind: 'technical' as const,
  };
  const accessControl = {
    id: faker.string.uuid(),
    name: 'Access control',
    description: '',
    kind: 'organisational' as const,
  };
  return {
    generatedAt: at,
    organization: {
      controllerName: faker.company.name(),
      address: faker.location.streetAddress({ useFullAddress: true }),
      country: 'DE',
      representative: null,
      dpoContact: faker.internet.email().toLowerCase(),
      supervisoryAuthority: 'BfDI',
      updatedAt: at,
    },
    systems: [custos, customers, orders, billing, warehouse, support],
    processors: [payments, hosting],
    measures: [encryption, accessControl],
    purposes: [
      {
        key: 'billing',
        name: 'Billing',
        description: '',
        legalBasis: 'contract',
        dataCategories: ['user.financial'],
        dataUses: ['essential.service.payment_processing'],
        automatedDecisions: false,
      },
      {
        key: 'newsletter',
        name: 'Newsletter',
        description: '',
        legalBasis: 'consent',
        dataCategories: ['user.contact.email'],
        dataUses: ['marketing.communications.email'],
        automatedDecisions: false,
      },
    ],
    retention: [
      {
        id: faker.string.uuid(),
        name: 'Orders',
        collection: 'orders',
        dataCategory: null,
        duration: 'P10Y',
        trigger: 'record_created',
        legalBasis: 'legal_obligation',
      },
    ],
    activities: [
      activity({
        id: faker.string.uuid(),
        name: 'Subscription processing',
        purposeKeys: ['billing'],
        collectionNames: ['customers', 'orders'],
        systemIds: [billing.id],
        processorIds: [hosting.id],
        measureIds: [encryption.id, accessControl.id],
        extraDataCategories: ['user.contact.address'],
        extraDataSubjects: ['customer'],
        recipientCategories: ['tax authorities'],
        transferSafeguards: [{ country: 'US', safeguard: 'SCCs' }],
        jointControllers: [{ name: 'Partner Ltd', contact: 'privacy@partner.example' }],
      }),
      activity({
        id: faker.string.uuid(),
        name: 'Newsletter',
        purposeKeys: ['newsletter'],
        collectionNames: ['customers'],
        retentionNote: 'until consent is withdrawn',
      }),
      activity({
        id: faker.string.uuid(),
        name: 'Customer support',
        role: 'processor',
        controller: { name: 'Reseller AG', contact: 'dpo@reseller.example' },
        systemIds: [support.id, warehouse.id],
      }),
    ],
  };
}
