import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ConsentRequiredError,
  CustosError,
  createCustos,
  retryAfterMs,
  verifyWebhook,
  WebhookVerificationError,
} from '../../packages/sdk/src/index.js';
import {
  formatSecret,
  newSigningKey,
  webhookHeaders,
} from '../../src/modules/notifications/webhook-signature.js';
import { actAs } from '../helpers/auth.js';
import { createCollections } from '../helpers/fulfilment.js';
import { type ListeningCustos, startListeningCustos } from '../helpers/sdk.js';

faker.seed(2201);

describe('@custos/sdk against a listening Custos', () => {
  let custosServer: ListeningCustos;
  let custos: ReturnType<typeof createCustos>;

  beforeAll(async () => {
    custosServer = await startListeningCustos();
    custos = createCustos({ baseUrl: custosServer.baseUrl, apiKey: custosServer.apiKey });
  });
  afterAll(() => custosServer.close());

  async function newSubject(): Promise<string> {
    const { data, error } = await custos.api.POST('/v1/subjects', {
      body: { externalId: faker.string.uuid() },
    });
    expect(error).toBeUndefined();
    return (data as { id: string }).id;
  }

  it('calls any route with the generated types and the API key', async () => {
    const purpose = await custosServer.createPurpose();
    const { data, response } = await custos.api.GET('/v1/consent/purposes/{key}', {
      params: { path: { key: purpose } },
    });
    expect(response.status).toBe(200);
    expect(data?.key).toBe(purpose);
    expect(data?.legalBasis).toBe('consent');
  });

  it('turns a problem document into a CustosError with its code', async () => {
    const unknownSubject = faker.string.uuid();
    const failure = await custos.consent.check(unknownSubject, ['anything']).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(CustosError);
    expect((failure as CustosError).status).toBe(404);
    expect((failure as CustosError).code).toBe('not_found');
    expect((failure as CustosError).requestId).toBeTruthy();

    const anonymous = createCustos({ baseUrl: custosServer.baseUrl });
    const refused = await anonymous.consent
      .check(unknownSubject, ['anything'])
      .catch((error: unknown) => error);
    expect((refused as CustosError).status).toBe(401);
  });

  it('requires consent: refuses until granted, then allows from the cache, and forgets on withdrawal', async () => {
    const purpose = await custosServer.createPurpose();
    const subjectId = await newSubject();

    const refused = await custos.consent.require(subjectId, [purpose]).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ConsentRequiredError);
    expect((refused as ConsentRequiredError).denied).toEqual([{ purpose, reason: 'no_consent' }]);

    await custos.consent.record({
      subject: { id: subjectId },
      purposes: [purpose],
      action: 'grant',
      method: 'explicit_opt_in',
    });
    // Warm: the second check is answered from the cache, without a request.
    let requests = 0;
    const counted = createCustos({
      baseUrl: custosServer.baseUrl,
      apiKey: custosServer.apiKey,
      fetch: (request, init) => {
        requests++;
        return fetch(request, init);
      },
    });
    await expect(counted.consent.require(subjectId, [purpose])).resolves.toBeUndefined();
    await expect(counted.consent.require(subjectId, [purpose])).resolves.toBeUndefined();
    expect(requests).toBe(1);

    await custos.consent.record({
      subject: { id: subjectId },
      purposes: [purpose],
      action: 'withdraw',
      method: 'explicit_opt_in',
    });
    const decision = await custos.consent.decide(subjectId, [purpose]);
    expect(decision).toEqual({ allowed: false, subjectId, denied: [{ purpose, reason: 'withdrawn' }] });
  });

  it('opts a subject out of sale and sharing when a check carries GPC', async () => {
    const sale = await custosServer.createPurpose({
      legalBasis: 'legitimate_interests',
      ccpa: { sale: true },
    });
    const subjectId = await newSubject();
    const { results } = await custos.consent.check(subjectId, [sale], { gpc: true });
    expect(results[0]).toMatchObject({ purpose: sale, allowed: false, reason: 'withdrawn' });
  });

  it('iterates over every item of a paged list, page by page', async () => {
    await Promise.all([newSubject(), newSubject(), newSubject()]);
    const pageRequests: string[] = [];
    const counted = createCustos({
      baseUrl: custosServer.baseUrl,
      apiKey: custosServer.apiKey,
      fetch: (request, init) => {
        pageRequests.push(typeof request === 'string' ? request : request.url);
        return fetch(request, init);
      },
    });
    const ids: string[] = [];
    for await (const entry of counted.paginate('/v1/audit/entries', { params: { query: { limit: 2 } } })) {
      ids.push(String(entry.seq));
    }
    expect(ids.length).toBeGreaterThan(2);
    expect(new Set(ids).size).toBe(ids.length);
    expect(pageRequests.length).toBe(Math.ceil(ids.length / 2));
  });

  it('streams a list through the consent filter and yields the allowed ids in order', async () => {
    const purpose = await custosServer.createPurpose();
    const subjects = await Promise.all(Array.from({ length: 6 }, () => newSubject()));
    const granted = subjects.filter((_, index) => index % 2 === 0);
    for (const subjectId of granted) {
      await custos.consent.record({
        subject: { id: subjectId },
        purposes: [purpose],
        action: 'grant',
        method: 'explicit_opt_in',
      });
    }
    async function* ids() {
      yield* subjects;
      yield faker.string.uuid();
    }
    const allowed: string[] = [];
    for await (const subjectId of custos.consent.filter(purpose, ids())) allowed.push(subjectId);
    expect(allowed).toEqual(granted);
  });

  it('streams rows into a collection as one NDJSON import and answers the report', async () => {
    await createCollections(custosServer, ['customers']);
    const people = Array.from({ length: 5 }, () => ({
      externalId: faker.string.uuid(),
      email: faker.internet.email().toLowerCase(),
      full_name: faker.person.fullName(),
    }));
    async function* rows() {
      yield* people;
      yield { externalId: faker.string.uuid(), full_name: faker.person.fullName() };
    }

    const first = await custos.vault.import('customers', rows());
    expect(first).toMatchObject({ lines: 6, subjectsCreated: 5, recordsCreated: 5, failed: 1 });
    expect(first.errors).toEqual([expect.objectContaining({ line: 6, field: 'email' })]);
    expect(JSON.stringify(first)).not.toContain(people[0]?.email);

    const again = await custos.vault.import('customers', people);
    expect(again).toMatchObject({
      lines: 5,
      subjectsCreated: 0,
      recordsCreated: 0,
      recordsUpdated: 5,
      failed: 0,
    });
  });

  it('throws the refusal of a whole import as a CustosError', async () => {
    const refused = await custos.vault
      .import('no_such_collection', [{ externalId: faker.string.uuid() }])
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(CustosError);
    expect((refused as CustosError).status).toBe(404);
    expect((refused as CustosError).code).toBe('not_found');
  });

  it('retries 429 and 503 answers, waiting what Retry-After asks', async () => {
    let attempts = 0;
    const flaky = createCustos({
      baseUrl: custosServer.baseUrl,
      apiKey: custosServer.apiKey,
      retry: { retries: 3, baseDelayMs: 1 },
      fetch: (request, init) => {
        attempts++;
        if (attempts === 1)
          return Promise.resolve(new Response(null, { status: 503, headers: { 'retry-after': '0' } }));
        if (attempts === 2) return Promise.resolve(new Response(null, { status: 429 }));
        return fetch(request, init);
      },
    });
    const purpose = await custosServer.createPurpose();
    const { data } = await flaky.api.GET('/v1/consent/purposes/{key}', {
      params: { path: { key: purpose } },
    });
    expect(data?.key).toBe(purpose);
    expect(attempts).toBe(3);
    expect(retryAfterMs('120')).toBe(120_000);
    expect(retryAfterMs(new Date(Date.UTC(2030, 0, 1, 0, 1)).toUTCString(), Date.UTC(2030, 0, 1))).toBe(
      60_000,
    );
    expect(retryAfterMs('soon')).toBeUndefined();
  });

  it('verifies Standard Webhooks signatures made by Custos and refuses altered messages', async () => {
    const key = newSigningKey();
    const secret = formatSecret(key);
    const body = JSON.stringify({
      type: 'consent.withdrawn',
      timestamp: new Date().toISOString(),
      data: { subjectId: faker.string.uuid(), purpose: 'newsletter' },
    });
    const headers = webhookHeaders([newSigningKey(), key], { id: 'msg_test', body }, new Date());
    const message = await verifyWebhook(secret, headers, body);
    expect(message).toMatchObject({ id: 'msg_test', type: 'consent.withdrawn' });
    await expect(verifyWebhook(secret, headers, body.replace('newsletter', 'other'))).rejects.toBeInstanceOf(
      WebhookVerificationError,
    );
    const old = webhookHeaders([key], { id: 'msg_test', body }, new Date(Date.now() - 3_600_000));
    await expect(verifyWebhook(secret, old, body)).rejects.toThrow('tolerance');
  });
});

