import { faker } from '@faker-js/faker';
import { strFromU8, unzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { Role } from '../../src/modules/access/permissions.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(63);

const clock = fixedClock('2025-06-02T08:00:00Z');
const dayMs = 86_400_000;

const customers = {
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
    },
    { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
    { name: 'plan', type: 'string', category: 'user.account', classification: 'public' },
  ],
};
const orders = {
  name: 'orders',
  description: 'Orders placed',
  multiple: true,
  fields: [
    { name: 'item', type: 'string', category: 'user.behavior.purchase_history', classification: 'internal' },
    { name: 'note', type: 'string', category: 'user.content', classification: 'confidential' },
  ],
};

describe('fulfilling access and portability requests', () => {
  let t: TestApp;
  let service: AuthHeaders;

  beforeAll(async () => {
    t = await createTestApp({ clock });
    service = await actAs(t, 'service');
    const dpo = await actAs(t, 'dpo');
    for (const payload of [customers, orders]) {
      const created = await t.app.inject({ method: 'POST', url: '/v1/collections', headers: dpo, payload });
      expect(created.statusCode, created.body).toBe(201);
    }
    const purpose = await t.app.inject({
      method: 'POST',
      url: '/v1/consent/purposes',
      headers: dpo,
      payload: {
        key: 'newsletter',
        name: 'Monthly newsletter',
        legalBasis: 'consent',
        dataUses: ['marketing.communications'],
        dataCategories: ['user.contact.email'],
        text: 'Send me the monthly newsletter.',
      },
    });
    expect(purpose.statusCode, purpose.body).toBe(201);
  });
  afterAll(() => t.close());

  async function as(who: Role | AuthHeaders, method: 'GET' | 'POST', url: string, payload?: object) {
    const headers = typeof who === 'string' ? await actAs(t, who) : who;
    return t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
  }

  /** A subject with a customer record, two orders and a newsletter consent. */
  async function person() {
    const subject = await as(service, 'POST', '/v1/subjects', { externalId: faker.string.uuid() });
    const subjectId = subject.json().id as string;
    const data = {
      email: faker.internet.email(),
      full_name: `${faker.person.fullName()} <b>`,
      plan: 'pro',
      items: [faker.commerce.productName(), faker.commerce.productName()],
    };
    const records = [
      { collection: 'customers', fields: { email: data.email, full_name: data.full_name, plan: data.plan } },
      ...data.items.map((item) => ({ collection: 'orders', fields: { item, note: '=SUM(A1:A9)' } })),
    ];
    for (const record of records) {
      const stored = await as(service, 'POST', `/v1/subjects/${subjectId}/records`, record);
      expect(stored.statusCode, stored.body).toBe(201);
    }
    const consent = await as(service, 'POST', '/v1/consent/events', {
      subject: { id: subjectId },
      purposes: ['newsletter'],
      action: 'grant',
      method: 'explicit_opt_in',
    });
    expect(consent.statusCode, consent.body).toBeLessThan(300);
    return { subjectId, data };
  }

  /** A verified request of `type` for the subject, moved to in_progress. */
  async function workedRequest(type: string, subjectId: string, contactEmail: string) {
    const filed = await as(service, 'POST', '/v1/requests', {
      type,
      subjectId,
      contactEmail,
      authenticatedSubject: true,
    });
    expect(filed.statusCode, filed.body).toBe(201);
    const started = await as('privacy_agent', 'POST', `/v1/requests/${filed.json().id}/transitions`, {
      to: 'in_progress',
    });
    expect(started.statusCode).toBe(200);
    return filed.json().id as string;
  }

  async function createExports(requestId: string) {
    const response = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/exports`);
    expect(response.statusCode, response.body).toBe(201);
    return response.json().items as { id: string; format: string; downloadUrl: string; expiresAt: string }[];
  }

  /** Downloads as the subject would: no credentials but the link. */
  const download = (url: string) =>
    t.app.inject({ method: 'GET', url: new URL(url).pathname + new URL(url).search });

  it('builds the access package as JSON and HTML with the data, purposes and consent history', async () => {
    clock.set('2025-06-02T08:00:00Z');
    const { subjectId, data } = await person();
    const requestId = await workedRequest('access', subjectId, data.email);
    const exports = await createExports(requestId);
    expect(exports.map((item) => item.format)).toEqual(['json', 'html']);
    expect(exports[0]).toMatchObject({ expiresAt: '2025-06-09T08:00:00.000Z', size: expect.any(Number) });
    expect(exports[0]?.downloadUrl).toMatch(
      new RegExp(`^http://localhost:8080/v1/request-exports/${exports[0]?.id}/download\\?token=[\\w-]{43}$`),
    );

    const json = await download(exports[0]?.downloadUrl as string);
    expect(json.statusCode).toBe(200);
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(json.headers['content-disposition']).toBe(`attachment; filename="access-${requestId}.json"`);
    const pkg = json.json();
    expect(pkg).toMatchObject({ format: 'custos.access-package', subject: { id: subjectId } });
    const byCollection = Object.fromEntries(
      pkg.personalData.map((collection: { collection: string; records: unknown[] }) => [
        collection.collection,
        collection.records,
      ]),
    );
    expect(byCollection.customers[0].values).toEqual({
      email: data.email,
      full_name: data.full_name,
      plan: data.plan,
    });
    expect(
      byCollection.orders.map((record: { values: { item: string } }) => record.values.item).sort(),
    ).toEqual([...data.items].sort());
    expect(pkg.purposes).toEqual([expect.objectContaining({ key: 'newsletter', legalBasis: 'consent' })]);
    expect(pkg.consentHistory).toEqual([expect.objectContaining({ purpose: 'newsletter', action: 'grant' })]);
    expect(pkg.categories.map((category: { key: string }) => category.key)).toContain('user.contact.email');

    const html = await download(exports[1]?.downloadUrl as string);
    expect(html.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(html.body).toContain(data.full_name.replace('<b>', '&lt;b&gt;'));
    expect(html.body).toContain('Monthly newsletter');
  });

  it('e-mails the subject the links, and reads the vault for the dsr_fulfilment purpose, audited', async () => {
    const { subjectId, data } = await person();
    const requestId = await workedRequest('know', subjectId, data.email);
    const exports = await createExports(requestId);

    const outbox = (await as('dpo', 'GET', '/v1/outbox?kind=request.export_ready')).json().items;
    const notice = outbox.find((item: { reference: { id: string } }) => item.reference.id === requestId);
    expect(notice.content.to).toBe(data.email);
    for (const item of exports) expect(notice.content.text).toContain(item.downloadUrl);

    const reads = await as(
      'auditor',
      'GET',
      `/v1/audit/entries?action=vault.record.read&targetId=${subjectId}`,
    );
    expect(reads.json().items[0]).toMatchObject({ purpose: 'dsr_fulfilment', details: { revealed: true } });
  });

  it('zips the portability archive: data.json, a CSV per collection and a description', async () => {
    const { subjectId, data } = await person();
    const requestId = await workedRequest('portability', subjectId, data.email);
    const [archive] = await createExports(requestId);
    expect(archive?.format).toBe('zip');
    const response = await download(archive?.downloadUrl as string);
    expect(response.headers['content-type']).toBe('application/zip');
    const files = unzipSync(new Uint8Array(response.rawPayload));
    expect(Object.keys(files).sort()).toEqual(['README.txt', 'customers.csv', 'data.json', 'orders.csv']);
    const customersCsv = strFromU8(files['customers.csv'] as Uint8Array);
    expect(customersCsv).toContain(data.email);
    const ordersCsv = strFromU8(files['orders.csv'] as Uint8Array);
    expect(ordersCsv).toContain("'=SUM(A1:A9)");
    const document = JSON.parse(strFromU8(files['data.json'] as Uint8Array));
    expect(
      document.collections.find((c: { collection: string }) => c.collection === 'orders').records,
    ).toHaveLength(2);
  });

  it('audits every download, counts it, and refuses a wrong token or an expired link', async () => {
    clock.set('2025-06-02T08:00:00Z');
    const { subjectId, data } = await person();
    const requestId = await workedRequest('access', subjectId, data.email);
    const [json] = await createExports(requestId);
    const url = json?.downloadUrl as string;

    const wrong = await download(url.replace(/token=.*/, `token=${'A'.repeat(43)}`));
    expect(wrong.statusCode).toBe(404);
    expect((await download(url)).statusCode).toBe(200);
    expect((await download(url)).statusCode).toBe(200);

    const listed = (await as('auditor', 'GET', `/v1/requests/${requestId}/exports`)).json().items;
    expect(listed.find((item: { id: string }) => item.id === json?.id)).toMatchObject({
      downloads: 2,
      lastDownloadedAt: '2025-06-02T08:00:00.000Z',
    });
    expect(JSON.stringify(listed)).not.toContain('token');

    const audit = await as(
      'auditor',
      'GET',
      `/v1/audit/entries?action=request.export.downloaded&targetId=${requestId}`,
    );
    expect(audit.json().items).toHaveLength(2);
    expect(audit.json().items[0]).toMatchObject({
      actor: { type: 'anonymous' },
      details: { format: 'json' },
    });
    const { timeline } = (await as('auditor', 'GET', `/v1/requests/${requestId}`)).json();
    expect(timeline.filter((entry: { kind: string }) => entry.kind === 'export_downloaded')).toHaveLength(2);

    clock.set(new Date(Date.parse('2025-06-02T08:00:00Z') + 7 * dayMs + 1));
    const expired = await download(url);
    expect(expired.statusCode).toBe(410);
    expect(await t.runtime.services.requestExports.pruneExpired()).toBeGreaterThanOrEqual(2);
    expect((await download(url)).statusCode).toBe(404);
  });

  it('refuses exports for other rights, for requests not being worked on, and without a subject', async () => {
    clock.set('2025-06-02T08:00:00Z');
    const { subjectId, data } = await person();
    const erasure = await workedRequest('erasure', subjectId, data.email);
    expect((await as('dpo', 'POST', `/v1/requests/${erasure}/exports`)).statusCode).toBe(409);

    const unverified = await as(service, 'POST', '/v1/requests', { type: 'access', subjectId });
    const early = await as('dpo', 'POST', `/v1/requests/${unverified.json().id}/exports`);
    expect(early.statusCode).toBe(409);
    expect(early.json()).toMatchObject({ state: 'received' });

    const anonymous = await as('privacy_agent', 'POST', '/v1/requests', {
      type: 'access',
      contactEmail: data.email,
    });
    const id = anonymous.json().id;
    await as('privacy_agent', 'POST', `/v1/requests/${id}/verification/manual`, { method: 'phone_call' });
    await as('privacy_agent', 'POST', `/v1/requests/${id}/transitions`, { to: 'in_progress' });
    expect((await as('dpo', 'POST', `/v1/requests/${id}/exports`)).statusCode).toBe(409);
  });

  it('stores the files sealed: nothing of the exported data is readable in the database', async () => {
    const { subjectId, data } = await person();
    const requestId = await workedRequest('access', subjectId, data.email);
    await createExports(requestId);
    expect(await findInDatabase(t.runtime.database, [data.email, data.full_name, ...data.items])).toEqual([]);
  });
});
