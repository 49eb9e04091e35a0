import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import type { Tx } from '../../db/database.js';
import { fixedClock } from '../../lib/clock.js';
import type { DomainEvent } from './event-types.js';
import { subscriptionCache } from './subscription-cache.js';
import { deliverJobName } from './webhook-jobs.js';
import { webhookPublisher } from './webhook-publisher.js';

faker.seed(4242);

const tx = { kind: 'the caller’s transaction' } as unknown as Tx;

/** A publisher over fakes that count every query it would make. */
function publisherWith(subscriptions: { id: string; event_types: string[] | null }[]) {
  const clock = fixedClock('2024-05-01T12:00:00Z');
  const calls = { subscriptions: 0, insertMessages: 0, fanOut: 0 };
  const messages: { id: string; event_type: string; body: string }[] = [];
  const sent: { name: string; data: object; options: unknown }[] = [];
  const store = {
    subscriptions: async () => {
      calls.subscriptions += 1;
      return subscriptions;
    },
    insertMessages: async (_tx: unknown, rows: typeof messages) => {
      calls.insertMessages += 1;
      messages.push(...rows);
    },
    fanOut: async (_tx: unknown, ids: readonly string[]) => {
      calls.fanOut += 1;
      return ids.flatMap((messageId) =>
        subscriptions.map((endpoint) => ({
          id: faker.string.uuid(),
          message_id: messageId,
          endpoint_id: endpoint.id,
        })),
      );
    },
  };
  const cache = subscriptionCache({ store, clock, ttlMs: 5000 });
  const jobs = {
    send: async (name: string, data: object, options?: unknown) => {
      sent.push({ name, data, options });
      return faker.string.uuid();
    },
  };
  const publisher = webhookPublisher({ store, cache, jobs, clock });
  return { publisher, cache, clock, calls, messages, sent, subscriptions };
}

const withdrawal = (): DomainEvent => ({
  type: 'consent.withdrawn',
  data: { subjectId: faker.string.uuid(), purpose: 'marketing' },
});

describe('publishing events as webhooks', () => {
  it('costs no query for events nobody subscribes to, beyond one look per cache period', async () => {
    const { publisher, calls, clock } = publisherWith([]);
    for (let i = 0; i < 1000; i += 1) await publisher.publish(tx, [withdrawal()]);
    expect(calls).toEqual({ subscriptions: 1, insertMessages: 0, fanOut: 0 });

    clock.advance(5000);
    await publisher.publish(tx, [withdrawal()]);
    expect(calls.subscriptions).toBe(2);
  });

  it('writes a message per subscribed event and enqueues one job per delivery, in the caller’s transaction', async () => {
    const endpoints = [
      { id: faker.string.uuid(), event_types: ['consent.withdrawn'] },
      { id: faker.string.uuid(), event_types: null },
    ];
    const { publisher, messages, sent } = publisherWith(endpoints);
    const event = withdrawal();

    await publisher.publish(tx, [event]);

    expect(messages).toHaveLength(1);
    expect(messages[0]?.id).toMatch(/^msg_/);
    expect(JSON.parse(messages[0]?.body ?? '')).toEqual({
      type: 'consent.withdrawn',
      timestamp: '2024-05-01T12:00:00.000Z',
      data: event.data,
    });
    expect(sent).toHaveLength(2);
    for (const job of sent) {
      expect(job.name).toBe(deliverJobName);
      expect(job.data).toEqual({ deliveryId: expect.any(String), attempt: 1 });
      expect(job.options).toEqual({ tx });
    }
  });

  it('leaves out events of types no endpoint takes', async () => {
    const { publisher, messages } = publisherWith([
      { id: faker.string.uuid(), event_types: ['consent.granted'] },
    ]);
    await publisher.publish(tx, [
      withdrawal(),
      { type: 'consent.granted', data: { subjectId: faker.string.uuid() } },
    ]);
    expect(messages.map((message) => message.event_type)).toEqual(['consent.granted']);
  });

  it('sees a change to endpoints made here at once, after invalidation', async () => {
    const { publisher, cache, calls, subscriptions, messages } = publisherWith([]);
    await publisher.publish(tx, [withdrawal()]);
    expect(messages).toEqual([]);

    subscriptions.push({ id: faker.string.uuid(), event_types: null });
    cache.invalidate();
    await publisher.publish(tx, [withdrawal()]);
    expect(calls.subscriptions).toBe(2);
    expect(messages).toHaveLength(1);
  });
});