describe('@custos/sdk consent cache kept fresh by webhooks', { timeout: 60_000 }, () => {
  let custosServer: ListeningCustos;

  beforeAll(async () => {
    custosServer = await startListeningCustos({
      env: {
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_WEBHOOK_TIMEOUT: '5s',
      },
    });
    await custosServer.runtime.jobs.start({ work: true });
  });
  afterAll(() => custosServer.close());

  it('drops a subject from the cache when a consent webhook names it', async () => {
    const { createServer } = await import('node:http');
    // An application with a long cache TTL, kept fresh only by the webhook it receives.
    const app = createCustos({
      baseUrl: custosServer.baseUrl,
      apiKey: custosServer.apiKey,
      consentCache: { ttlMs: 3_600_000 },
    });
    let secret = '';
    const received: string[] = [];
    const receiver = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', async () => {
        const message = await app.webhooks.receive(
          secret,
          request.headers,
          Buffer.concat(chunks).toString('utf8'),
        );
        received.push(message.type);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    const { port } = receiver.address() as { port: number };
    try {
      const dpo = await actAs(custosServer, 'dpo');
      const created = await custosServer.app.inject({
        method: 'POST',
        url: '/v1/webhooks/endpoints',
        headers: dpo,
        payload: { url: `http://127.0.0.1:${port}/custos`, eventTypes: ['consent.withdrawn'] },
      });
      expect(created.statusCode, created.body).toBe(201);
      secret = created.json().secret;

      const purpose = await custosServer.createPurpose();
      const { data } = await app.api.POST('/v1/subjects', { body: {} });
      const subjectId = (data as { id: string }).id;
      const service = { authorization: `Bearer ${custosServer.apiKey}` };
      const record = (action: string) =>
        custosServer.app.inject({
          method: 'POST',
          url: '/v1/consent/events',
          headers: service,
          payload: { subject: { id: subjectId }, purposes: [purpose], action, method: 'explicit_opt_in' },
        });
      expect((await record('grant')).statusCode).toBe(201);
      await expect(app.consent.require(subjectId, [purpose])).resolves.toBeUndefined();

      // Withdrawn elsewhere (another service, the privacy center): only the webhook tells this app.
      expect((await record('withdraw')).statusCode).toBe(201);
      await expect
        .poll(
          () =>
            app.consent.require(subjectId, [purpose]).then(
              () => 'allowed',
              () => 'refused',
            ),
          {
            timeout: 45_000,
            interval: 200,
          },
        )
        .toBe('refused');
      expect(received).toContain('consent.withdrawn');
    } finally {
      receiver.closeAllConnections();
      await new Promise<void>((resolve) => receiver.close(() => resolve()));
    }
  });
});
