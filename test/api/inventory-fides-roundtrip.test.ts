import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { actAs } from '../helpers/auth.js';
import { caller, createCollections } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

type Named = { id: string; name: string };
type Dated = Named & { createdAt: string; updatedAt: string };
type DataMap = {
  organization: Record<string, unknown>;
  systems: (Dated & { processorId: string | null })[];
  processors: (Dated & { parentId: string | null; systemIds: string[] })[];
  activities: (Dated & { systemIds: string[]; processorIds: string[]; measureIds: string[] })[];
  measures: Named[];
  purposes: unknown[];
  retention: unknown[];
};

/** Purposes both apps have: the activities' legal bases come from them. */
const purposes = [
  {
    key: 'newsletter',
    name: 'Newsletter',
    legalBasis: 'consent',
    dataUses: ['marketing.communications.email'],
    text: 'Our monthly newsletter.',
  },
  {
    key: 'billing',
    name: 'Billing',
    legalBasis: 'contract',
    dataUses: ['essential.service.payment_processing'],
    text: 'Invoicing what you bought.',
  },
];

/** A fresh app with the collections and purposes an imported map may name. */
async function appWithSources(): Promise<TestApp> {
  const t = await createTestApp();
  await createCollections(t, ['customers', 'orders']);
  for (const purpose of purposes) {
    const created = await caller(t)('dpo', 'POST', '/v1/consent/purposes', purpose);
    expect(created.statusCode, created.body).toBe(201);
  }
  return t;
}

/** The map with every id replaced by the name it stands for, and without timestamps. */
function byNames(map: DataMap) {
  const names = new Map<string, string>(
    [...map.systems, ...map.processors, ...map.measures].map((entry) => [entry.id, entry.name]),
  );
  const nameOf = (id: string) => names.get(id) ?? `unknown ${id}`;
  const namesOf = (ids: string[]) => ids.map(nameOf).sort();
  const byName = <T extends { name: string }>(entries: T[]) =>
    [...entries].sort((a, b) => a.name.localeCompare(b.name));
  const { updatedAt: _updated, ...organization } = map.organization;
  return {
    organization,
    systems: byName(
      map.systems.map(({ id: _id, createdAt: _c, updatedAt: _u, ...system }) => ({
        ...system,
        processorId: system.processorId ? nameOf(system.processorId) : null,
      })),
    ),
    processors: byName(
      map.processors.map(({ id: _id, createdAt: _c, updatedAt: _u, ...processor }) => ({
        ...processor,
        parentId: processor.parentId ? nameOf(processor.parentId) : null,
        systemIds: namesOf(processor.systemIds),
      })),
    ),
    activities: byName(
      map.activities.map(({ id: _id, createdAt: _c, updatedAt: _u, ...activity }) => ({
        ...activity,
        systemIds: namesOf(activity.systemIds),
        processorIds: namesOf(activity.processorIds),
        measureIds: namesOf(activity.measureIds),
      })),
    ),
    measures: byName(map.measures.map(({ id: _id, ...measure }) => measure)),
    purposes: map.purposes,
    retention: map.retention,
  };
}

/**
 * Export and import on two real apps (no spies): a map registered through the API, exported as a
 * fideslang manifest and imported into a second app with the same collections and purposes, gives the
 * same map there; importing the export back into the first changes nothing.
 */
