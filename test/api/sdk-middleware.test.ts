import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { faker } from '@faker-js/faker';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCustos } from '../../packages/sdk/src/index.js';
import { requireConsent as expressConsent } from '../../packages/sdk/src/middleware/express.js';
import {
  requireConsent as fastifyConsent,
  type GateDecision,
} from '../../packages/sdk/src/middleware/fastify.js';
import { type ListeningCustos, startListeningCustos } from '../helpers/sdk.js';

faker.seed(2202);

describe('consent gating middleware', () => {
  let custosServer: ListeningCustos;
  let custos: ReturnType<typeof createCustos>;
  let purpose: string;

  beforeAll(async () => {
    custosServer = await startListeningCustos();
    custos = createCustos({ baseUrl: custosServer.baseUrl, apiKey: custosServer.apiKey });
    purpose = await custosServer.createPurpose();
  });
  afterAll(() => custosServer.close());

  async function subjectWho(grants: boolean): Promise<string> {
    const { data } = await custos.api.POST('/v1/subjects', { body: { externalId: faker.string.uuid() } });
    const subjectId = (data as { id: string }).id;
    if (grants) {
      await custos.consent.record({
        subject: { id: subjectId },
        purposes: [purpose],
        action: 'grant',
        method: 'explicit_opt_in',
      });
    }
    return subjectId;
  }

  describe('Fastify', () => {
    const app = Fastify();
    beforeAll(async () => {
      const subject = (request: { headers: Record<string, string | string[] | undefined> }) =>
        request.headers['x-user'] as string | undefined;
      app.get(
        '/recommendations',
        { preHandler: fastifyConsent(custos, { purposes: [purpose], subject }) },
        async () => ({ recommendations: ['a', 'b'] }),
      );
      app.get(
        '/page',
        { preHandler: fastifyConsent(custos, { purposes: [purpose], subject, onDenied: 'skip' }) },
        async (request) => ({ personalized: (request as { consent?: GateDecision }).consent?.allowed }),
      );
      await app.ready();
    });
    afterAll(() => app.close());

    it('lets a subject who consented through', async () => {
      const subjectId = await subjectWho(true);
      const response = await app.inject({ url: '/recommendations', headers: { 'x-user': subjectId } });
      expect(response.statusCode).toBe(200);
      expect(response.json()).toEqual({ recommendations: ['a', 'b'] });
    });

    it('answers 451 with a problem naming the purpose and why when consent is missing', async () => {
      const subjectId = await subjectWho(false);
      const response = await app.inject({ url: '/recommendations?x=1', headers: { 'x-user': subjectId } });
      expect(response.statusCode).toBe(451);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(response.json()).toMatchObject({
        status: 451,
        code: 'consent_required',
        instance: '/recommendations',
        purposes: [{ purpose, reason: 'no_consent' }],
      });
      expect(response.body).not.toContain(subjectId);
    });

    it('refuses a request that names no subject', async () => {
      const response = await app.inject({ url: '/recommendations' });
      expect(response.statusCode).toBe(451);
      expect(response.json().purposes).toEqual([{ purpose, reason: 'no_subject' }]);
    });

    it('skips the processing instead when asked to', async () => {
      const refused = await app.inject({ url: '/page', headers: { 'x-user': await subjectWho(false) } });
      expect(refused.json()).toEqual({ personalized: false });
      const allowed = await app.inject({ url: '/page', headers: { 'x-user': await subjectWho(true) } });
      expect(allowed.json()).toEqual({ personalized: true });
    });
  });

  describe('Express (the same middleware signature, on node:http as Express would call it)', () => {
    let server: Server;
    let url: string;
    beforeAll(async () => {
      const gate = expressConsent<IncomingMessage & { consent?: GateDecision }>(custos, {
        purposes: [purpose],
        subject: (request) => request.headers['x-user'] as string | undefined,
      });
      server = createServer(
        (request: IncomingMessage & { consent?: GateDecision }, response: ServerResponse) => {
          gate(request, response, (error?: unknown) => {
            response.statusCode = error ? 500 : 200;
            response.end(error ? 'failed' : JSON.stringify({ consent: request.consent }));
          });
        },
      );
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      url = `http://127.0.0.1:${(server.address() as { port: number }).port}/recommendations`;
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('calls next when the subject consented, and answers 451 when not', async () => {
      const allowed = await fetch(url, { headers: { 'x-user': await subjectWho(true) } });
      expect(allowed.status).toBe(200);
      expect(await allowed.json()).toEqual({ consent: { allowed: true, denied: [] } });

      const refused = await fetch(url, { headers: { 'x-user': await subjectWho(false) } });
      expect(refused.status).toBe(451);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(await refused.json()).toMatchObject({ code: 'consent_required', purposes: [{ purpose }] });
    });

    it('fails closed (next with the error) when Custos cannot answer', async () => {
      const unknown = await fetch(url, { headers: { 'x-user': faker.string.uuid() } });
      expect(unknown.status).toBe(500);
    });
  });
});
