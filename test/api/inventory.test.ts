import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InventoryImport } from '../../src/modules/inventory/inventory-model.js';
import { auditOf, caller, collections, createCollections } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2024);

type System = {
  id: string;
  origin: string;
  name: string;
  dataCategories: string[];
  classification: string;
  encryptionRequired: boolean;
  fields: { name: string; dataCategory: string; encrypted: boolean }[] | null;
  fulfilment: unknown;
  retention: unknown;
  accessControls: { roles: string[] };
};

const uniqueName = (prefix: string) => `${prefix} ${faker.string.alphanumeric(6)}`;

describe('inventory', { timeout: 60_000 }, () => {
  let t: TestApp;
  let as: ReturnType<typeof caller>;
  let purposeKey: string;

  beforeAll(async () => {
    t = await createTestApp({ env: { DPO_CONTACT: 'dpo@example.com' } });
    as = caller(t);
    await createCollections(t, ['customers', 'orders']);
    purposeKey = `p_${faker.string.alphanumeric({ length: 8, casing: 'lower' })}`;
    const purpose = await as('dpo', 'POST', '/v1/consent/purposes', {
      key: purposeKey,
      name: 'Newsletter',
      legalBasis: 'consent',
      dataUses: ['marketing.communications.email'],
      text: 'Our newsletter.',
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
  });
  afterAll(() => t.close());

  const systems = async () => (await as('auditor', 'GET', '/v1/inventory/systems')).json().items as System[];
  const system = async (id: string) =>
    (await as('auditor', 'GET', `/v1/inventory/systems/${id}`)).json() as System;
  const measureIds = async () =>
    (
      (await as('auditor', 'GET', '/v1/inventory/measures')).json().items as { id: string; name: string }[]
    ).map((measure) => measure.id);

  describe('derived entries', () => {
    it('shows Custos and one asset per collection, from their definitions', async () => {
      const listed = await systems();
      expect(listed.slice(0, 3).map((entry) => [entry.id, entry.origin])).toEqual([
        ['custos', 'custos'],
        ['collection:customers', 'collection'],
        ['collection:orders', 'collection'],
      ]);
      const customers = await system('collection:customers');
      expect(customers).toMatchObject({ classification: 'restricted', encryptionRequired: true });
      expect(customers.fields).toContainEqual({
        name: 'plan',
        dataCategory: 'user.account',
        classification: 'public',
        encrypted: false,
      });
      expect(customers.fields).toContainEqual(expect.objectContaining({ name: 'email', encrypted: true }));
      expect(customers.accessControls.roles).toEqual(
        expect.arrayContaining(['dpo', 'privacy_agent', 'auditor']),
      );
      expect(customers.accessControls.roles).not.toContain('security');
      const custos = await system('custos');
      expect(custos).toMatchObject({ classification: 'restricted', encryptionRequired: true, fields: null });
      expect(custos.dataCategories).toEqual(
        expect.arrayContaining(['user.contact.email', 'user.behavior.purchase_history']),
      );
    });

    it('follows a collection when a field of a new category is added', async () => {
      const changed = await as('dpo', 'PUT', '/v1/collections/orders', {
        description: collections.orders.description,
        multiple: true,
        fields: [
          ...collections.orders.fields,
          { name: 'device', type: 'string', category: 'user.device', classification: 'internal' },
        ],
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect((await system('collection:orders')).dataCategories).toContain('user.device');
      expect((await system('custos')).dataCategories).toContain('user.device');
    });

    it('takes a collection asset’s retention from the longest retention policy covering it', async () => {
      const policy = async (name: string, duration: string) => {
        const created = await as('dpo', 'POST', '/v1/retention/policies', {
          name: uniqueName(name),
          collection: 'customers',
          legalBasis: 'legal_obligation',
          duration,
        });
        expect(created.statusCode, created.body).toBe(201);
        return created.json().id as string;
      };
      await policy('Contracts', 'P6M');
      const longest = await policy('Tax records', 'P10Y');
      expect((await system('collection:customers')).retention).toEqual({ policyId: longest, period: 'P10Y' });
      expect((await system('collection:orders')).retention).toBeNull();
    });

    it('refuses to change or delete a derived entry, and says to change the collection', async () => {
      for (const id of ['custos', 'collection:customers']) {
        const patched = await as('dpo', 'PATCH', `/v1/inventory/systems/${id}`, { owner: 'Someone' });
        expect(patched.statusCode).toBe(409);
        expect(patched.headers['content-type']).toContain('application/problem+json');
        expect(patched.json().detail).toContain('change the collection');
        expect((await as('dpo', 'DELETE', `/v1/inventory/systems/${id}`)).statusCode).toBe(409);
      }
      expect((await as('dpo', 'GET', '/v1/inventory/systems/collection:nothing')).statusCode).toBe(404);
      expect((await as('dpo', 'GET', '/v1/inventory/systems/not-an-id')).statusCode).toBe(404);
    });
  });

  describe('systems', () => {
    it('registers, changes and deletes a system without an endpoint, audited by field names', async () => {
      const created = await as('dpo', 'POST', '/v1/inventory/systems', {
        name: uniqueName('Paper archive'),
        owner: 'Legal',
        kind: 'paper',
        locations: ['DE'],
        dataCategories: ['user.name'],
        dataSubjects: ['customer'],
        geographicRestrictions: ['EEA'],
      });
      expect(created.statusCode, created.body).toBe(201);
      const { system: entry, secret } = created.json();
      expect(secret).toBeNull();
      expect(entry).toMatchObject({
        origin: 'registered',
        kind: 'paper',
        fulfilment: null,
        locations: ['DE'],
      });

      const changed = await as('dpo', 'PATCH', `/v1/inventory/systems/${entry.id}`, {
        classification: 'restricted',
        encryptionRequired: true,
      });
      expect(changed.statusCode, changed.body).toBe(200);
      expect(changed.json().system).toMatchObject({ classification: 'restricted', encryptionRequired: true });
      expect((await as('privacy_agent', 'PATCH', `/v1/inventory/systems/${entry.id}`, {})).statusCode).toBe(
        403,
      );

      expect((await as('dpo', 'DELETE', `/v1/inventory/systems/${entry.id}`)).statusCode).toBe(204);
      const audited = await auditOf(t, entry.id);
      expect(audited.map((row) => row.action)).toEqual([
        'inventory.system.created',
        'inventory.system.updated',
        'inventory.system.deleted',
      ]);
      expect(audited[1]?.details).toEqual({ changed: ['classification', 'encryptionRequired'] });
      expect(JSON.stringify(audited)).not.toContain('Legal');
    });

    it('lists every bad taxonomy key, country and link of a system, and writes nothing', async () => {
      const before = await systems();
      const refused = await as('dpo', 'POST', '/v1/inventory/systems', {
        name: uniqueName('Shoes'),
        owner: 'Retail',
        dataCategories: ['user.name', 'footwear.size'],
        dataSubjects: ['martians'],
        locations: ['XX', 'FR'],
        geographicRestrictions: ['MOON'],
        processorId: faker.string.uuid(),
      });
      expect(refused.statusCode).toBe(400);
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(
        refused
          .json()
          .errors.map((error: { path: string }) => error.path)
          .sort(),
      ).toEqual([
        'dataCategories.1',
        'dataSubjects.0',
        'geographicRestrictions.0',
        'locations.0',
        'processorId',
      ]);
      expect(await systems()).toEqual(before);
    });
  });

  describe('processors', () => {
    it('says whether each DPA is valid, expired or missing, and follows sub-processor chains', async () => {
      const create = async (body: object) => {
        const response = await as('dpo', 'POST', '/v1/inventory/processors', body);
        expect(response.statusCode, response.body).toBe(201);
        return response.json() as { id: string; dpaStatus: string; parentId: string | null };
      };
      const dpa = { signedAt: '2024-01-10', version: '2', reference: 'contracts/hosting-dpa.pdf' };
      const hosting = await create({
        name: uniqueName('Hosting'),
        country: 'IE',
        dpa: { ...dpa, reviewAt: '2999-01-01' },
      });
      const mailer = await create({
        name: uniqueName('Mailer'),
        country: 'US',
        role: 'sub_processor',
        parentId: hosting.id,
        dpa: { ...dpa, reviewAt: '2020-01-01' },
      });
      const printer = await create({ name: uniqueName('Printer'), country: 'DE', parentId: mailer.id });
      expect([hosting.dpaStatus, mailer.dpaStatus, printer.dpaStatus]).toEqual([
        'valid',
        'expired',
        'missing',
      ]);

      const cycle = await as('dpo', 'PATCH', `/v1/inventory/processors/${hosting.id}`, {
        parentId: printer.id,
      });
      expect(cycle.statusCode).toBe(400);
      expect(cycle.json().errors).toEqual([
        { in: 'body', path: 'parentId', message: 'would make a cycle of sub-processors' },
      ]);
      const badCountry = await as('dpo', 'PATCH', `/v1/inventory/processors/${hosting.id}`, {
        country: 'ZZ',
      });
      expect(badCountry.json().errors).toEqual([
        { in: 'body', path: 'country', message: 'is not an ISO 3166-1 alpha-2 country code' },
      ]);
      expect((await as('dpo', 'DELETE', `/v1/inventory/processors/${mailer.id}`)).statusCode).toBe(409);
      expect((await as('dpo', 'DELETE', `/v1/inventory/processors/${printer.id}`)).statusCode).toBe(204);
      expect((await as('auditor', 'GET', `/v1/inventory/processors/${printer.id}`)).statusCode).toBe(404);
    });
  });

  describe('activities', () => {
    it('records an activity linked to purposes, collections, systems, processors and measures', async () => {
      const crm = (
        await as('dpo', 'POST', '/v1/inventory/systems', {
          name: uniqueName('CRM'),
          owner: 'Sales',
          dataCategories: ['user.contact'],
        })
      ).json().system;
      const processor = (
        await as('dpo', 'POST', '/v1/inventory/processors', {
          name: uniqueName('Newsletters Inc'),
          country: 'US',
        })
      ).json();
      const [measure] = await measureIds();
      const created = await as('dpo', 'POST', '/v1/inventory/activities', {
        name: uniqueName('Subscription processing'),
        description: 'Sending the newsletter to those who asked for it.',
        purposeKeys: [purposeKey],
        collectionNames: ['customers'],
        systemIds: [crm.id],
        processorIds: [processor.id],
        measureIds: [measure],
        extraDataSubjects: ['customer'],
        recipientCategories: ['Mailing service'],
        transferSafeguards: [{ country: 'US', safeguard: 'Standard contractual clauses (2021/914)' }],
        retentionNote: 'Until the subscription ends',
      });
      expect(created.statusCode, created.body).toBe(201);
      const activity = created.json();
      expect(activity).toMatchObject({
        systemIds: [crm.id],
        processorIds: [processor.id],
        role: 'controller',
      });

      const renamed = await as('dpo', 'PATCH', `/v1/inventory/activities/${activity.id}`, {
        collectionNames: [],
      });
      expect(renamed.json()).toMatchObject({ collectionNames: [], systemIds: [crm.id] });
      const linked = await as('dpo', 'DELETE', `/v1/inventory/systems/${crm.id}`);
      expect(linked.statusCode).toBe(409);
      expect(linked.json().activities).toEqual([activity.name]);

      const map = await as('auditor', 'GET', '/v1/inventory/map');
      expect(map.statusCode, map.body).toBe(200);
      expect(map.json().activities.map((entry: { id: string }) => entry.id)).toContain(activity.id);
      expect(map.json().purposes.map((entry: { key: string }) => entry.key)).toContain(purposeKey);
      expect(map.json().processors.find((entry: { id: string }) => entry.id === processor.id)).toMatchObject({
        dpaStatus: 'missing',
      });

      expect((await as('dpo', 'DELETE', `/v1/inventory/activities/${activity.id}`)).statusCode).toBe(204);
      expect((await as('dpo', 'DELETE', `/v1/inventory/systems/${crm.id}`)).statusCode).toBe(204);
    });

    it('lists every link to something missing, and writes nothing', async () => {
      const name = uniqueName('Profiling');
      const refused = await as('dpo', 'POST', '/v1/inventory/activities', {
        name,
        role: 'processor',
        purposeKeys: ['no_such_purpose'],
        collectionNames: ['customers', 'ghosts'],
        systemIds: [faker.string.uuid()],
        processorIds: [faker.string.uuid()],
        measureIds: [faker.string.uuid()],
        extraDataCategories: ['aura.colour'],
        transferSafeguards: [{ country: 'XX', safeguard: 'None' }],
      });
      expect(refused.statusCode).toBe(400);
      expect(
        refused
          .json()
          .errors.map((error: { path: string }) => error.path)
          .sort(),
      ).toEqual([
        'collectionNames.1',
        'controller',
        'extraDataCategories.0',
        'measureIds.0',
        'processorIds.0',
        'purposeKeys.0',
        'systemIds.0',
        'transferSafeguards.0.country',
      ]);
      const listed = (await as('auditor', 'GET', '/v1/inventory/activities')).json().items as {
        name: string;
      }[];
      expect(listed.map((entry) => entry.name)).not.toContain(name);
    });
  });

  describe('measures and the organization', () => {
    it('seeds three measures, and keeps one that an activity names', async () => {
      const listed = (await as('auditor', 'GET', '/v1/inventory/measures')).json().items as {
        name: string;
      }[];
      expect(listed.map((measure) => measure.name)).toEqual(
        expect.arrayContaining(['Access control', 'Encryption at rest', 'Encryption in transit']),
      );
      const created = await as('dpo', 'POST', '/v1/inventory/measures', {
        name: uniqueName('Staff training'),
        kind: 'organisational',
      });
      expect(created.statusCode, created.body).toBe(201);
      const changed = await as('dpo', 'PATCH', `/v1/inventory/measures/${created.json().id}`, {
        description: 'Yearly privacy training for everyone handling personal data.',
      });
      expect(changed.json()).toMatchObject({ kind: 'organisational' });
      expect((await as('dpo', 'DELETE', `/v1/inventory/measures/${created.json().id}`)).statusCode).toBe(204);
    });

    it('starts the organization profile with the configured DPO contact, and saves it', async () => {
      const initial = await as('auditor', 'GET', '/v1/inventory/organization');
      expect(initial.json()).toMatchObject({ dpoContact: 'dpo@example.com', updatedAt: null });
      const bad = await as('dpo', 'PUT', '/v1/inventory/organization', {
        controllerName: 'Acme',
        country: 'QQ',
      });
      expect(bad.statusCode).toBe(400);
      const saved = await as('dpo', 'PUT', '/v1/inventory/organization', {
        controllerName: 'Acme GmbH',
        address: 'Hauptstraße 1, 10115 Berlin',
        country: 'DE',
        dpoContact: 'privacy@acme.example',
        supervisoryAuthority: 'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
      });
      expect(saved.statusCode, saved.body).toBe(200);
      expect(saved.json()).toMatchObject({ controllerName: 'Acme GmbH', country: 'DE' });
      expect((await system('custos')).dataCategories.length).toBeGreaterThan(0);
      expect((await as('auditor', 'GET', '/v1/inventory/systems/custos')).json().locations).toEqual(['DE']);
    });
  });

  describe('imports', () => {
    const context = { actor: { type: 'operator' as const, id: 'importer' }, requestId: null, ip: null };
    const plan = (suffix: string): InventoryImport => ({
      processors: [
        {
          name: `Cloud ${suffix}`,
          contact: 'privacy@cloud.example',
          country: 'IE',
          role: 'processor',
          dpa: null,
          parentName: null,
        },
        {
          name: `Backup ${suffix}`,
          contact: '',
          country: 'NL',
          role: 'sub_processor',
          dpa: null,
          parentName: `Cloud ${suffix}`,
        },
      ],
      systems: [
        {
          name: `Warehouse ${suffix}`,
          description: 'Analytics',
          owner: 'Data team',
          kind: 'database',
          locations: ['IE'],
          dataCategories: ['user.behavior'],
          dataSubjects: ['customer'],
          classification: 'internal',
          retention: { policyId: null, period: 'P2Y' },
          encryptionRequired: true,
          accessControls: { roles: ['analyst'], permissions: [], notes: '' },
          geographicRestrictions: ['EEA'],
          processorName: `Cloud ${suffix}`,
        },
      ],
      activities: [
        {
          name: `Analytics ${suffix}`,
          description: 'Product analytics',
          role: 'controller',
          controller: null,
          jointControllers: [],
          purposeKeys: [purposeKey],
          collectionNames: ['orders'],
          extraDataCategories: [],
          extraDataSubjects: [],
          recipientCategories: [],
          transferSafeguards: [],
          retentionNote: '',
          systemNames: [`Warehouse ${suffix}`],
          processorNames: [`Backup ${suffix}`],
          measureNames: ['Encryption at rest'],
        },
      ],
    });

    it('creates, then replaces, entries matched by name, with one audit entry each time', async () => {
      const suffix = faker.string.alphanumeric(5);
      const first = await t.runtime.services.inventory.applyImport(context, plan(suffix));
      expect(first).toEqual({
        systems: { created: 1, replaced: 0 },
        processors: { created: 2, replaced: 0 },
        activities: { created: 1, replaced: 0 },
      });
      const again = plan(suffix);
      (again.systems[0] as { owner: string }).owner = 'Platform team';
      const second = await t.runtime.services.inventory.applyImport(context, again);
      expect(second.systems).toEqual({ created: 0, replaced: 1 });
      const map = await t.runtime.services.inventory.dataMap();
      const warehouse = map.systems.find((entry) => entry.name === `Warehouse ${suffix}`);
      const cloud = map.processors.find((entry) => entry.name === `Cloud ${suffix}`);
      const backup = map.processors.find((entry) => entry.name === `Backup ${suffix}`);
      expect(warehouse).toMatchObject({ owner: 'Platform team', processorId: cloud?.id });
      expect(backup?.parentId).toBe(cloud?.id);
      expect(cloud?.systemIds).toEqual([warehouse?.id]);
      const activity = map.activities.find((entry) => entry.name === `Analytics ${suffix}`);
      expect(activity).toMatchObject({ systemIds: [warehouse?.id], processorIds: [backup?.id] });
      const audited = await auditOf(t, 'import');
      expect(audited.filter((entry) => entry.action === 'inventory.imported')).toHaveLength(2);
    });

    it('writes nothing when any entry is wrong, and lists every bad path', async () => {
      const suffix = faker.string.alphanumeric(5);
      const bad = plan(suffix);
      (bad.processors[0] as { parentName: string | null }).parentName = `Backup ${suffix}`;
      (bad.systems[0] as { dataCategories: string[] }).dataCategories = ['user.behavior', 'nope'];
      (bad.activities[0] as { measureNames: string[] }).measureNames = ['Telepathy'];
      await expect(t.runtime.services.inventory.applyImport(context, bad)).rejects.toMatchObject({
        code: 'validation_failed',
        errors: expect.arrayContaining([
          expect.objectContaining({
            path: 'processors.0.parentName',
            message: 'makes a cycle of sub-processors',
          }),
          expect.objectContaining({
            path: 'processors.1.parentName',
            message: 'makes a cycle of sub-processors',
          }),
          expect.objectContaining({ path: 'systems.0.dataCategories.1' }),
          expect.objectContaining({ path: 'activities.0.measureNames.0' }),
        ]),
      });
      const map = await t.runtime.services.inventory.dataMap();
      expect(map.processors.map((entry) => entry.name)).not.toContain(`Cloud ${suffix}`);
      expect(map.systems.map((entry) => entry.name)).not.toContain(`Warehouse ${suffix}`);
    });
  });
});
