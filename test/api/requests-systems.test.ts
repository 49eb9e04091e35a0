import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import {
  auditOf,
  caller,
  createCollections,
  createPerson,
  eventually,
  type Received,
  signedWith,
  startReceiver,
  workedRequest,
} from '../helpers/fulfilment.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(2020);

type Task = {
  id: string;
  status: string;
  attempts: number;
  failure: string | null;
  detail: string | null;
  deliveryId: string;
  system: { id: string; name: string };
};
type Message = { type: string; data: Record<string, unknown> & { callbackUrl: string; taskId: string } };

// Deliveries wait for pg-boss's worker loop (one fetch per slot every couple of seconds).
describe('downstream systems', { timeout: 120_000 }, () => {
  let t: TestApp;
  let service: AuthHeaders;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      env: {
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_WEBHOOK_MAX_ATTEMPTS: '2',
        CUSTOS_WEBHOOK_RETRY_DELAY: '100ms',
        CUSTOS_WEBHOOK_RETRY_MAX_DELAY: '1s',
        CUSTOS_WEBHOOK_TIMEOUT: '5s',
        CUSTOS_JOB_CONCURRENCY: '4',
      },
    });
    await t.runtime.jobs.start({ work: true });
    as = caller(t);
    service = await actAs(t, 'service');
    await createCollections(t, ['customers', 'orders']);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  // Each test registers the systems it is about; those of earlier tests are switched off.
  beforeEach(async () => {
    const systems = (await as('dpo', 'GET', '/v1/inventory/systems')).json().items as {
      id: string;
      fulfilment: { enabled: boolean } | null;
    }[];
    for (const system of systems.filter((row) => row.fulfilment?.enabled)) {
      const disabled = await as('dpo', 'PATCH', `/v1/inventory/systems/${system.id}`, { enabled: false });
      expect(disabled.statusCode).toBe(200);
    }
  });

  async function register(dataCategories: string[], options: { enabled?: boolean } = {}) {
    const path = receiver.newPath();
    const response = await as('dpo', 'POST', '/v1/inventory/systems', {
      name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
      owner: 'CRM team',
      dataCategories,
      endpointUrl: receiver.urlFor(path),
      ...options,
    });
    expect(response.statusCode, response.body).toBe(201);
    const { system, secret } = response.json() as {
      system: { id: string; fulfilment: { endpointId: string } };
      secret: string;
    };
    return { id: system.id, endpointId: system.fulfilment.endpointId, secret, path };
  }

  const tasksOf = async (requestId: string) =>
    (await as('privacy_agent', 'GET', `/v1/requests/${requestId}/tasks`)).json().items as Task[];
  const stateOf = async (requestId: string) =>
    (await as('privacy_agent', 'GET', `/v1/requests/${requestId}`)).json();

  /** The webhooks a system received, parsed, once at least `count` have arrived. */
  async function received(path: string, count = 1): Promise<(Received & { message: Message })[]> {
    return eventually(() => {
      const got = receiver.at(path);
      return got.length >= count
        ? got.map((entry) => ({ ...entry, message: JSON.parse(entry.body) as Message }))
        : undefined;
    });
  }

  /** The system's answer through its callback link, as it would send it. */
  function answer(callbackUrl: string, body: object) {
    const url = new URL(callbackUrl);
    return t.app.inject({ method: 'POST', url: `${url.pathname}${url.search}`, payload: body });
  }

  describe('registration', () => {
    it('registers a system with an endpoint of its own, whose secret is shown once', async () => {
      const system = await register(['user.contact']);
      expect(system.secret).toMatch(/^whsec_/);
      const listed = await as('privacy_agent', 'GET', '/v1/inventory/systems');
      expect(listed.statusCode).toBe(200);
      expect(listed.body).not.toContain(system.secret);
      const endpoint = await as('dpo', 'GET', `/v1/webhooks/endpoints/${system.endpointId}`);
      expect(endpoint.json()).toMatchObject({ eventTypes: [], enabled: true });
      expect((await as('privacy_agent', 'POST', '/v1/inventory/systems', {})).statusCode).toBe(403);
      const audited = (await auditOf(t, system.id)).map((entry) => entry.action);
      expect(audited).toEqual(['inventory.system.created']);
    });

    it('refuses unknown data categories and a name in use', async () => {
      const unknown = await as('dpo', 'POST', '/v1/inventory/systems', {
        name: 'Shoes',
        owner: 'Retail',
        dataCategories: ['footwear.size'],
        endpointUrl: receiver.urlFor('/x'),
      });
      expect(unknown.statusCode).toBe(400);
      expect(unknown.json().errors).toEqual([
        { in: 'body', path: 'dataCategories.0', message: 'is not a data category of the taxonomy' },
      ]);
      const first = await register(['user.name']);
      const name = (await as('dpo', 'GET', `/v1/inventory/systems/${first.id}`)).json().name;
      const again = await as('dpo', 'POST', '/v1/inventory/systems', {
        name,
        owner: 'x',
        dataCategories: ['user.name'],
        endpointUrl: receiver.urlFor('/y'),
      });
      expect(again.statusCode).toBe(409);
    });

    it('deletes an unused system with its endpoint; keeps one with tasks, and its endpoint', async () => {
      const unused = await register(['user.unique_id']);
      expect((await as('dpo', 'DELETE', `/v1/webhooks/endpoints/${unused.endpointId}`)).statusCode).toBe(409);
      expect((await as('dpo', 'DELETE', `/v1/inventory/systems/${unused.id}`)).statusCode).toBe(204);
      expect((await as('dpo', 'GET', `/v1/webhooks/endpoints/${unused.endpointId}`)).statusCode).toBe(404);

      const used = await register(['user.account']);
      const person = await createPerson(t, service, { orders: 0 });
      const requestId = await workedRequest(t, service, 'restriction', person);
      await as('privacy_agent', 'POST', `/v1/requests/${requestId}/restriction`, { ground: 'other' });
      const refused = await as('dpo', 'DELETE', `/v1/inventory/systems/${used.id}`);
      expect(refused.statusCode).toBe(409);
      const disabled = await as('dpo', 'PATCH', `/v1/inventory/systems/${used.id}`, { enabled: false });
      expect(disabled.json().system).toMatchObject({ fulfilment: { enabled: false } });
    });
  });

  it('sends an erasure to each system holding the data, signed, and completes when all confirm', async () => {
    const crm = await register(['user.contact']);
    const warehouse = await register(['user.behavior']);
    const payroll = await register(['user.financial']);
    const person = await createPerson(t, service);
    const requestId = await workedRequest(t, service, 'erasure', person);
    const erased = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
    expect(erased.statusCode, erased.body).toBe(200);
    expect(erased.json().request.state).toBe('awaiting_systems');
    const tasks = await tasksOf(requestId);
    expect(tasks.map((task) => task.system.id).sort()).toEqual([crm.id, warehouse.id].sort());
    expect(tasks.every((task) => task.status === 'pending')).toBe(true);

    const [toCrm] = await received(crm.path);
    const [toWarehouse] = await received(warehouse.path);
    expect(receiver.at(payroll.path)).toEqual([]);
    if (!toCrm || !toWarehouse) throw new Error('no webhooks');
    expect(signedWith(crm.secret, toCrm)).toBe(true);
    expect(signedWith(warehouse.secret, toWarehouse)).toBe(true);
    expect(toCrm.message).toMatchObject({
      type: 'downstream.erasure_requested',
      data: {
        requestId,
        subjectId: person.subjectId,
        systemId: crm.id,
        action: 'erasure',
        dataCategories: ['user.contact.email'],
      },
    });
    const callback = new URL(toCrm.message.data.callbackUrl);
    expect(callback.pathname).toBe(`/v1/system-tasks/${toCrm.message.data.taskId}/callback`);
    const token = callback.searchParams.get('token') as string;

    // The delivery log shows the message without the callback token, and the token is stored nowhere.
    const crmTask = tasks.find((task) => task.system.id === crm.id) as Task;
    const delivery = await as('dpo', 'GET', `/v1/webhooks/deliveries/${crmTask.deliveryId}`);
    expect(delivery.json().payload.data.callbackUrl).toContain('token=[redacted]');
    expect(await findInDatabase(t.runtime.database, [token])).toEqual([]);

    const completing = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/transitions`, {
      to: 'completed',
    });
    expect(completing.statusCode).toBe(409);
    expect(completing.json()).toMatchObject({ unconfirmedTasks: 2 });

    const wrong = await answer(`${callback.origin}${callback.pathname}?token=${'x'.repeat(43)}`, {
      status: 'done',
    });
    expect(wrong.statusCode).toBe(404);
    const first = await answer(toCrm.message.data.callbackUrl, { status: 'done', detail: 'Contact deleted' });
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'done', detail: 'Contact deleted' });
    expect((await stateOf(requestId)).state).toBe('awaiting_systems');
    expect((await answer(toCrm.message.data.callbackUrl, { status: 'done' })).statusCode).toBe(200);
    expect((await answer(toCrm.message.data.callbackUrl, { status: 'failed' })).statusCode).toBe(409);

    await answer(toWarehouse.message.data.callbackUrl, { status: 'done' });
    const done = await stateOf(requestId);
    expect(done.state).toBe('completed');
    expect(done.timeline.map((entry: { kind: string }) => entry.kind).slice(-6)).toEqual([
      'erased',
      'systems_notified',
      'state_changed',
      'system_confirmed',
      'system_confirmed',
      'state_changed',
    ]);
    expect(done.timeline.at(-1)).toMatchObject({
      kind: 'state_changed',
      to: 'completed',
      actor: { type: 'system' },
    });
    const audited = (await auditOf(t, requestId)).map((entry) => entry.action);
    expect(audited.filter((action) => action === 'request.system_task.confirmed')).toHaveLength(2);
  });

  it('forwards a rectification with its records and fields, and a restriction and its lifting', async () => {
    const crm = await register(['user.contact.email']);
    const warehouse = await register(['user.behavior.purchase_history']);
    const person = await createPerson(t, service);
    const rectification = await workedRequest(t, service, 'rectification', person);
    const rectified = await as('privacy_agent', 'POST', `/v1/requests/${rectification}/rectification`, {
      corrections: [{ recordId: person.customerId, fields: { email: faker.internet.email() } }],
    });
    expect(rectified.json().request.state).toBe('awaiting_systems');
    const [corrected] = await received(crm.path);
    expect(corrected?.message).toMatchObject({
      type: 'downstream.rectification_requested',
      data: {
        dataCategories: ['user.contact.email'],
        records: [{ recordId: person.customerId, collection: 'customers', fields: ['email'] }],
      },
    });
    expect(receiver.at(warehouse.path)).toEqual([]);

    const restriction = await workedRequest(t, service, 'restriction', person);
    const restricted = await as('privacy_agent', 'POST', `/v1/requests/${restriction}/restriction`, {
      ground: 'unlawful_processing',
    });
    expect(restricted.json().state).toBe('awaiting_systems');
    const toWarehouse = await received(warehouse.path);
    expect(toWarehouse[0]?.message.type).toBe('downstream.restriction_requested');
    const lifted = await as('dpo', 'POST', `/v1/subjects/${person.subjectId}/restriction/lift`, {
      reason: 'grounds_overriding',
    });
    expect(lifted.json()).toMatchObject({ lifted: 1, systems: 2 });
    const after = await received(warehouse.path, 2);
    expect(after[1]?.message).toMatchObject({
      type: 'downstream.restriction_lifted',
      data: { subjectId: person.subjectId, reason: 'grounds_overriding' },
    });
    expect(signedWith(warehouse.secret, after[1] as Received)).toBe(true);
  });

  it('tracks a failed task, sends it again with a new link, and lets an operator close the request', async () => {
    const system = await register(['user.name']);
    const person = await createPerson(t, service, { orders: 0 });
    const requestId = await workedRequest(t, service, 'erasure', person);
    await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
    const [first] = await received(system.path);
    const failed = await answer(first?.message.data.callbackUrl as string, {
      status: 'failed',
      detail: 'Record locked by an open ticket',
    });
    expect(failed.json()).toMatchObject({
      status: 'failed',
      failure: 'reported',
      detail: 'Record locked by an open ticket',
    });

    const [task] = await tasksOf(requestId);
    const retried = await as('privacy_agent', 'POST', `/v1/system-tasks/${task?.id}/retry`);
    expect(retried.statusCode, retried.body).toBe(200);
    expect(retried.json()).toMatchObject({ status: 'retried', attempts: 2, failure: null });
    const [, second] = await received(system.path, 2);
    expect(second?.message.data.taskId).toBe(task?.id);
    expect(second?.message.data.callbackUrl).not.toBe(first?.message.data.callbackUrl);
    expect((await answer(first?.message.data.callbackUrl as string, { status: 'done' })).statusCode).toBe(
      404,
    );

    const closed = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/closure`, {
      reason: 'confirmed_out_of_band',
      note: 'The CRM team confirmed by phone',
    });
    expect(closed.statusCode, closed.body).toBe(200);
    expect(closed.json().state).toBe('completed');
    const timeline = (await stateOf(requestId)).timeline;
    expect(timeline.at(-1)).toMatchObject({
      kind: 'state_changed',
      to: 'completed',
      details: { closure: 'confirmed_out_of_band', unconfirmedTasks: 1 },
      note: 'The CRM team confirmed by phone',
    });
    expect((await as('privacy_agent', 'POST', `/v1/system-tasks/${task?.id}/retry`)).statusCode).toBe(409);
  });

  it('fails a task whose webhook cannot be delivered', async () => {
    const system = await register(['user.demographic']);
    receiver.answer(system.path, () => 500);
    const person = await createPerson(t, service, { orders: 0 });
    const requestId = await workedRequest(t, service, 'erasure', person);
    await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
    const failed = await eventually(async () => {
      const [task] = await tasksOf(requestId);
      return task?.status === 'failed' ? task : undefined;
    });
    expect(failed).toMatchObject({ failure: 'undeliverable' });
    expect(receiver.at(system.path)).toHaveLength(2);
    const timeline = (await stateOf(requestId)).timeline;
    expect(timeline.at(-1)).toMatchObject({ kind: 'system_failed', details: { failure: 'undeliverable' } });
  });

  it('sends nothing to a disabled system', async () => {
    const system = await register(['user.contact'], { enabled: false });
    const person = await createPerson(t, service, { orders: 0 });
    const requestId = await workedRequest(t, service, 'restriction', person);
    const restricted = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/restriction`, {
      ground: 'other',
    });
    expect(await tasksOf(requestId)).toEqual([]);
    expect(restricted.json().state).toBe('completed');
    expect(receiver.at(system.path)).toEqual([]);
  });

  it('sends nothing to a system without an endpoint, until one is given', async () => {
    const created = await as('dpo', 'POST', '/v1/inventory/systems', {
      name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
      owner: 'Archive team',
      kind: 'paper',
      dataCategories: ['user.contact'],
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ secret: null, system: { fulfilment: null } });
    const person = await createPerson(t, service, { orders: 0 });
    const requestId = await workedRequest(t, service, 'restriction', person);
    await as('privacy_agent', 'POST', `/v1/requests/${requestId}/restriction`, { ground: 'other' });
    expect(await tasksOf(requestId)).toEqual([]);

    const path = receiver.newPath();
    const given = await as('dpo', 'PATCH', `/v1/inventory/systems/${created.json().system.id}`, {
      endpointUrl: receiver.urlFor(path),
    });
    expect(given.statusCode, given.body).toBe(200);
    expect(given.json().secret).toMatch(/^whsec_/);
    expect(given.json().system.fulfilment).toMatchObject({
      enabled: true,
      endpointUrl: receiver.urlFor(path),
    });
    const endpoint = await as(
      'dpo',
      'GET',
      `/v1/webhooks/endpoints/${given.json().system.fulfilment.endpointId}`,
    );
    expect(endpoint.json()).toMatchObject({ eventTypes: [], enabled: true });
  });
});
