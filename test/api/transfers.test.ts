import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { actAs } from '../helpers/auth.js';
import { auditOf, caller, createCollections, createPerson, workedRequest } from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1701);

type Decision = {
  outcome: string;
  reasons: { code: string; text: string; ref: string | null }[];
  warnings: { code: string }[];
  applicableMechanisms: { kind: string; module: number | null }[];
  mechanismsInPlace: { id: string; valid: boolean; problems: string[] }[];
};

describe('transfers', () => {
  const clock = fixedClock(new Date('2026-12-07T10:00:00Z'));
  let t: TestApp;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
    const organization = await as('dpo', 'PUT', '/v1/inventory/organization', {
      controllerName: faker.company.name(),
      country: 'DE',
    });
    expect(organization.statusCode, organization.body).toBe(200);
  });

  afterAll(async () => {
    await t?.close();
  });

  async function validate(body: Record<string, unknown>): Promise<Decision> {
    const response = await as('dpo', 'POST', '/v1/transfers/validate', {
      source: 'DE',
      recipientRole: 'processor',
      data: { classification: 'confidential', dataCategories: ['user.contact.email'] },
      ...body,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }
  const codes = (decision: Decision) => decision.reasons.map((reason) => reason.code);

  async function newProcessor(country: string) {
    const created = await as('dpo', 'POST', '/v1/inventory/processors', {
      name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
      country,
      role: 'processor',
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string; name: string };
  }

  async function sccFor(processor: { id: string; name: string }, destination: string, module = 2) {
    const created = await as('dpo', 'POST', '/v1/transfers/mechanisms', {
      recipientType: 'processor',
      recipientId: processor.id,
      recipientName: processor.name,
      destination,
      details: {
        kind: 'scc',
        module,
        exporterRole: 'controller',
        importerRole: module === 1 ? 'controller' : 'processor',
        signedOn: '2025-02-01',
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    return created.json() as { id: string };
  }

  describe('worked examples (docs/TRANSFERS.md)', () => {
    it('EU → US recipient certified under the DPF is allowed on Implementing Decision (EU) 2023/1795 (Art. 45)', async () => {
      const decision = await validate({ target: 'US', recipientScopes: ['eu_us_dpf'] });
      expect(decision.outcome).toBe('allowed');
      expect(codes(decision)).toEqual(['adequacy_scope_confirmed']);
    });

    it('EU → US recipient not certified: SCC module 2 (Art. 46(2)(c), Decision (EU) 2021/914) with a TIA (C-311/18)', async () => {
      const processor = await newProcessor('US');
      const recipient = { type: 'processor', id: processor.id };
      const none = await validate({ target: 'US', recipient });
      expect(none.outcome).toBe('allowed_with_mechanism');
      expect(none.applicableMechanisms.find((m) => m.kind === 'scc')?.module).toBe(2);
      const scc = await sccFor(processor, 'US');
      const withoutTia = await validate({ target: 'US', recipient });
      expect(codes(withoutTia)).toContain('tia_missing');
      const tia = await as('dpo', 'POST', `/v1/transfers/mechanisms/${scc.id}/tias`, {
        destinationLawAssessment: 'FISA 702 and EO 14086 assessed; redress through the DPRC.',
        measures: { technical: ['encryption with keys held in the EEA', 'pseudonymization'] },
        conclusion: 'proceed_with_measures',
        assessedOn: '2026-01-15',
        reviewOn: '2027-01-15',
      });
      expect(tia.statusCode, tia.body).toBe(201);
      const covered = await validate({ target: 'US', recipient });
      expect(covered.outcome).toBe('allowed_with_mechanism');
      expect(covered.mechanismsInPlace).toEqual([{ id: scc.id, kind: 'scc', valid: true, problems: [] }]);
      const later = await validate({ target: 'US', recipient, date: '2027-02-01' });
      expect(codes(later)).toContain('tia_expired');
    });

    it('EU → Brazil: none before 2026-01-27, adequacy from that day (Commission decision of 27 January 2026)', async () => {
      expect(codes(await validate({ target: 'BR', date: '2026-01-26' }))).toContain(
        'adequacy_not_yet_in_force',
      );
      const after = await validate({ target: 'BR', date: '2026-01-27' });
      expect(after.outcome).toBe('allowed');
    });

    it('EU → UK after 2031-12-27 without a renewal in the data: no adequacy (Art. 45(5))', async () => {
      expect((await validate({ target: 'GB', date: '2031-12-27' })).outcome).toBe('allowed');
      const after = await validate({ target: 'GB', date: '2031-12-28' });
      expect(after.outcome).toBe('allowed_with_mechanism');
      expect(codes(after)).toContain('adequacy_ended');
    });

    it('restricted data is refused by the residency policy (data_classification_restrictions); audited', async () => {
      const policy = await as('dpo', 'POST', '/v1/transfers/policies', {
        name: 'EU residency',
        region: 'EU',
        allowedDestinations: null,
        classificationDestinations: { restricted: [] },
      });
      expect(policy.statusCode, policy.body).toBe(201);
      const decision = await validate({ target: 'CH', data: { classification: 'restricted' } });
      expect(decision.outcome).toBe('refused');
      expect(codes(decision)).toEqual(['policy_classification_restricted']);
      const entries = await auditOf(t, 'DE>CH');
      expect(entries.some((entry: { action: string }) => entry.action === 'transfers.validated')).toBe(true);
      const removed = await as('dpo', 'DELETE', `/v1/transfers/policies/${policy.json().id}`);
      expect(removed.statusCode).toBe(204);
    });
  });

  describe('reference data', () => {
    it('lists dated decisions with sources and lets an operator renew one, audited', async () => {
      const reference = await as('auditor', 'GET', '/v1/transfers/reference?asOf=2031-12-28');
      expect(reference.statusCode, reference.body).toBe(200);
      const body = reference.json();
      expect(body.info.lastReviewed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(body.inForceOnDate).not.toContain('eu-gb-2025');
      const renewal = await as('dpo', 'PUT', '/v1/transfers/reference/overrides', {
        decision: {
          id: 'eu-gb-2031',
          destination: 'GB',
          name: 'United Kingdom',
          kind: 'country',
          instrument: 'A renewal adopted after this release',
          inForce: '2031-12-20',
          endsOn: '2037-12-27',
          scope: null,
          source: 'Official Journal',
        },
        note: 'Renewed before Custos was updated',
      });
      expect(renewal.statusCode, renewal.body).toBe(200);
      expect((await validate({ target: 'GB', date: '2031-12-28' })).outcome).toBe('allowed');
      const audit = await auditOf(t, 'eu-gb-2031');
      expect(audit.map((entry: { action: string }) => entry.action)).toContain(
        'transfers.adequacy.overridden',
      );
      expect((await as('dpo', 'DELETE', '/v1/transfers/reference/overrides/eu-gb-2031')).statusCode).toBe(
        204,
      );
    });
  });

  describe('bad input answers problem+json', () => {
    it.each([
      [
        'an unknown country code',
        '/v1/transfers/validate',
        { source: 'DE', target: 'XX', recipientRole: 'processor' },
      ],
      [
        'an SCC module not matching the roles',
        '/v1/transfers/mechanisms',
        {
          recipientType: 'other',
          recipientId: null,
          recipientName: 'Vendor',
          destination: 'US',
          details: {
            kind: 'scc',
            module: 1,
            exporterRole: 'controller',
            importerRole: 'processor',
            signedOn: '2025-01-01',
          },
        },
      ],
      [
        'a derogation without its justification',
        '/v1/transfers/mechanisms',
        {
          recipientType: 'other',
          recipientId: null,
          recipientName: 'Vendor',
          destination: 'IN',
          details: { kind: 'derogation', ground: 'explicit_consent', justification: '', regular: false },
        },
      ],
      [
        'dates in the wrong order',
        '/v1/transfers/mechanisms',
        {
          recipientType: 'other',
          recipientId: null,
          recipientName: 'Vendor',
          destination: 'IN',
          details: { kind: 'bcr', approvalReference: 'CNIL BCR-P 2024/1' },
          validFrom: '2026-05-01',
          validUntil: '2026-01-01',
        },
      ],
    ])('refuses %s', async (_name, url, body) => {
      const response = await as('dpo', 'POST', url, body);
      expect(response.statusCode, response.body).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json().code).toBe('validation_failed');
    });
  });

  describe('the register', () => {
    it('derives flows from the data map, with status and the approvals count, and feeds the RoPA', async () => {
      const processor = await newProcessor('IN');
      const activity = await as('dpo', 'POST', '/v1/inventory/activities', {
        name: 'Support',
        role: 'controller',
        processorIds: [processor.id],
      });
      expect(activity.statusCode, activity.body).toBe(201);
      const before = (await as('auditor', 'GET', '/v1/transfers/register')).json();
      const flow = before.flows.find((entry: { recipientId: string }) => entry.recipientId === processor.id);
      expect(flow.status).toBe('mechanism_missing');
      await as('dpo', 'POST', '/v1/transfers/mechanisms', {
        recipientType: 'processor',
        recipientId: processor.id,
        recipientName: processor.name,
        destination: 'IN',
        details: { kind: 'bcr', approvalReference: 'BfDI BCR 2025/7' },
      });
      const after = (await as('auditor', 'GET', '/v1/transfers/register')).json();
      const again = after.flows.find((entry: { recipientId: string }) => entry.recipientId === processor.id);
      expect(again.status).toBe('action_needed');
      expect(again.decision.reasons.map((r: { code: string }) => r.code)).toContain('tia_missing');
      expect(after.approvals.total).toBeGreaterThanOrEqual(1);
      expect(await t.runtime.services.crossBorderTransferApprovals()).toEqual(after.approvals);
      const ropa = (await as('dpo', 'GET', '/v1/ropa')).json();
      const support = ropa.controllerRegister.find((record: { name: string }) => record.name === 'Support');
      expect(support.transfers[0].safeguard).toContain('BCRs (BfDI BCR 2025/7)');
    });
  });

  describe('enforcement where Custos moves data', () => {
    it('does not deliver a webhook to a refused location: reason recorded on the delivery, alert raised', async () => {
      const policy = await as('dpo', 'POST', '/v1/transfers/policies', {
        name: 'EU residency',
        region: 'EU',
        allowedDestinations: ['EEA', 'CH'],
      });
      expect(policy.statusCode, policy.body).toBe(201);
      const created = await as('dpo', 'POST', '/v1/webhooks/endpoints', {
        url: 'https://receiver.example/hooks/consent',
        eventTypes: ['consent.denied'],
        location: 'US',
      });
      expect(created.statusCode, created.body).toBe(201);
      const endpoint = created.json().endpoint as { id: string; location: string };
      expect(endpoint.location).toBe('US');
      const { services, database } = t.runtime;
      await database.db
        .transaction()
        .execute((tx) =>
          services.notifications.publish(tx, [
            { type: 'consent.denied', data: { subjectId: faker.string.uuid(), purpose: 'marketing' } },
          ]),
        );
      const delivery = await database.db
        .selectFrom('webhook_deliveries')
        .select(['id'])
        .where('endpoint_id', '=', endpoint.id)
        .executeTakeFirstOrThrow();
      expect(await services.notifications.attempt(delivery.id, 1)).toBe('dead_lettered');
      const recorded = (await as('dpo', 'GET', `/v1/webhooks/deliveries/${delivery.id}`)).json();
      expect(recorded.status).toBe('dead_lettered');
      expect(recorded.attempts).toBe(0);
      expect(JSON.stringify(recorded)).toContain('residency_refused: policy_destination_not_allowed');
      const alerts = (await as('security', 'GET', '/v1/alerts')).json();
      expect(
        alerts.items.some(
          (alert: { kind: string; target: { id: string } }) =>
            alert.kind === 'transfer.refused' && alert.target.id === endpoint.id,
        ),
      ).toBe(true);
      expect(await services.transfers.deliveryGuard({ endpointId: endpoint.id, location: 'CH' })).toEqual({
        refused: false,
      });
      await as('dpo', 'DELETE', `/v1/transfers/policies/${policy.json().id}`);
    });

    it('does not send a downstream system in a refused country its erasure task; the task says why', async () => {
      const policy = await as('dpo', 'POST', '/v1/transfers/policies', {
        name: 'EU residency',
        region: 'EU',
        allowedDestinations: ['EEA'],
      });
      expect(policy.statusCode, policy.body).toBe(201);
      await createCollections(t, ['customers', 'orders']);
      const registered = await as('dpo', 'POST', '/v1/inventory/systems', {
        name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
        owner: 'CRM team',
        locations: ['US'],
        dataCategories: ['user.contact'],
        endpointUrl: 'https://crm.example/hooks/tasks',
      });
      expect(registered.statusCode, registered.body).toBe(201);
      const endpointId = registered.json().system.fulfilment.endpointId as string;
      const service = await actAs(t, 'service');
      const person = await createPerson(t, service, { orders: 0 });
      const requestId = await workedRequest(t, service, 'erasure', person);
      const erased = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
      expect(erased.json().request.state).toBe('awaiting_systems');
      const { services, database } = t.runtime;
      const delivery = await database.db
        .selectFrom('webhook_deliveries')
        .select(['id'])
        .where('endpoint_id', '=', endpointId)
        .executeTakeFirstOrThrow();
      expect(await services.notifications.attempt(delivery.id, 1)).toBe('dead_lettered');
      const tasks = (await as('privacy_agent', 'GET', `/v1/requests/${requestId}/tasks`)).json();
      expect(tasks.items[0]).toMatchObject({ status: 'failed', failure: 'residency_refused' });
      await as('dpo', 'DELETE', `/v1/transfers/policies/${policy.json().id}`);
    });
  });
});

describe('where subjects of a region may be stored (instance location)', () => {
  let t: TestApp;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp({ env: { CUSTOS_INSTANCE_LOCATION: 'US' } });
    as = caller(t);
  });

  afterAll(async () => {
    await t?.close();
  });

  const subjectCount = async () =>
    Number(
      (
        await t.runtime.database.db
          .selectFrom('subjects')
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );

  it('refuses to create a subject of a region its policy keeps off this instance, writing nothing; start-up warns, alerts or refuses', async () => {
    // Before any policy: subjects of any region are stored.
    const before = await as('dpo', 'POST', '/v1/subjects', { region: 'DE' });
    expect(before.statusCode, before.body).toBe(201);
    await expect(t.runtime.services.checkSubjectStorage()).resolves.toBeUndefined();

    const policy = await as('dpo', 'POST', '/v1/transfers/policies', {
      name: 'EU subjects stay in the EEA',
      region: 'EU',
      allowedDestinations: null,
      storageLocations: ['EEA'],
      storageAtStartup: 'refuse',
    });
    expect(policy.statusCode, policy.body).toBe(201);
    expect(policy.json()).toMatchObject({ storageLocations: ['EEA'], storageAtStartup: 'refuse' });

    const count = await subjectCount();
    const refused = await as('dpo', 'POST', '/v1/subjects', { region: 'FR' });
    expect(refused.statusCode, refused.body).toBe(409);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json()).toMatchObject({
      code: 'residency_refused',
      reason: 'instance_location_not_allowed',
      region: 'FR',
      policy: policy.json().id,
      instanceLocation: 'US',
      allowedLocations: ['EEA'],
    });
    expect(await subjectCount()).toBe(count);

    // A region the policy does not govern, or no region: stored.
    expect((await as('dpo', 'POST', '/v1/subjects', { region: 'US' })).statusCode).toBe(201);
    expect((await as('dpo', 'POST', '/v1/subjects', {})).statusCode).toBe(201);

    // An import creating subjects of the refused region writes nothing either.
    await createCollections(t, ['customers']);
    const collection = 'customers';
    const counted = await subjectCount();
    const imported = await t.app.inject({
      method: 'POST',
      url: `/v1/collections/${collection}/import`,
      headers: { ...(await actAs(t, 'dpo')), 'content-type': 'text/csv' },
      payload: `externalId,region,email\n${faker.string.uuid()},DE,${faker.internet.email()}\n`,
    });
    expect(imported.statusCode).not.toBe(500);
    expect(await subjectCount()).toBe(counted);

    // Start-up: the DE subject stored before the policy is on an instance the policy refuses.
    await expect(t.runtime.services.checkSubjectStorage()).rejects.toThrow(/Data residency/);
    const alerts = (await as('security', 'GET', '/v1/alerts')).json() as {
      items: { kind: string; target: { id: string } | null }[];
    };
    expect(
      alerts.items.some(
        (alert) => alert.kind === 'transfer.storage_refused' && alert.target?.id === policy.json().id,
      ),
    ).toBe(true);

    // A policy that warns only: start-up goes on.
    const warnOnly = await as('dpo', 'PUT', `/v1/transfers/policies/${policy.json().id}`, {
      name: 'EU subjects stay in the EEA',
      region: 'EU',
      allowedDestinations: null,
      storageLocations: ['EEA'],
      storageAtStartup: 'warn',
    });
    expect(warnOnly.statusCode, warnOnly.body).toBe(200);
    await expect(t.runtime.services.checkSubjectStorage()).resolves.toBeUndefined();

    // Allowing the instance's location: stored, and start-up is clean.
    const allowed = await as('dpo', 'PUT', `/v1/transfers/policies/${policy.json().id}`, {
      name: 'EU subjects stay in the EEA or the US',
      region: 'EU',
      allowedDestinations: null,
      storageLocations: ['EEA', 'US'],
    });
    expect(allowed.statusCode, allowed.body).toBe(200);
    expect((await as('dpo', 'POST', '/v1/subjects', { region: 'FR' })).statusCode).toBe(201);
    expect(await t.runtime.services.transfers.storageCheck()).toEqual([]);
  });

  it('weighs a delivery to an endpoint with no location at the instance location', async () => {
    const organization = await as('dpo', 'PUT', '/v1/inventory/organization', {
      controllerName: faker.company.name(),
      country: 'DE',
    });
    expect(organization.statusCode, organization.body).toBe(200);
    const policies = (await as('dpo', 'GET', '/v1/transfers/policies')).json() as { items: { id: string }[] };
    const id = policies.items[0]?.id as string;
    const keepInEea = await as('dpo', 'PUT', `/v1/transfers/policies/${id}`, {
      name: 'EU data stays in the EEA',
      region: 'EU',
      allowedDestinations: ['EEA'],
      storageLocations: ['EEA', 'US'],
    });
    expect(keepInEea.statusCode, keepInEea.body).toBe(200);
    const guard = t.runtime.services.transfers.deliveryGuard;
    // No location and no downstream system: the endpoint is taken to be here (US), which the policy refuses.
    expect(await guard({ endpointId: faker.string.uuid(), location: null })).toMatchObject({ refused: true });
    expect(await guard({ endpointId: faker.string.uuid(), location: 'FR' })).toEqual({ refused: false });
  });
});