describe('Fides round trip between two apps', { timeout: 60_000 }, () => {
  let first: TestApp;
  let second: TestApp;

  beforeAll(async () => {
    [first, second] = await Promise.all([appWithSources(), appWithSources()]);
    await registerMap(first);
  });
  afterAll(async () => {
    await Promise.all([first?.close(), second?.close()]);
  });

  /** A small map with every kind of entry and link, registered as a DPO would. */
  async function registerMap(t: TestApp) {
    const as = caller(t);
    const created = async (url: string, body: object) => {
      const response = await as('dpo', 'POST', url, body);
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    };
    const organization = await as('dpo', 'PUT', '/v1/inventory/organization', {
      controllerName: 'Example GmbH',
      address: 'Hauptstraße 1, 10115 Berlin',
      country: 'DE',
      representative: null,
      dpoContact: 'dpo@example.de',
      supervisoryAuthority: 'Berliner Beauftragte für Datenschutz und Informationsfreiheit',
    });
    expect(organization.statusCode, organization.body).toBe(200);

    const mailer = await created('/v1/inventory/processors', {
      name: 'Mailer Inc.',
      contact: 'privacy@mailer.example',
      country: 'US',
      role: 'processor',
      dpa: { signedAt: '2025-01-10', version: '2.1', reviewAt: '2030-01-10', reference: 'contracts/mailer' },
    });
    const host = await created('/v1/inventory/processors', {
      name: 'Cloud Host Ltd',
      contact: 'dpo@cloudhost.example',
      country: 'IE',
      role: 'sub_processor',
      parentId: mailer.id,
      dpa: { signedAt: '2025-02-01', version: '1', reviewAt: null, reference: 'contracts/host' },
    });
    expect(host.parentId).toBe(mailer.id);

    const crm = await created('/v1/inventory/systems', {
      name: 'CRM',
      owner: 'Sales operations',
      description: 'Customer relationship management',
      kind: 'saas',
      locations: ['US', 'DE'],
      dataCategories: ['user.contact.email', 'user.name'],
      dataSubjects: ['customer'],
      classification: 'confidential',
      retention: { period: 'P2Y' },
      encryptionRequired: true,
      accessControls: { roles: ['dpo'], permissions: [], notes: 'Sales team only' },
      geographicRestrictions: ['CN'],
      processorId: mailer.id,
    });
    const archive = await created('/v1/inventory/systems', {
      name: 'Paper archive',
      owner: 'Legal',
      kind: 'paper',
      locations: ['DE'],
      dataCategories: ['user.financial'],
      dataSubjects: ['customer'],
      classification: 'restricted',
      retention: { period: 'P10Y' },
    });

    const measures = (await as('dpo', 'GET', '/v1/inventory/measures')).json().items as Named[];
    const measureId = (name: string) => measures.find((measure) => measure.name === name)?.id;
    await created('/v1/inventory/activities', {
      name: 'Newsletter',
      description: 'Sending the monthly newsletter to subscribers',
      purposeKeys: ['newsletter'],
      collectionNames: ['customers'],
      systemIds: [crm.system.id],
      processorIds: [mailer.id],
      measureIds: [measureId('Encryption in transit'), measureId('Access control')],
      recipientCategories: ['Mailing service'],
      transferSafeguards: [{ country: 'US', safeguard: 'Standard contractual clauses (2021/914), module 2' }],
      retentionNote: 'Until the subscriber unsubscribes',
    });
    await created('/v1/inventory/activities', {
      name: 'Billing',
      description: 'Invoicing customers',
      purposeKeys: ['billing'],
      collectionNames: ['customers', 'orders'],
      systemIds: [archive.system.id],
      measureIds: [measureId('Encryption at rest')],
      extraDataCategories: ['user.financial.bank_account'],
      recipientCategories: ['Tax authorities'],
      retentionNote: 'Ten years after the invoice (commercial law)',
    });
    await created('/v1/inventory/activities', {
      name: 'Payroll for a client',
      description: 'Running payroll on behalf of a client company',
      role: 'processor',
      controller: { name: 'Client AG', contact: 'hr@client.example' },
      jointControllers: [{ name: 'Partner SE', contact: 'privacy@partner.example' }],
      processorIds: [host.id],
      extraDataCategories: ['user.financial.bank_account'],
      extraDataSubjects: ['employee'],
      retentionNote: 'Until the service contract ends',
    });
  }

  const mapOf = async (t: TestApp) => {
    const response = await caller(t)('auditor', 'GET', '/v1/inventory/map');
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as DataMap;
  };
  const exportOf = async (t: TestApp) => {
    const response = await caller(t)('dpo', 'GET', '/v1/inventory/fides');
    expect(response.statusCode, response.body).toBe(200);
    return response.body;
  };
  const importInto = async (t: TestApp, manifest: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/inventory/fides${query}`,
      headers: { ...(await actAs(t, 'dpo')), 'content-type': 'application/yaml' },
      payload: manifest,
    });

  it('gives the second app the first app’s map', async () => {
    const manifest = await exportOf(first);
    const imported = await importInto(second, manifest);
    expect(imported.statusCode, imported.body).toBe(200);
    expect(byNames(await mapOf(second))).toEqual(byNames(await mapOf(first)));
  });

  it('changes nothing when the first app imports its own export', async () => {
    const before = byNames(await mapOf(first));
    const dryRun = await importInto(first, await exportOf(first), '?dryRun=true');
    expect(dryRun.statusCode, dryRun.body).toBe(200);
    const changes = (dryRun.json().differences as { change: string }[]).filter(
      (difference) => difference.change !== 'unchanged',
    );
    expect(changes).toEqual([]);
    const applied = await importInto(first, await exportOf(first));
    expect(applied.statusCode, applied.body).toBe(200);
    expect(byNames(await mapOf(first))).toEqual(before);
  });
});
