import { createHmac } from 'node:crypto';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faker } from '@faker-js/faker';
import { expect } from 'vitest';
import type { Role } from '../../src/modules/access/permissions.js';
import { type AuthHeaders, actAs } from './auth.js';
import type { TestApp } from './test-app.js';

/** Collections the fulfilment tests store people in: an account, orders, and invoices kept for years. */
export const collections = {
  customers: {
    name: 'customers',
    description: 'Customer accounts',
    fields: [
      {
        name: 'email',
        type: 'email',
        category: 'user.contact.email',
        classification: 'confidential',
        required: true,
        indexed: true,
        tokenizable: true,
      },
      { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
      {
        name: 'birth_date',
        type: 'date',
        category: 'user.demographic.date_of_birth',
        classification: 'restricted',
      },
      { name: 'plan', type: 'string', category: 'user.account', classification: 'public' },
    ],
  },
  orders: {
    name: 'orders',
    description: 'Orders placed',
    multiple: true,
    fields: [
      {
        name: 'item',
        type: 'string',
        category: 'user.behavior.purchase_history',
        classification: 'internal',
      },
      { name: 'note', type: 'string', category: 'user.content', classification: 'confidential' },
    ],
  },
  invoices: {
    name: 'invoices',
    description: 'Invoices issued',
    multiple: true,
    fields: [
      {
        name: 'number',
        type: 'string',
        category: 'user.financial',
        classification: 'internal',
        indexed: true,
      },
      { name: 'amount', type: 'number', category: 'user.financial', classification: 'internal' },
      {
        name: 'billing_email',
        type: 'email',
        category: 'user.contact.email',
        classification: 'confidential',
        indexed: true,
      },
      { name: 'billing_name', type: 'string', category: 'user.name', classification: 'confidential' },
      { name: 'issued_on', type: 'date', category: 'user.financial', classification: 'internal' },
    ],
  },
} as const;

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Calls the app as a role (a fresh session) or with the given headers. */
export function caller(t: TestApp) {
  return async (who: Role | AuthHeaders, method: Method, url: string, payload?: object) => {
    const headers = typeof who === 'string' ? await actAs(t, who) : who;
    return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  };
}

/** Creates the fulfilment collections (as the DPO). */
export async function createCollections(
  t: TestApp,
  names: (keyof typeof collections)[] = ['customers', 'orders', 'invoices'],
) {
  const as = caller(t);
  for (const name of names) {
    const created = await as('dpo', 'POST', '/v1/collections', collections[name]);
    expect(created.statusCode, created.body).toBe(201);
  }
}

export type Person = {
  subjectId: string;
  email: string;
  fullName: string;
  customerId: string;
  orderIds: string[];
  invoiceIds: string[];
};

/** A subject with a customer record, two orders and (with `invoices`) two invoices. */
export async function createPerson(
  t: TestApp,
  service: AuthHeaders,
  options: { invoices?: number; orders?: number } = {},
): Promise<Person> {
  const as = caller(t);
  const subject = await as(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
  expect(subject.statusCode, subject.body).toBe(201);
  const subjectId = subject.json().id as string;
  const email = faker.internet.email();
  const fullName = faker.person.fullName();
  const store = async (collection: string, fields: Record<string, unknown>) => {
    const stored = await as(service, 'POST', `/v1/subjects/${subjectId}/records`, { collection, fields });
    expect(stored.statusCode, stored.body).toBe(201);
    return stored.json().id as string;
  };
  const customerId = await store('customers', {
    email,
    full_name: fullName,
    birth_date: faker.date.birthdate().toISOString().slice(0, 10),
    plan: 'pro',
  });
  const orderIds: string[] = [];
  for (let index = 0; index < (options.orders ?? 2); index += 1) {
    orderIds.push(
      await store('orders', { item: faker.commerce.productName(), note: faker.lorem.sentence() }),
    );
  }
  const invoiceIds: string[] = [];
  for (let index = 0; index < (options.invoices ?? 0); index += 1) {
    invoiceIds.push(
      await store('invoices', {
        number: `INV-${faker.string.numeric(8)}`,
        amount: faker.number.float({ min: 5, max: 500, fractionDigits: 2 }),
        billing_email: email,
        billing_name: fullName,
        issued_on: '2025-05-20',
      }),
    );
  }
  return { subjectId, email, fullName, customerId, orderIds, invoiceIds };
}

/** A verified request of `type` for the subject, moved to in_progress. */
export async function workedRequest(
  t: TestApp,
  service: AuthHeaders,
  type: string,
  person: Person,
): Promise<string> {
  const as = caller(t);
  const filed = await as(service, 'POST', '/v1/requests', {
    type,
    subjectId: person.subjectId,
    contactEmail: person.email,
    authenticatedSubject: true,
  });
  expect(filed.statusCode, filed.body).toBe(201);
  const started = await as('privacy_agent', 'POST', `/v1/requests/${filed.json().id}/transitions`, {
    to: 'in_progress',
  });
  expect(started.statusCode, started.body).toBe(200);
  return filed.json().id as string;
}

/** The held mail of a kind about a request (no SMTP in tests: everything is held in the outbox). */
export async function mailAbout(t: TestApp, kind: string, requestId: string) {
  const outbox = await caller(t)('dpo', 'GET', `/v1/outbox?kind=${kind}`);
  expect(outbox.statusCode, outbox.body).toBe(200);
  return outbox
    .json()
    .items.find((item: { reference: { id: string } | null }) => item.reference?.id === requestId) as
    | { content: { to: string; subject: string; text: string } }
    | undefined;
}

/** The audit entries about a target, oldest first. */
export async function auditOf(t: TestApp, targetId: string) {
  const entries = await caller(t)('auditor', 'GET', `/v1/audit/entries?targetId=${targetId}&limit=200`);
  expect(entries.statusCode, entries.body).toBe(200);
  return (entries.json().items as { action: string; details: Record<string, unknown> }[]).reverse();
}

export type Received = { path: string; headers: IncomingHttpHeaders; body: string };

/**
 * A downstream system on loopback: records every webhook and answers each path with the status `answer`
 * gives (204 by default).
 */
export async function startReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, () => number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(answers.get(path)?.() ?? 204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    newPath: () => `/systems/${faker.string.alphanumeric(12)}`,
    urlFor: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((entry) => entry.path === path),
    answer(path: string, status: () => number) {
      answers.set(path, status);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The receiver's check of a Standard Webhooks signature, written from the specification. */
export function signedWith(secret: string, request: Received): boolean {
  const id = request.headers['webhook-id'] as string;
  const timestamp = request.headers['webhook-timestamp'] as string;
  const key = Buffer.from(secret.slice('whsec_'.length), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${timestamp}.${request.body}`).digest('base64');
  return String(request.headers['webhook-signature']).split(' ').includes(`v1,${expected}`);
}

/** Polls until `check` returns a value (not undefined), or fails after the deadline. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 45_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * A downstream system registered at `receiver` (holding contact data) and the erasure of a fresh person,
 * which then waits for that system: the path its task arrives at, and the request.
 */
export async function erasureAwaitingSystem(
  t: TestApp,
  receiver: Awaited<ReturnType<typeof startReceiver>>,
): Promise<{ path: string; requestId: string }> {
  const as = caller(t);
  const path = receiver.newPath();
  const registered = await as('dpo', 'POST', '/v1/inventory/systems', {
    name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
    owner: 'CRM team',
    dataCategories: ['user.contact'],
    endpointUrl: receiver.urlFor(path),
  });
  expect(registered.statusCode, registered.body).toBe(201);
  const person = await createPerson(t, await actAs(t, 'service'), { orders: 0 });
  const requestId = await workedRequest(t, await actAs(t, 'service'), 'erasure', person);
  const erased = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
  expect(erased.json().request.state).toBe('awaiting_systems');
  return { path, requestId };
}

/** Answers a downstream task `done` through its callback link, as the system would; the request completes. */
export async function answerTaskDone(t: TestApp, callbackUrl: string, requestId: string): Promise<void> {
  const callback = new URL(callbackUrl);
  const answered = await t.app.inject({
    method: 'POST',
    url: `${callback.pathname}${callback.search}`,
    payload: { status: 'done' },
  });
  expect(answered.statusCode, answered.body).toBe(200);
  const request = await caller(t)('privacy_agent', 'GET', `/v1/requests/${requestId}`);
  expect(request.json().state).toBe('completed');
}
