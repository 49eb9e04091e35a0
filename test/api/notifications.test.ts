import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { DomainEvent, EventType } from '../../src/modules/notifications/event-types.js';
import { deliverJobName } from '../../src/modules/notifications/webhook-jobs.js';
import { actAs } from '../helpers/auth.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(5150);

type Received = { path: string; headers: IncomingHttpHeaders; body: string };

/**
 * A webhook receiver on loopback: records every request and answers each path as told (`answer(path,
 * attempt)` gives the status, or a promise of it, for the n-th request to that path, 1-based); 204 unless
 * told otherwise.
 */
async function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, (attempt: number) => number | Promise<number>>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', async () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const attempt = received.filter((entry) => entry.path === path).length;
      const status = (await answers.get(path)?.(attempt)) ?? 204;
      response.writeHead(status, { 'content-type': 'text/plain' });
      response.end(status >= 300 ? `receiver refused attempt ${attempt}\u0000\n` : undefined);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    newPath: () => `/hooks/${faker.string.alphanumeric(12)}`,
    urlFor: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((entry) => entry.path === path),
    answer(path: string, status: (attempt: number) => number | Promise<number>) {
      answers.set(path, status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The receiver's check, written from the Standard Webhooks spec rather than taken from Custos. */
function signedWith(secret: string, request: Received): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64');
  return String(request.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

// Attempts wait for pg-boss's worker loop (one fetch per slot every 2 s), so a few retries take seconds.
const waitOptions = { timeout: 45_000, interval: 100 };

describe('outgoing webhooks', { timeout: 60_000 }, () => {
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let manager: Record<string, string>;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      env: {
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_WEBHOOK_MAX_ATTEMPTS: '3',
        CUSTOS_WEBHOOK_RETRY_DELAY: '100ms',
        CUSTOS_WEBHOOK_RETRY_MAX_DELAY: '1s',
        CUSTOS_WEBHOOK_TIMEOUT: '5s',
        CUSTOS_JOB_CONCURRENCY: '4',
      },
    });
    await t.runtime.jobs.start({ work: true });
    manager = await actAs(t, 'dpo');
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  const db = () => t.runtime.database.db;
  const notifications = () => t.runtime.services.notifications;

  async function createEndpoint(options: { path?: string; eventTypes?: EventType[] | null } = {}) {
    const path = options.path ?? receiver.newPath();
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/endpoints',
      headers: manager,
      payload: {
        url: receiver.urlFor(path),
        description: faker.company.catchPhrase(),
        eventTypes: options.eventTypes === undefined ? ['consent.denied'] : options.eventTypes,
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const { endpoint, secret } = response.json() as { endpoint: { id: string }; secret: string };
    return { id: endpoint.id, secret, path };
  }

  async function publishCommitted(events: DomainEvent[]) {
    await db()
      .transaction()
      .execute((tx) => notifications().publish(tx, events));
  }

  function consentEvent(type: EventType): DomainEvent {
    return {
      type,
      data: {
        subjectId: faker.string.uuid(),
        purpose: faker.helpers.arrayElement(['marketing', 'analytics']),
      },
    };
  }

  async function delivery(id: string) {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/webhooks/deliveries/${id}`,
      headers: manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  async function deliveriesOf(endpointId: string, query = '') {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/webhooks/deliveries?endpointId=${endpointId}${query}`,
      headers: manager,
    });
    expect(response.statusCode, response.body).toBe(200);
    return response.json() as {
      items: { id: string; status: string; eventType: string }[];
      nextCursor: string | null;
    };
  }

  async function auditActions(action: string, targetId: string) {
    return db()
      .selectFrom('audit_entries')
      .selectAll()
      .where('action', '=', action)
      .where('target_id', '=', targetId)
      .execute();
  }

  /** The delivery jobs queued for a delivery, with the delay pg-boss was asked to wait before each. */
  async function attemptJobs(deliveryId: string) {
    const { rows } = await sql<{ attempt: number; delay_ms: number }>`
      select (data->>'attempt')::int as attempt,
             round(extract(epoch from (start_after - created_on)) * 1000)::int as delay_ms
      from pgboss.job
      where name = ${deliverJobName} and data->>'deliveryId' = ${deliveryId}
      order by 1
    `.execute(db());
    return rows;
  }

  it('creates an endpoint, shows its whsec_ secret once, and keeps the secret only sealed', async () => {
    const { id, secret } = await createEndpoint();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);

    const shown = await t.app.inject({
      method: 'GET',
      url: `/v1/webhooks/endpoints/${id}`,
      headers: manager,
    });
    expect(shown.statusCode).toBe(200);
    expect(shown.json()).toMatchObject({ id, enabled: true, eventTypes: ['consent.denied'] });
    expect(shown.body).not.toContain(secret.slice(6));
    const listed = await t.app.inject({ method: 'GET', url: '/v1/webhooks/endpoints', headers: manager });
    expect(listed.body).not.toContain(secret.slice(6));

    const keyHex = Buffer.from(secret.slice(6), 'base64').toString('hex');
    expect(await findInDatabase(t.runtime.database, [secret, secret.slice(6), keyHex])).toEqual([]);
    expect(await auditActions('webhook.endpoint.created', id)).toHaveLength(1);
  });

  it('sends a webhook.test message signed per Standard Webhooks, verifiable with the secret from creation', async () => {
    const { id, secret, path } = await createEndpoint();
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${id}/test`,
      headers: manager,
    });
    expect(sent.statusCode, sent.body).toBe(202);
    const queued = sent.json();
    expect(queued).toMatchObject({ endpointId: id, eventType: 'webhook.test', status: 'pending' });

    await vi.waitFor(() => expect(receiver.at(path)).toHaveLength(1), waitOptions);
    const [request] = receiver.at(path) as [Received];
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers['webhook-id']).toBe(queued.messageId);
    expect(queued.messageId).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
    const timestamp = Number(request.headers['webhook-timestamp']);
    expect(Math.abs(timestamp - Date.now() / 1000)).toBeLessThan(300);
    expect(signedWith(secret, request)).toBe(true);
    expect(signedWith(`whsec_${Buffer.alloc(32, 7).toString('base64')}`, request)).toBe(false);
    const body = JSON.parse(request.body);
    expect(body).toEqual({ type: 'webhook.test', timestamp: expect.any(String), data: { endpointId: id } });
    expect(new Date(body.timestamp).toISOString()).toBe(body.timestamp);

    await vi.waitFor(async () => expect((await delivery(queued.id)).status).toBe('delivered'), waitOptions);
    const detail = await delivery(queued.id);
    expect(detail).toMatchObject({
      attempts: 1,
      round: 1,
      lastStatusCode: 204,
      lastError: null,
      nextAttemptAt: null,
    });
    expect(detail.payload).toEqual(body);
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({ attempt: 1, round: 1, statusCode: 204, error: null, responseSnippet: null }),
    ]);
    expect(await auditActions('webhook.endpoint.tested', id)).toHaveLength(1);
  });

  it('delivers consent events published in a committed transaction to the endpoints subscribed to their type', async () => {
    const withdrawals = await createEndpoint({ eventTypes: ['consent.withdrawn'] });
    const everything = await createEndpoint({ eventTypes: null });
    const grants = await createEndpoint({ eventTypes: ['consent.granted'] });
    const event = consentEvent('consent.withdrawn');

    await publishCommitted([event]);

    await vi.waitFor(() => {
      expect(receiver.at(withdrawals.path)).toHaveLength(1);
      expect(receiver.at(everything.path)).toHaveLength(1);
    }, waitOptions);
    for (const { path, secret } of [withdrawals, everything]) {
      const [request] = receiver.at(path) as [Received];
      expect(signedWith(secret, request)).toBe(true);
      expect(JSON.parse(request.body)).toEqual({
        type: 'consent.withdrawn',
        timestamp: expect.any(String),
        data: event.data,
      });
    }
    // One message, one webhook-id, whichever endpoint receives it.
    expect(receiver.at(withdrawals.path)[0]?.headers['webhook-id']).toBe(
      receiver.at(everything.path)[0]?.headers['webhook-id'],
    );
    expect((await deliveriesOf(grants.id)).items).toEqual([]);
    expect(receiver.at(grants.path)).toEqual([]);
  });

  it('sends nothing when the publishing transaction rolls back', async () => {
    const endpoint = await createEndpoint({ eventTypes: ['consent.expired'] });
    const countJobs = async () =>
      Number(
        (
          await sql<{
            n: number;
          }>`select count(*)::int as n from pgboss.job where name = ${deliverJobName}`.execute(db())
        ).rows[0]?.n,
      );
    const countMessages = async () =>
      Number(
        (
          await db()
            .selectFrom('webhook_messages')
            .select((eb) => eb.fn.countAll<number>().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const [jobsBefore, messagesBefore] = [await countJobs(), await countMessages()];
    const doomed = consentEvent('consent.expired');

    await expect(
      db()
        .transaction()
        .execute(async (tx) => {
          await notifications().publish(tx, [doomed]);
          throw new Error('the consent change failed');
        }),
    ).rejects.toThrow('the consent change failed');

    expect(await countJobs()).toBe(jobsBefore);
    expect(await countMessages()).toBe(messagesBefore);
    expect((await deliveriesOf(endpoint.id)).items).toEqual([]);

    // A committed event after it arrives, and it is the only one that does.
    const kept = consentEvent('consent.expired');
    await publishCommitted([kept]);
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(1), waitOptions);
    expect(JSON.parse(receiver.at(endpoint.path)[0]?.body ?? '{}').data).toEqual(kept.data);
    expect((await deliveriesOf(endpoint.id)).items).toHaveLength(1);
  });

  it('retries a refused attempt with backoff and the same webhook-id, and records every attempt', async () => {
    const endpoint = await createEndpoint();
    receiver.answer(endpoint.path, (attempt) => (attempt === 1 ? 500 : 200));
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    const deliveryId = sent.json().id as string;

    await vi.waitFor(async () => expect((await delivery(deliveryId)).status).toBe('delivered'), waitOptions);
    const requests = receiver.at(endpoint.path);
    expect(requests).toHaveLength(2);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    for (const request of requests) expect(signedWith(endpoint.secret, request)).toBe(true);

    const detail = await delivery(deliveryId);
    expect(detail).toMatchObject({ attempts: 2, lastStatusCode: 200, lastError: null });
    expect(detail.attemptLog).toEqual([
      expect.objectContaining({
        attempt: 1,
        statusCode: 500,
        error: 'http_status',
        responseSnippet: 'receiver refused attempt 1',
      }),
      expect.objectContaining({ attempt: 2, statusCode: 200, error: null }),
    ]);
    // The retry was queued to start one retry delay (100ms) after the failed attempt was recorded.
    expect(await attemptJobs(deliveryId)).toEqual([
      { attempt: 1, delay_ms: 0 },
      { attempt: 2, delay_ms: 100 },
    ]);
  });

  it('dead-letters a delivery after the configured attempts, then redelivers it on request', async () => {
    const endpoint = await createEndpoint();
    let refusing = true;
    receiver.answer(endpoint.path, () => (refusing ? 503 : 204));
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    const deliveryId = sent.json().id as string;

    await vi.waitFor(
      async () => expect((await delivery(deliveryId)).status).toBe('dead_lettered'),
      waitOptions,
    );
    const dead = await delivery(deliveryId);
    expect(dead).toMatchObject({ attempts: 3, round: 1, lastStatusCode: 503, lastError: 'http_status' });
    expect(dead.deadLetteredAt).not.toBeNull();
    expect(dead.attemptLog.map((attempt: { statusCode: number }) => attempt.statusCode)).toEqual([
      503, 503, 503,
    ]);
    expect(await attemptJobs(deliveryId)).toEqual([
      { attempt: 1, delay_ms: 0 },
      { attempt: 2, delay_ms: 100 },
      { attempt: 3, delay_ms: 200 },
    ]);
    expect((await deliveriesOf(endpoint.id, '&status=dead_lettered')).items.map((item) => item.id)).toEqual([
      deliveryId,
    ]);

    refusing = false;
    const redelivered = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/deliveries/${deliveryId}/redeliver`,
      headers: manager,
    });
    expect(redelivered.statusCode, redelivered.body).toBe(202);
    expect(redelivered.json()).toMatchObject({
      status: 'pending',
      round: 2,
      attempts: 3,
      deadLetteredAt: null,
    });

    await vi.waitFor(async () => expect((await delivery(deliveryId)).status).toBe('delivered'), waitOptions);
    const detail = await delivery(deliveryId);
    expect(detail.attemptLog.at(-1)).toMatchObject({ attempt: 4, round: 2, statusCode: 204 });
    const requests = receiver.at(endpoint.path);
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((request) => request.headers['webhook-id'])).size).toBe(1);
    expect(await auditActions('webhook.delivery.redelivered', deliveryId)).toHaveLength(1);

    const again = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/deliveries/${deliveryId}/redeliver`,
      headers: manager,
    });
    expect(again.statusCode).toBe(202);
    await vi.waitFor(async () => expect((await delivery(deliveryId)).status).toBe('delivered'), waitOptions);
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(5), waitOptions);
  });

  it('redelivers all dead-lettered deliveries of an endpoint at once', async () => {
    const endpoint = await createEndpoint({ eventTypes: ['consent.granted'] });
    let refusing = true;
    receiver.answer(endpoint.path, () => (refusing ? 500 : 204));
    await publishCommitted([consentEvent('consent.granted'), consentEvent('consent.granted')]);

    await vi.waitFor(async () => {
      const page = await deliveriesOf(endpoint.id);
      expect(page.items.map((item) => item.status)).toEqual(['dead_lettered', 'dead_lettered']);
    }, waitOptions);

    refusing = false;
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/redeliver`,
      headers: manager,
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({ redelivered: 2, remaining: 0 });
    await vi.waitFor(async () => {
      const page = await deliveriesOf(endpoint.id);
      expect(page.items.map((item) => item.status)).toEqual(['delivered', 'delivered']);
    }, waitOptions);
    expect(await auditActions('webhook.endpoint.redelivered', endpoint.id)).toHaveLength(1);

    const nothingLeft = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/redeliver`,
      headers: manager,
    });
    expect(nothingLeft.json()).toEqual({ redelivered: 0, remaining: 0 });
  });

  it('refuses to redeliver a delivery that is still on its way', async () => {
    const endpoint = await createEndpoint();
    let release: (status: number) => void = () => {};
    const held = new Promise<number>((resolve) => {
      release = resolve;
    });
    receiver.answer(endpoint.path, () => held);
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    const deliveryId = sent.json().id as string;
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(1), waitOptions);

    const refused = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/deliveries/${deliveryId}/redeliver`,
      headers: manager,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'conflict', nextAttemptAt: expect.any(String) });

    release(200);
    await vi.waitFor(async () => expect((await delivery(deliveryId)).status).toBe('delivered'), waitOptions);
    expect(receiver.at(endpoint.path)).toHaveLength(1);
  });

  it('signs with the new and the previous secret during the grace period after a rotation', async () => {
    const endpoint = await createEndpoint();
    const rotated = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      headers: manager,
      payload: {},
    });
    expect(rotated.statusCode, rotated.body).toBe(200);
    const { secret: newSecret, endpoint: shown } = rotated.json();
    expect(newSecret).not.toBe(endpoint.secret);
    expect(new Date(shown.previousSecretExpiresAt).getTime()).toBeGreaterThan(Date.now() + 23 * 3_600_000);

    await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(1), waitOptions);
    const [duringGrace] = receiver.at(endpoint.path) as [Received];
    expect(String(duringGrace.headers['webhook-signature']).split(' ')).toHaveLength(2);
    expect(signedWith(newSecret, duringGrace)).toBe(true);
    expect(signedWith(endpoint.secret, duringGrace)).toBe(true);

    const revoked = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/rotate-secret`,
      headers: manager,
      payload: { gracePeriodSeconds: 0 },
    });
    const latest = revoked.json().secret as string;
    expect(revoked.json().endpoint.previousSecretExpiresAt).toBeNull();
    await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(2), waitOptions);
    const afterRevocation = receiver.at(endpoint.path)[1] as Received;
    expect(String(afterRevocation.headers['webhook-signature']).split(' ')).toHaveLength(1);
    expect(signedWith(latest, afterRevocation)).toBe(true);
    expect(signedWith(newSecret, afterRevocation)).toBe(false);
    expect(await auditActions('webhook.endpoint.secret_rotated', endpoint.id)).toHaveLength(2);
  });

  it('dead-letters deliveries of a disabled endpoint unsent, and redelivers them once it is enabled again', async () => {
    const endpoint = await createEndpoint({ eventTypes: ['consent.denied'] });
    // The endpoint is disabled in the same transaction that queues the delivery, so the worker finds it so.
    await db()
      .transaction()
      .execute(async (tx) => {
        await notifications().publish(tx, [consentEvent('consent.denied')]);
        await tx
          .updateTable('webhook_endpoints')
          .set({ enabled: false })
          .where('id', '=', endpoint.id)
          .execute();
      });

    await vi.waitFor(async () => {
      const [item] = (await deliveriesOf(endpoint.id)).items;
      expect(item?.status).toBe('dead_lettered');
    }, waitOptions);
    const item = (await deliveriesOf(endpoint.id)).items[0] as { id: string };
    expect(await delivery(item.id)).toMatchObject({
      attempts: 0,
      lastError: 'endpoint_disabled',
      attemptLog: [],
    });
    expect(receiver.at(endpoint.path)).toEqual([]);

    const whileDisabled = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/deliveries/${item.id}/redeliver`,
      headers: manager,
    });
    expect(whileDisabled.statusCode).toBe(409);
    expect(whileDisabled.json().code).toBe('conflict');

    const enabled = await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: manager,
      payload: { enabled: true },
    });
    expect(enabled.json()).toMatchObject({ enabled: true });
    const redeliver = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/redeliver`,
      headers: manager,
    });
    expect(redeliver.json()).toEqual({ redelivered: 1, remaining: 0 });
    await vi.waitFor(() => expect(receiver.at(endpoint.path)).toHaveLength(1), waitOptions);
    expect(signedWith(endpoint.secret, receiver.at(endpoint.path)[0] as Received)).toBe(true);
  });

  it('does nothing when a delivery job runs again for an attempt already made', async () => {
    const endpoint = await createEndpoint();
    const sent = await t.app.inject({
      method: 'POST',
      url: `/v1/webhooks/endpoints/${endpoint.id}/test`,
      headers: manager,
    });
    const deliveryId = sent.json().id as string;
    await vi.waitFor(async () => expect((await delivery(deliveryId)).status).toBe('delivered'), waitOptions);

    const job = t.runtime.services.jobDefinitions.find((definition) => definition.name === deliverJobName);
    await job?.handler({ deliveryId, attempt: 1 }, { id: faker.string.uuid() });
    expect(await notifications().attempt(deliveryId, 1)).toBe('stale');
    expect(await notifications().attempt(faker.string.uuid(), 1)).toBe('stale');
    expect((await delivery(deliveryId)).attemptLog).toHaveLength(1);
    expect(receiver.at(endpoint.path)).toHaveLength(1);
  });

  it('lists deliveries newest first, filtered, a page at a time', async () => {
    const endpoint = await createEndpoint({ eventTypes: ['consent.denied', 'consent.withdrawn'] });
    await publishCommitted([
      consentEvent('consent.denied'),
      consentEvent('consent.withdrawn'),
      consentEvent('consent.denied'),
      consentEvent('consent.withdrawn'),
      consentEvent('consent.denied'),
    ]);

    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await deliveriesOf(
        endpoint.id,
        `&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
      );
      sizes.push(page.items.length);
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(new Set(seen).size).toBe(5);

    const all = await deliveriesOf(endpoint.id);
    expect(all.items.map((item) => item.id)).toEqual(seen);
    const denied = await deliveriesOf(endpoint.id, '&eventType=consent.denied');
    expect(denied.items).toHaveLength(3);
    expect(denied.items.every((item) => item.eventType === 'consent.denied')).toBe(true);

    const badCursor = await t.app.inject({
      method: 'GET',
      url: '/v1/webhooks/deliveries?cursor=bm9wZQ',
      headers: manager,
    });
    expect(badCursor.statusCode).toBe(400);
    expect(badCursor.json().code).toBe('invalid_query_parameter');
  });

  it('changes and deletes endpoints, audited, and lets readers only read', async () => {
    const endpoint = await createEndpoint();
    const changed = await t.app.inject({
      method: 'PATCH',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: manager,
      payload: {
        description: 'billing system',
        eventTypes: ['consent.granted', 'consent.denied', 'consent.granted'],
      },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({
      description: 'billing system',
      eventTypes: ['consent.denied', 'consent.granted'],
    });
    const [entry] = await auditActions('webhook.endpoint.updated', endpoint.id);
    expect(entry?.details).toMatchObject({ changed: ['description', 'eventTypes'] });
    expect(JSON.stringify(entry?.details)).not.toContain(endpoint.path);

    const auditor = await actAs(t, 'auditor');
    const read = await t.app.inject({
      method: 'GET',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: auditor,
    });
    expect(read.statusCode).toBe(200);
    const refused = await t.app.inject({
      method: 'DELETE',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: auditor,
    });
    expect(refused.statusCode).toBe(403);

    const deleted = await t.app.inject({
      method: 'DELETE',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: manager,
    });
    expect(deleted.statusCode).toBe(204);
    const gone = await t.app.inject({
      method: 'GET',
      url: `/v1/webhooks/endpoints/${endpoint.id}`,
      headers: manager,
    });
    expect(gone.statusCode).toBe(404);
    expect(await auditActions('webhook.endpoint.deleted', endpoint.id)).toHaveLength(1);
  });

  it('prunes finished messages past the retention period with their log, and keeps pending ones', async () => {
    const endpoint = await createEndpoint();
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    const oldMessage = async (status: 'delivered' | 'dead_lettered' | 'pending') => {
      const id = `msg_${faker.string.alphanumeric(24)}`;
      await db()
        .insertInto('webhook_messages')
        .values({ id, event_type: 'consent.denied', body: '{}', created_at: longAgo })
        .execute();
      await db()
        .insertInto('webhook_deliveries')
        .values({
          message_id: id,
          endpoint_id: endpoint.id,
          event_type: 'consent.denied',
          status,
          created_at: longAgo,
        })
        .execute();
      return id;
    };
    const delivered = await oldMessage('delivered');
    const dead = await oldMessage('dead_lettered');
    const pending = await oldMessage('pending');
    const prune = t.runtime.services.pruneTasks.find((task) => task.name === 'webhook_messages');

    expect(await prune?.prune()).toBeGreaterThanOrEqual(2);

    const left = await db()
      .selectFrom('webhook_messages')
      .select('id')
      .where('id', 'in', [delivered, dead, pending])
      .execute();
    expect(left.map((row) => row.id)).toEqual([pending]);
    expect((await deliveriesOf(endpoint.id)).items.map((item) => item.status)).toEqual(['pending']);
  });

  it('lists the event types and the retry schedule', async () => {
    const response = await t.app.inject({ method: 'GET', url: '/v1/webhooks/event-types', headers: manager });
    expect(response.statusCode).toBe(200);
    expect(response.json().items).toContainEqual({ type: 'consent.withdrawn', subscribable: true });
    expect(response.json().items).toContainEqual({ type: 'webhook.test', subscribable: false });
    expect(response.json().retrySchedule).toEqual([0.1, 0.2]);
  });
});

describe('webhook destinations under the default settings', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('requires https and refuses loopback and private addresses', async () => {
    const headers = await actAs(t, 'dpo');
    for (const [url, message] of [
      ['http://hooks.example.com/custos', 'must use https'],
      ['https://127.0.0.1:8443/custos', 'must not point to a loopback, private or reserved address'],
      ['https://localhost/custos', 'must not point to this host or an internal name'],
      ['https://10.0.0.7/custos', 'must not point to a loopback, private or reserved address'],
    ] as const) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/v1/webhooks/endpoints',
        headers,
        payload: { url },
      });
      expect(response.statusCode, url).toBe(400);
      expect(response.json()).toMatchObject({
        code: 'validation_failed',
        errors: [{ in: 'body', path: 'url', message }],
      });
    }
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/endpoints',
      headers,
      payload: { url: 'https://hooks.example.com/custos' },
    });
    expect(accepted.statusCode).toBe(201);
    expect(accepted.json().endpoint.eventTypes).toBeNull();
  });
});
