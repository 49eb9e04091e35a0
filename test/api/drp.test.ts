import { createPublicKey, generateKeyPairSync, type KeyObject, sign, verify } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { findInDatabase } from '../helpers/scan.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1798);

const businessId = 'CUSTOS_TEST_CB';
const clock = fixedClock('2026-03-02T10:00:00Z');
const minute = 60_000;
const day = 86_400_000;

/** An authorized agent as the tests play it: its Ed25519 key pair and its service-directory entry. */
type Agent = { id: string; privateKey: KeyObject; verifyKey: string; token?: string };

/** The 32 raw public-key bytes, base64: the directory's `verify_key`, written from the spec (§3.05.1). */
function verifyKeyOf(publicKey: KeyObject): string {
  const { x } = publicKey.export({ format: 'jwk' });
  return Buffer.from(x as string, 'base64url').toString('base64');
}

function newAgent(id: string): Agent {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { id, privateKey, verifyKey: verifyKeyOf(publicKey) };
}

/** §3.07.1: the signature prepended to the JSON document, base64-encoded (libsodium's combined mode). */
function signedText(agent: Pick<Agent, 'privateKey'>, text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([sign(null, bytes, agent.privateKey), bytes]).toString('base64');
}

const signed = (agent: Pick<Agent, 'privateKey'>, document: object) =>
  signedText(agent, JSON.stringify(document));

function envelope(agent: Pick<Agent, 'id'>, changes: Record<string, unknown> = {}) {
  const now = clock.now().getTime();
  return {
    'agent-id': agent.id,
    'business-id': businessId,
    'issued-at': new Date(now - minute).toISOString(),
    'expires-at': new Date(now + 10 * minute).toISOString(),
    'drp.version': '1.0',
    ...changes,
  };
}

type Received = { path: string; headers: IncomingHttpHeaders; body: string };

/** The agent's status-callback endpoint, on loopback: records every callback, answers as told. */
async function startCallbackReceiver() {
  const received: Received[] = [];
  const answers = new Map<string, (attempt: number) => number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const path = request.url ?? '/';
      received.push({ path, headers: request.headers, body: Buffer.concat(chunks).toString('utf8') });
      const attempt = received.filter((entry) => entry.path === path).length;
      response.writeHead(answers.get(path)?.(attempt) ?? 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    newPath: () => `/drp/status/${faker.string.alphanumeric(12)}`,
    urlFor: (path: string) => `http://127.0.0.1:${port}${path}`,
    at: (path: string) => received.filter((entry) => entry.path === path),
    answer: (path: string, status: (attempt: number) => number) => answers.set(path, status),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const waitOptions = { timeout: 45_000, interval: 100 };

describe('the Data Rights Protocol', { timeout: 90_000 }, () => {
  const directoryDir = mkdtempSync(join(tmpdir(), 'custos-drp-'));
  const first = newAgent('CONSUMER_AGENT');
  const second = newAgent('OTHER_AGENT');
  const directory = [first, second].map((agent) => ({
    id: agent.id,
    name: `${faker.company.name()} Rights`,
    verify_key: agent.verifyKey,
    web_url: faker.internet.url(),
    identity_assurance_url: `${faker.internet.url()}/identity`,
    technical_contact: faker.internet.email(),
    business_contact: faker.internet.email(),
  }));
  /** A sale purpose on consent, a sharing purpose on legitimate interests, and one neither sells nor shares. */
  const purposes = [
    {
      key: 'data_sale',
      name: 'Selling data to partners',
      legalBasis: 'consent',
      dataUses: ['marketing.advertising.third_party'],
      dataCategories: ['user.contact.email'],
      ccpa: { sale: true },
      text: 'We sell your e-mail address to selected partners.',
      automatedDecisionMaking: {
        applies: true,
        logic: 'A model scores how likely you are to buy from each partner from your purchase history.',
        significance: 'Partners you score low for never receive your address.',
        consequences: 'You see offers only from partners the model picks.',
      },
    },
    {
      key: 'ad_sharing',
      name: 'Cross-context advertising',
      legalBasis: 'legitimate_interests',
      dataUses: ['marketing.advertising.third_party.targeted'],
      ccpa: { sharing: true },
      text: 'We share what you browse with advertising networks.',
    },
    {
      key: 'order_updates',
      name: 'Order updates',
      legalBasis: 'contract',
      dataUses: ['essential.service'],
      text: 'We e-mail you about your orders.',
    },
  ];
  let t: TestApp;
  let receiver: Awaited<ReturnType<typeof startCallbackReceiver>>;
  let service: AuthHeaders;
  const logLines: string[] = [];

  beforeAll(async () => {
    const file = join(directoryDir, 'agents.json');
    writeFileSync(file, JSON.stringify(directory));
    receiver = await startCallbackReceiver();
    t = await createTestApp({
      clock,
      logStream: { write: (line: string) => void logLines.push(line) },
      env: {
        CUSTOS_DRP_BUSINESS_ID: businessId,
        CUSTOS_DRP_AGENTS_FILE: file,
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_WEBHOOK_MAX_ATTEMPTS: '3',
        CUSTOS_WEBHOOK_RETRY_DELAY: '100ms',
        CUSTOS_WEBHOOK_RETRY_MAX_DELAY: '1s',
        CUSTOS_JOB_CONCURRENCY: '2',
      },
    });
    await t.runtime.jobs.start({ work: true });
    service = await actAs(t, 'service');
    const collection = await t.app.inject({
      method: 'POST',
      url: '/v1/collections',
      headers: await actAs(t, 'dpo'),
      payload: {
        name: 'customers',
        fields: [
          {
            name: 'email',
            type: 'email',
            category: 'user.contact.email',
            classification: 'confidential',
            indexed: true,
          },
          { name: 'full_name', type: 'string', category: 'user.name', classification: 'confidential' },
          {
            name: 'phone',
            type: 'phone',
            category: 'user.contact.phone_number',
            classification: 'confidential',
            indexed: true,
          },
        ],
      },
    });
    expect(collection.statusCode, collection.body).toBe(201);
    for (const purpose of purposes) {
      const created = await t.app.inject({
        method: 'POST',
        url: '/v1/consent/purposes',
        headers: await actAs(t, 'dpo'),
        payload: purpose,
      });
      expect(created.statusCode, created.body).toBe(201);
    }
    for (const agent of [first, second]) agent.token = await pair(agent);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
    rmSync(directoryDir, { recursive: true, force: true });
  });

  async function pair(agent: Agent, document: object = envelope(agent)): Promise<string> {
    const response = await t.app.inject({
      method: 'POST',
      url: `/v1/agent/${agent.id}`,
      headers: { 'content-type': 'text/plain' },
      payload: signed(agent, document),
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()['agent-id']).toBe(agent.id);
    return response.json().token;
  }

  /** A consumer the business knows: a vault subject with an e-mail address and a phone number. */
  async function knownConsumer() {
    const email = faker.internet.email();
    const phone = `+1415${faker.string.numeric(7)}`;
    const subject = await t.app.inject({
      method: 'POST',
      url: '/v1/subjects',
      headers: service,
      payload: { externalId: faker.string.uuid() },
    });
    expect(subject.statusCode).toBe(201);
    const record = await t.app.inject({
      method: 'POST',
      url: `/v1/subjects/${subject.json().id}/records`,
      headers: service,
      payload: { collection: 'customers', fields: { email, phone, full_name: faker.person.fullName() } },
    });
    expect(record.statusCode, record.body).toBe(201);
    return { subjectId: subject.json().id as string, email, phone };
  }

  /** The consent check's verdict for each of the purposes above. */
  async function verdicts(subjectId: string): Promise<Record<string, string>> {
    const response = await t.app.inject({
      method: 'POST',
      url: '/v1/consent/check',
      headers: service,
      payload: { subject: { id: subjectId }, purposes: purposes.map((purpose) => purpose.key) },
    });
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().results as { purpose: string; allowed: boolean; reason: string }[];
    return Object.fromEntries(items.map((item) => [item.purpose, item.allowed ? 'allowed' : item.reason]));
  }

  async function consentHistory(subjectId: string) {
    const response = await t.app.inject({
      method: 'GET',
      url: `/v1/subjects/${subjectId}/consent/history`,
      headers: await actAs(t, 'privacy_agent'),
    });
    expect(response.statusCode, response.body).toBe(200);
    return JSON.parse(response.body).events as Record<string, unknown>[];
  }

  async function outboxFor(requestId: string) {
    const response = await operator('GET', '/v1/outbox?limit=200');
    expect(response.statusCode).toBe(200);
    return response
      .json()
      .items.filter((item: { reference: { id: string } | null }) => item.reference?.id === requestId);
  }

  /** The consumer's side of a user_verification_url: the page's API, as the page calls it. */
  function verificationPage(url: string, requestId: string) {
    const verificationId = new URL(url).pathname.split('/').at(-1) as string;
    const api = `/v1/privacy/verifications/${verificationId}`;
    return {
      view: (query: Record<string, string> = {}) =>
        t.app.inject({
          method: 'GET',
          url: `${api}?${new URLSearchParams({ requestId, ...query })}`,
        }),
      /** Sends a code and reads it from the outbox (no SMTP server here: mail is held). */
      async sendCode(): Promise<string> {
        const before = new Set((await outboxFor(requestId)).map((item: { id: string }) => item.id));
        const sent = await t.app.inject({ method: 'POST', url: `${api}/code`, payload: { requestId } });
        expect(sent.statusCode, sent.body).toBe(202);
        const [message] = (await outboxFor(requestId)).filter(
          (item: { id: string; kind: string }) =>
            item.kind === 'request.verification_code' && !before.has(item.id),
        );
        return /code: (\d{6})/.exec(message.content.text)?.[1] as string;
      },
      confirm: (payload: Record<string, unknown>) =>
        t.app.inject({ method: 'POST', url: `${api}/confirm`, payload: { requestId, ...payload } }),
    };
  }

  function exerciseDocument(agent: Agent, changes: Record<string, unknown> = {}) {
    return {
      ...envelope(agent),
      'agent-request-id': faker.string.uuid(),
      exercise: 'access',
      regime: 'ccpa',
      relationships: ['customer'],
      name: faker.person.fullName(),
      email: faker.internet.email(),
      email_verified: true,
      ...changes,
    };
  }

  function postExercise(body: string, token: string | undefined) {
    return t.app.inject({
      method: 'POST',
      url: '/v1/data-rights-request',
      headers: { 'content-type': 'text/plain', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      payload: body,
    });
  }

  const exercise = (agent: Agent, document: object, token = agent.token) =>
    postExercise(signed(agent, document), token);

  async function exercised(agent: Agent, changes: Record<string, unknown> = {}) {
    const response = await exercise(agent, exerciseDocument(agent, changes));
    expect(response.statusCode, response.body).toBe(200);
    return response.json();
  }

  const statusOf = (agent: Agent, requestId: string) =>
    t.app.inject({
      method: 'GET',
      url: `/v1/data-rights-request/${requestId}`,
      headers: { authorization: `Bearer ${agent.token}` },
    });

  const revoke = (agent: Agent, requestId: string, document: object) =>
    t.app.inject({
      method: 'DELETE',
      url: `/v1/data-rights-request/${requestId}`,
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${agent.token}` },
      payload: signed(agent, document),
    });

  const operator = async (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) =>
    t.app.inject({ method, url, headers: await actAs(t, 'privacy_agent'), ...(payload ? { payload } : {}) });

  async function request(id: string) {
    const response = await operator('GET', `/v1/requests/${id}`);
    expect(response.statusCode).toBe(200);
    return response.json();
  }

  async function auditActions(requestId: string): Promise<string[]> {
    const rows = await t.runtime.database.db
      .selectFrom('audit_entries')
      .select('action')
      .where('target_id', '=', requestId)
      .orderBy('seq')
      .execute();
    return rows.map((row) => row.action);
  }

  it('describes the DRP routes in the OpenAPI document', async () => {
    const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining([
        '/v1/agent/{agentId}',
        '/v1/data-rights-request',
        '/v1/data-rights-request/{requestId}',
        '/v1/drp/agents',
        '/v1/requests/{id}/drp',
      ]),
    );
    expect(Object.keys(document.components.schemas)).toEqual(
      expect.arrayContaining(['DrpExerciseStatus', 'DrpError', 'DrpAgent']),
    );
    expect(Object.keys(document.paths['/v1/data-rights-request'].post.requestBody.content)).toEqual([
      'text/plain',
    ]);
  });

  describe('the service directory', () => {
    it('trusts the agents of the directory file, and shows them to those who may see them', async () => {
      const response = await t.app.inject({
        method: 'GET',
        url: '/v1/drp/agents',
        headers: await actAs(t, 'auditor'),
      });
      expect(response.statusCode).toBe(200);
      expect(response.json().items).toEqual(
        [...directory]
          .sort((a, b) => a.id.localeCompare(b.id))
          .map((entry) =>
            expect.objectContaining({
              id: entry.id,
              name: entry.name,
              verifyKey: entry.verify_key,
              technicalContact: entry.technical_contact,
              source: 'config',
              pairedAt: expect.any(String),
            }),
          ),
      );
      const refused = await t.app.inject({ method: 'GET', url: '/v1/drp/agents', headers: service });
      expect(refused.statusCode).toBe(403);
    });

    it('manages agents through the API: a new key ends the pairing, deletion ends the trust', async () => {
      const agent = newAgent(`AGENT_${faker.string.alpha({ length: 8, casing: 'upper' })}`);
      const dpo = await actAs(t, 'dpo');
      const payload = { id: agent.id, name: faker.company.name(), verifyKey: agent.verifyKey };
      const created = await t.app.inject({ method: 'POST', url: '/v1/drp/agents', headers: dpo, payload });
      expect(created.statusCode, created.body).toBe(201);
      expect(created.json()).toMatchObject({ id: agent.id, source: 'api', pairedAt: null, webUrl: null });
      const again = await t.app.inject({ method: 'POST', url: '/v1/drp/agents', headers: dpo, payload });
      expect(again.statusCode).toBe(409);
      const badKey = await t.app.inject({
        method: 'POST',
        url: '/v1/drp/agents',
        headers: dpo,
        payload: { ...payload, id: 'ANOTHER', verifyKey: Buffer.alloc(16).toString('base64') },
      });
      expect(badKey.statusCode).toBe(400);
      expect(badKey.json().errors[0].path).toBe('verifyKey');
      const byPrivacyAgent = await operator('POST', '/v1/drp/agents', payload);
      expect(byPrivacyAgent.statusCode).toBe(403);

      agent.token = await pair(agent);
      const rotated = newAgent(agent.id);
      const patched = await t.app.inject({
        method: 'PATCH',
        url: `/v1/drp/agents/${agent.id}`,
        headers: dpo,
        payload: { verifyKey: rotated.verifyKey, technicalContact: faker.internet.email() },
      });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(patched.json()).toMatchObject({ verifyKey: rotated.verifyKey, pairedAt: null });
      const stale = await t.app.inject({
        method: 'GET',
        url: `/v1/agent/${agent.id}`,
        headers: { authorization: `Bearer ${agent.token}` },
      });
      expect(stale.statusCode).toBe(403);
      rotated.token = await pair(rotated);

      const deleted = await t.app.inject({
        method: 'DELETE',
        url: `/v1/drp/agents/${agent.id}`,
        headers: dpo,
      });
      expect(deleted.statusCode).toBe(204);
      const gone = await t.app.inject({
        method: 'GET',
        url: `/v1/agent/${agent.id}`,
        headers: { authorization: `Bearer ${rotated.token}` },
      });
      expect(gone.statusCode).toBe(403);
      const actions = await t.runtime.database.db
        .selectFrom('audit_entries')
        .select('action')
        .where('target_id', '=', agent.id)
        .orderBy('seq')
        .execute();
      expect(actions.map((row) => row.action)).toEqual([
        'drp.agent.created',
        'drp.agent.paired',
        'drp.agent.updated',
        'drp.agent.paired',
        'drp.agent.deleted',
      ]);
    });

    it('describes this business for the directory, with the key that verifies its callbacks', async () => {
      const response = await operator('GET', '/v1/drp/business');
      expect(response.statusCode).toBe(200);
      expect(response.json()).toMatchObject({
        businessId,
        supportedActions: [
          'access',
          'access:categories',
          'access:specific',
          'deletion',
          'sale:opt-out',
          'sale:opt-in',
        ],
        supportedVerifications: ['email', 'phone_number'],
        callbackSignatureHeader: 'x-drp-signature',
      });
      expect(Buffer.from(response.json().callbackVerifyKey, 'base64')).toHaveLength(32);
    });
  });

  describe('pairing (§2.05, §2.06)', () => {
    it('gives a bearer token for a signed message, and checks it', async () => {
      const ok = await t.app.inject({
        method: 'GET',
        url: `/v1/agent/${first.id}`,
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(ok.statusCode).toBe(200);
      expect(ok.json()).toEqual({});
      const mismatch = await t.app.inject({
        method: 'GET',
        url: `/v1/agent/${second.id}`,
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(mismatch.statusCode).toBe(403);
      expect(mismatch.json()).toMatchObject({ code: '403' });
      const missing = await t.app.inject({ method: 'GET', url: `/v1/agent/${first.id}` });
      expect(missing.statusCode).toBe(401);
      expect(missing.json()).toEqual({ code: '401', message: expect.any(String) });
    });

    it('answers a bare 403 to a replayed, misdirected, badly signed or unknown pairing', async () => {
      const post = (agentId: string, body: string) =>
        t.app.inject({
          method: 'POST',
          url: `/v1/agent/${agentId}`,
          headers: { 'content-type': 'text/plain' },
          payload: body,
        });
      const message = signed(
        second,
        envelope(second, { 'issued-at': new Date(clock.now().getTime() - 30_000).toISOString() }),
      );
      const accepted = await post(second.id, message);
      expect(accepted.statusCode).toBe(200);
      second.token = accepted.json().token;
      const cases = [
        await post(second.id, message), // replayed
        await post(second.id, signed(second, envelope(second, { 'business-id': 'SOMEONE_ELSE' }))),
        await post(second.id, signed(first, envelope(second))), // signed with another agent's key
        await post(first.id, signed(second, envelope(second))), // the URL names another agent
        await post('NOBODY', signed(second, envelope({ id: 'NOBODY' }))),
        await post(second.id, signed(second, envelope(second, { 'expires-at': clock.now().toISOString() }))),
      ];
      for (const response of cases) {
        expect(response.statusCode).toBe(403);
        expect(response.body).toBe('');
      }
      const refusals = await t.runtime.database.db
        .selectFrom('audit_entries')
        .select(['details', 'actor_type', 'actor_id'])
        .where('action', '=', 'drp.agent.pairing_refused')
        .where('target_id', '=', second.id)
        .execute();
      expect(refusals.map((row) => (row.details as { reason: string }).reason).sort()).toEqual(
        ['bad_signature', 'business_mismatch', 'expired', 'replayed_pairing'].sort(),
      );
      expect(refusals.every((row) => row.actor_type === 'agent' && row.actor_id === second.id)).toBe(true);
    });
  });

  describe('exercising rights (§2.01)', () => {
    it.each([
      ['access', 'know'],
      ['access:categories', 'know'],
      ['access:specific', 'know'],
      ['deletion', 'delete'],
    ])('takes %s as a verified CCPA %s request for the consumer it matches', async (exerciseName, type) => {
      const consumer = await knownConsumer();
      const agentRequestId = faker.string.uuid();
      const status = await exercised(first, {
        exercise: exerciseName,
        email: consumer.email.toUpperCase(),
        'agent-request-id': agentRequestId,
      });
      expect(status).toEqual({
        request_id: expect.any(String),
        agent_request_id: agentRequestId,
        received_at: clock.now().toISOString(),
        expected_by: '2026-04-16T23:59:59.999Z',
        status: 'in_progress',
      });
      expect(await request(status.request_id)).toMatchObject({
        type,
        regime: 'ccpa',
        state: 'verified',
        channel: 'drp',
        filedBy: 'agent',
        filer: { type: 'agent', id: first.id },
        subjectId: consumer.subjectId,
        verification: { method: 'signed_authorization' },
      });
      expect(await auditActions(status.request_id)).toEqual([
        'request.received',
        'request.state_changed',
        'drp.request.received',
      ]);
    });

    it('asks the consumer to verify an identity the agent did not attest, at a page of the business', async () => {
      const status = await exercised(first, {
        exercise: 'deletion',
        email_verified: false,
        regime: undefined,
      });
      expect(status).toEqual({
        request_id: expect.any(String),
        agent_request_id: expect.any(String),
        received_at: clock.now().toISOString(),
        expected_by: '2026-04-16T23:59:59.999Z',
        status: 'in_progress',
        reason: 'need_user_verification',
        processing_details: expect.stringContaining('user_verification_url'),
        user_verification_url: expect.stringMatching(
          /^http:\/\/localhost:8080\/privacy\/verify\/[0-9a-f-]{36}$/,
        ),
        expires_at: '2026-04-16T23:59:59.999Z',
      });
      // The link is opaque: it does not carry the request id.
      expect(status.user_verification_url).not.toContain(status.request_id);
      expect(await request(status.request_id)).toMatchObject({
        state: 'verifying',
        subjectId: null,
        type: 'delete',
      });
      const view = await operator('GET', `/v1/requests/${status.request_id}/drp`);
      expect(view.json()).toMatchObject({ regime: null, exercise: 'deletion' });

      // Without an e-mail address to send a code to, the request waits for the team (open).
      const consumer = await knownConsumer();
      const byPhone = await exercised(first, {
        exercise: 'deletion',
        email: undefined,
        email_verified: undefined,
        phone_number: consumer.phone,
        phone_number_verified: false,
      });
      expect(byPhone).toMatchObject({ status: 'open', expected_by: '2026-04-16T23:59:59.999Z' });
      expect(byPhone.reason).toBeUndefined();
      expect(byPhone.user_verification_url).toBeUndefined();
      expect(await request(byPhone.request_id)).toMatchObject({
        state: 'received',
        subjectId: consumer.subjectId,
      });
    });

    it('answers the same message sent again with the same request, and refuses a repeated agent-request-id', async () => {
      const document = exerciseDocument(first);
      const once = await exercise(first, document);
      const twice = await exercise(first, document);
      expect(once.statusCode).toBe(200);
      expect(twice.statusCode).toBe(200);
      expect(twice.json().request_id).toBe(once.json().request_id);
      const repeated = await exercise(first, { ...document, exercise: 'deletion' });
      expect(repeated.statusCode).toBe(409);
      expect(repeated.json()).toEqual({ code: '409', message: expect.any(String), fatal: true });
      // Agent request ids are the agent's own: another agent may use the same one.
      const other = await exercise(second, {
        ...exerciseDocument(second),
        'agent-request-id': document['agent-request-id'],
      });
      expect(other.statusCode).toBe(200);
    });

    it('refuses bad signatures, unknown agents, expired messages and what it does not take, with DRP errors', async () => {
      const impostor = newAgent(first.id);
      const cases: [string, Awaited<ReturnType<typeof exercise>>, number, boolean][] = [
        ['bad signature', await exercise(impostor, exerciseDocument(first), first.token), 403, true],
        [
          'unknown token',
          await exercise(first, exerciseDocument(first), 'not-a-token-we-issued'),
          403,
          false,
        ],
        ['no token', await exercise(first, exerciseDocument(first), ''), 401, false],
        ['another agent', await exercise(first, exerciseDocument(second), first.token), 403, true],
        [
          'another business',
          await exercise(first, exerciseDocument(first, { 'business-id': 'ELSEWHERE' })),
          403,
          true,
        ],
        [
          'expired',
          await exercise(
            first,
            exerciseDocument(first, { 'expires-at': new Date(clock.now().getTime() - 1).toISOString() }),
          ),
          400,
          true,
        ],
        [
          'from the future',
          await exercise(
            first,
            exerciseDocument(first, {
              'issued-at': new Date(clock.now().getTime() + 5 * minute).toISOString(),
            }),
          ),
          400,
          true,
        ],
        [
          'old version',
          await exercise(first, exerciseDocument(first, { 'drp.version': '0.9.3' })),
          400,
          true,
        ],
        [
          'unknown action',
          await exercise(first, exerciseDocument(first, { exercise: 'access:everything' })),
          400,
          true,
        ],
        [
          'opt-in without e-mail',
          await exercise(
            first,
            exerciseDocument(first, {
              exercise: 'sale:opt-in',
              email: undefined,
              phone_number: '+14155550100',
            }),
          ),
          400,
          true,
        ],
        ['gdpr', await exercise(first, exerciseDocument(first, { regime: 'gdpr' })), 400, true],
        [
          'callback',
          await exercise(first, exerciseDocument(first, { status_callback: 'ftp://agent.example/cb' })),
          400,
          true,
        ],
        [
          'no identity',
          await exercise(first, exerciseDocument(first, { email: undefined, name: 'X' })),
          400,
          true,
        ],
        ['not JSON', await postExercise(signedText(first, 'exercise=access'), first.token), 400, true],
        [
          'a NUL in a signed field',
          await exercise(first, exerciseDocument(first, { name: 'Ann\u0000Lee' })),
          400,
          true,
        ],
        [
          'a lone surrogate in a signed field',
          await exercise(first, exerciseDocument(first, { 'agent-request-id': 'req-\uD800' })),
          400,
          true,
        ],
        ['not base64', await postExercise('this is not a signed message', first.token), 400, true],
      ];
      for (const [name, response, status, fatal] of cases) {
        expect(response.statusCode, name).toBe(status);
        expect(response.headers['content-type'], name).toMatch(/^application\/json/);
        expect(response.json(), name).toEqual({
          code: String(status),
          message: expect.any(String),
          ...(fatal ? { fatal: true } : {}),
        });
      }
      const plain = await t.app.inject({
        method: 'POST',
        url: '/v1/data-rights-request',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${first.token}` },
        payload: { exercise: 'access' },
      });
      expect(plain.statusCode).toBe(400);
      expect(plain.json()).toMatchObject({ code: '400' });
      const reasons = await t.runtime.database.db
        .selectFrom('audit_entries')
        .select('details')
        .where('action', '=', 'drp.request.refused')
        .where('actor_id', '=', first.id)
        .execute();
      expect(reasons.map((row) => (row.details as { reason: string }).reason)).toEqual(
        expect.arrayContaining([
          'bad_signature',
          'agent_mismatch',
          'expired',
          'unsupported_exercise',
          'no_identity',
        ]),
      );
    });
  });

  describe('status and revocation (§2.02, §2.04)', () => {
    it('shows a request to the agent that filed it only', async () => {
      const status = await exercised(first);
      const mine = await statusOf(first, status.request_id);
      expect(mine.statusCode).toBe(200);
      expect(mine.json()).toEqual(status);
      const theirs = await statusOf(second, status.request_id);
      expect(theirs.statusCode).toBe(403);
      expect(theirs.json()).toMatchObject({ code: '403' });
      const unknown = await statusOf(first, faker.string.uuid());
      expect(unknown.statusCode).toBe(404);
      expect((await statusOf(first, 'not-an-id')).statusCode).toBe(404);
    });

    it('revokes an open request with the consumer’s reason, once, and not a closed one', async () => {
      const status = await exercised(first);
      const reason = 'I changed my mind about this';
      const revoked = await revoke(first, status.request_id, { reason });
      expect(revoked.statusCode, revoked.body).toBe(200);
      expect(revoked.json()).toMatchObject({ request_id: status.request_id, status: 'revoked' });
      expect(revoked.json().expires_at).toBe(new Date(clock.now().getTime() + 60 * day).toISOString());
      const detail = await request(status.request_id);
      expect(detail.state).toBe('withdrawn');
      expect(detail.timeline.at(-1)).toMatchObject({
        to: 'withdrawn',
        actor: { type: 'agent', id: first.id },
        note: reason,
      });
      const again = await revoke(first, status.request_id, { ...envelope(first), reason });
      expect(again.statusCode).toBe(200);
      expect(again.json().status).toBe('revoked');

      const done = await exercised(first);
      await operator('POST', `/v1/requests/${done.request_id}/transitions`, { to: 'in_progress' });
      await operator('POST', `/v1/requests/${done.request_id}/transitions`, { to: 'completed' });
      const late = await revoke(first, done.request_id, {});
      expect(late.statusCode).toBe(409);
      expect(late.json()).toMatchObject({ code: '409', fatal: true });
      const forged = await revoke(first, done.request_id, { 'agent-id': second.id });
      expect(forged.statusCode).toBe(403);
      const byOther = await revoke(second, status.request_id, {});
      expect(byOther.statusCode).toBe(403);
    });
  });

  describe('every status (§3.02)', () => {
    it('maps each internal state to the spec’s status and reason', async () => {
      const move = (id: string, body: object) => operator('POST', `/v1/requests/${id}/transitions`, body);
      const unattested = await exercised(first, { email_verified: false });
      const verifying = (await statusOf(first, unattested.request_id)).json();
      expect(verifying).toMatchObject({
        status: 'in_progress',
        reason: 'need_user_verification',
        user_verification_url: expect.stringContaining('/privacy/verify/'),
        expires_at: verifying.expected_by,
      });
      expect(verifying.processing_details).toMatch(/one-time code/);

      const working = await exercised(first);
      expect((await move(working.request_id, { to: 'in_progress' })).statusCode).toBe(200);
      expect((await statusOf(first, working.request_id)).json()).toMatchObject({ status: 'in_progress' });
      const extended = await operator('POST', `/v1/requests/${working.request_id}/extension`, {
        reason: 'The request covers records in several systems.',
      });
      expect(extended.statusCode).toBe(200);
      const later = (await statusOf(first, working.request_id)).json();
      expect(later.expected_by).toBe('2026-05-31T23:59:59.999Z');
      expect(later.processing_details).toContain('2026-05-31');
      expect((await move(working.request_id, { to: 'awaiting_systems' })).statusCode).toBe(200);
      expect((await statusOf(first, working.request_id)).json().status).toBe('in_progress');
      expect((await move(working.request_id, { to: 'completed' })).statusCode).toBe(200);
      const fulfilled = (await statusOf(first, working.request_id)).json();
      expect(fulfilled).toMatchObject({ status: 'fulfilled' });
      expect(fulfilled.expected_by).toBeUndefined();

      const denials = {
        identity_not_verified: 'insuf_verification',
        manifestly_unfounded: 'suspected_fraud',
        excessive: 'too_many_requests',
        duplicate: 'too_many_requests',
        no_data_held: 'no_match',
        legal_obligation: 'claim_not_covered',
        legal_claims: 'claim_not_covered',
        freedom_of_expression: 'claim_not_covered',
        public_interest: 'claim_not_covered',
        not_applicable: 'outside_jurisdiction',
      };
      for (const [internal, reason] of Object.entries(denials)) {
        const denied = await exercised(first);
        expect((await move(denied.request_id, { to: 'rejected', reason: internal })).statusCode).toBe(200);
        expect((await statusOf(first, denied.request_id)).json(), internal).toMatchObject({
          status: 'denied',
          reason,
          processing_details: expect.any(String),
        });
      }

      const revoked = await exercised(first);
      await revoke(first, revoked.request_id, {});
      expect((await statusOf(first, revoked.request_id)).json().status).toBe('revoked');

      // A final status is kept for CUSTOS_DRP_STATUS_RETENTION (60 days); then it reads expired.
      clock.advance(60 * day);
      const expired = (await statusOf(first, working.request_id)).json();
      expect(expired).toEqual({
        request_id: working.request_id,
        agent_request_id: working.agent_request_id,
        received_at: working.received_at,
        status: 'expired',
        expires_at: fulfilled.expires_at,
      });
      expect((await statusOf(first, revoked.request_id)).json().status).toBe('expired');
      clock.set('2026-03-02T10:00:00Z');
    });
  });

  describe('the consumer’s verification page (§3.02.1)', () => {
    it('verifies the consumer with an e-mailed code at user_verification_url, for the request the agent names only', async () => {
      const path = receiver.newPath();
      const status = await exercised(first, {
        email_verified: false,
        status_callback: receiver.urlFor(path),
      });
      const url = status.user_verification_url as string;
      const page = verificationPage(url, status.request_id);

      // The URL is a page of the privacy center (its HTML shell, where the web app is built).
      const query = new URLSearchParams({
        request_id: status.request_id,
        redirect_to: 'https://agent.example/back',
      });
      const shell = await t.app.inject({ method: 'GET', url: `${new URL(url).pathname}?${query}` });
      expect([200, 503]).toContain(shell.statusCode);
      if (shell.statusCode === 200) expect(shell.headers['content-type']).toMatch(/^text\/html/);

      // §3.02.1: the request id the agent adds must name the request behind the link.
      expect((await verificationPage(url, faker.string.uuid()).view()).statusCode).toBe(404);
      const other = await exercised(first, { email_verified: false });
      expect((await verificationPage(url, other.request_id).view()).statusCode).toBe(404);
      const unknownLink = `http://localhost:8080/privacy/verify/${faker.string.uuid()}`;
      expect((await verificationPage(unknownLink, status.request_id).view()).statusCode).toBe(404);
      const noRequestId = await t.app.inject({
        method: 'GET',
        url: `/v1/privacy/verifications/${new URL(url).pathname.split('/').at(-1)}`,
      });
      expect(noRequestId.statusCode).toBe(400);
      expect(noRequestId.headers['content-type']).toMatch(/^application\/problem\+json/);

      const shown = await page.view({ redirectTo: 'https://agent.example/back?step=2' });
      expect(shown.statusCode, shown.body).toBe(200);
      expect(shown.json()).toEqual({
        requestId: status.request_id,
        exercise: 'access',
        agentName: directory[0]?.name,
        confirmsOptIn: false,
        state: 'pending',
        contact: expect.stringMatching(/^.•+@/),
        expiresAt: status.expires_at,
        redirectTo: 'https://agent.example/back?step=2',
      });
      for (const unsafe of ['javascript:alert(1)', 'http://agent.example/back', '/relative']) {
        expect((await page.view({ redirectTo: unsafe })).json().redirectTo, unsafe).toBeNull();
      }

      const code = await page.sendCode();
      expect(code).toMatch(/^\d{6}$/);
      const wrong = await page.confirm({ code: String((Number(code) + 1) % 1_000_000).padStart(6, '0') });
      expect(wrong.statusCode).toBe(422);
      expect(wrong.json()).toMatchObject({ code: 'verification_failed', attemptsLeft: 4 });
      const confirmed = await page.confirm({ code });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json()).toMatchObject({ state: 'verified' });
      expect(await request(status.request_id)).toMatchObject({
        state: 'verified',
        verification: { method: 'email_code' },
      });
      const after = (await statusOf(first, status.request_id)).json();
      expect(after).toMatchObject({ status: 'in_progress', expected_by: status.expected_by });
      expect(after.reason).toBeUndefined();
      expect(after.user_verification_url).toBeUndefined();
      // The consumer's verification changed the status: the agent is called back.
      await expect
        .poll(
          () =>
            receiver
              .at(path)
              .map((entry) => JSON.parse(entry.body))
              .at(-1),
          waitOptions,
        )
        .toEqual(after);
      const again = await t.app.inject({
        method: 'POST',
        url: `/v1/privacy/verifications/${new URL(url).pathname.split('/').at(-1)}/code`,
        payload: { requestId: status.request_id },
      });
      expect(again.statusCode).toBe(409);
    });
  });

  describe('sale:opt-out and sale:opt-in (§3.01), through consent', () => {
    it('records a signed opt-out at once, so checks deny every sale and sharing purpose', async () => {
      const consumer = await knownConsumer();
      expect(await verdicts(consumer.subjectId)).toEqual({
        data_sale: 'no_consent',
        ad_sharing: 'allowed',
        order_updates: 'allowed',
      });
      // An opt-out needs no verifiable request under the CCPA: the agent's signature is enough.
      const status = await exercised(first, {
        exercise: 'sale:opt-out',
        email: consumer.email,
        email_verified: false,
      });
      expect(status).toMatchObject({
        status: 'fulfilled',
        processing_details: expect.stringContaining('opted out'),
        expires_at: expect.any(String),
      });
      expect(await request(status.request_id)).toMatchObject({
        type: 'opt_out',
        state: 'completed',
        verification: { method: 'signed_authorization' },
      });
      expect(await verdicts(consumer.subjectId)).toEqual({
        data_sale: 'no_consent',
        ad_sharing: 'withdrawn',
        order_updates: 'allowed',
      });
      const events = await consentHistory(consumer.subjectId);
      expect(events.map((event) => [event.purpose, event.action])).toEqual([
        ['ad_sharing', 'withdraw'],
        ['data_sale', 'deny'],
      ]);
      for (const event of events) {
        expect(event).toMatchObject({
          method: 'opt_out',
          source: 'drp',
          formId: `drp:${first.id}:${status.request_id}`,
          recordedBy: { type: 'agent', id: first.id },
        });
      }
      // An opt-out that matches no consumer waits, verified, for the team.
      const unmatched = await exercised(first, { exercise: 'sale:opt-out' });
      expect(unmatched.status).toBe('in_progress');
      expect(await request(unmatched.request_id)).toMatchObject({ state: 'verified', subjectId: null });
    });

    it('has the consumer confirm an opt-in themselves, then records it, so checks allow those purposes again', async () => {
      const consumer = await knownConsumer();
      await exercised(first, { exercise: 'sale:opt-out', email: consumer.email });
      expect((await verdicts(consumer.subjectId)).ad_sharing).toBe('withdrawn');

      const path = receiver.newPath();
      // Even an attested identity does not make the second step: the consumer confirms (11 CCR § 7028).
      const status = await exercised(first, {
        exercise: 'sale:opt-in',
        email: consumer.email,
        email_verified: true,
        status_callback: receiver.urlFor(path),
      });
      expect(status).toMatchObject({
        status: 'in_progress',
        reason: 'need_user_verification',
        processing_details: expect.stringContaining('confirm the opt-in'),
        user_verification_url: expect.any(String),
      });
      expect(await request(status.request_id)).toMatchObject({ type: 'opt_in', state: 'verifying' });
      const page = verificationPage(status.user_verification_url, status.request_id);
      expect((await page.view()).json()).toMatchObject({ confirmsOptIn: true, exercise: 'sale:opt-in' });

      const code = await page.sendCode();
      const unconfirmed = await page.confirm({ code });
      expect(unconfirmed.statusCode).toBe(400);
      expect(unconfirmed.json().errors[0].path).toBe('confirmOptIn');
      expect(await verdicts(consumer.subjectId)).toMatchObject({ ad_sharing: 'withdrawn' });

      const confirmed = await page.confirm({ code, confirmOptIn: true });
      expect(confirmed.statusCode, confirmed.body).toBe(200);
      expect(confirmed.json().state).toBe('fulfilled');
      expect(await verdicts(consumer.subjectId)).toEqual({
        data_sale: 'allowed',
        ad_sharing: 'allowed',
        order_updates: 'allowed',
      });
      const grants = (await consentHistory(consumer.subjectId)).filter((event) => event.action === 'grant');
      expect(grants.map((event) => event.purpose).sort()).toEqual(['ad_sharing', 'data_sale']);
      for (const grant of grants) {
        expect(grant).toMatchObject({
          method: 'explicit_opt_in',
          source: 'drp',
          formId: `drp:${first.id}:${status.request_id}`,
          ipHash: expect.any(String),
          recordedBy: { type: 'subject', id: consumer.subjectId },
        });
      }
      const fulfilled = (await statusOf(first, status.request_id)).json();
      expect(fulfilled).toMatchObject({
        status: 'fulfilled',
        processing_details: expect.stringContaining('opted in'),
      });
      expect(await request(status.request_id)).toMatchObject({ state: 'completed' });
      await expect
        .poll(() => receiver.at(path).map((entry) => JSON.parse(entry.body).status), waitOptions)
        .toContain('fulfilled');

      // An opt-in for a consumer the business does not know is denied: there is nothing to opt in to.
      const stranger = await exercised(first, { exercise: 'sale:opt-in' });
      expect(stranger).toMatchObject({ status: 'denied', reason: 'no_match' });
    });
  });

  describe('results of a fulfilled access request (§3.02)', () => {
    it('hands the package to the agent at results_url until it expires, auditing each download', async () => {
      const consumer = await knownConsumer();
      const status = await exercised(first, { email: consumer.email });
      const move = (to: string) => operator('POST', `/v1/requests/${status.request_id}/transitions`, { to });
      expect((await move('in_progress')).statusCode).toBe(200);
      const made = await operator('POST', `/v1/requests/${status.request_id}/exports`);
      expect(made.statusCode, made.body).toBe(201);
      expect((await move('completed')).statusCode).toBe(200);

      const fulfilled = (await statusOf(first, status.request_id)).json();
      const resultsUrl = `http://localhost:8080/v1/data-rights-request/${status.request_id}/results`;
      expect(fulfilled).toEqual({
        request_id: status.request_id,
        agent_request_id: status.agent_request_id,
        received_at: status.received_at,
        status: 'fulfilled',
        processing_details: expect.stringContaining('results_url'),
        results_url: resultsUrl,
        // The package's links last CUSTOS_REQUEST_EXPORT_TTL (7 days), less than the status (60 days).
        expires_at: new Date(clock.now().getTime() + 7 * day).toISOString(),
      });

      const fetchResults = (agent: Agent, query = '', token = agent.token) =>
        t.app.inject({
          method: 'GET',
          url: `${new URL(resultsUrl).pathname}${query}`,
          headers: token ? { authorization: `Bearer ${token}` } : {},
        });
      const json = await fetchResults(first);
      expect(json.statusCode, json.body).toBe(200);
      expect(json.headers['content-type']).toMatch(/^application\/json/);
      const pkg = json.json();
      expect(pkg).toMatchObject({ format: 'custos.access-package', request: { id: status.request_id } });
      expect(JSON.stringify(pkg.personalData)).toContain(consumer.email);
      expect(pkg.automatedDecisions).toMatchObject({
        applies: true,
        decisions: [{ purpose: 'data_sale', logic: purposes[0]?.automatedDecisionMaking?.logic }],
      });
      const html = await fetchResults(first, '?format=html');
      expect(html.statusCode).toBe(200);
      expect(html.headers['content-type']).toMatch(/^text\/html/);
      expect(html.body).toContain('Automated decisions');

      expect((await fetchResults(second)).statusCode).toBe(403);
      expect((await fetchResults(first, '', '')).statusCode).toBe(401);
      expect((await fetchResults(first, '?format=pdf')).statusCode).toBe(400);
      const pending = await exercised(first);
      const none = await t.app.inject({
        method: 'GET',
        url: `/v1/data-rights-request/${pending.request_id}/results`,
        headers: { authorization: `Bearer ${first.token}` },
      });
      expect(none.statusCode).toBe(404);
      expect(none.json()).toEqual({ code: '404', message: expect.any(String) });

      const downloads = await t.runtime.database.db
        .selectFrom('audit_entries')
        .select(['actor_type', 'actor_id'])
        .where('action', '=', 'request.export.downloaded')
        .where('target_id', '=', status.request_id)
        .execute();
      expect(downloads).toEqual([
        { actor_type: 'agent', actor_id: first.id },
        { actor_type: 'agent', actor_id: first.id },
      ]);

      clock.advance(7 * day + minute);
      expect((await statusOf(first, status.request_id)).json()).toEqual({
        request_id: status.request_id,
        agent_request_id: status.agent_request_id,
        received_at: status.received_at,
        status: 'expired',
        expires_at: fulfilled.expires_at,
      });
      expect((await fetchResults(first)).statusCode).toBe(410);
      clock.set('2026-03-02T10:00:00Z');
    });
  });

  describe('status callbacks (§2.03)', () => {
    async function businessKey(): Promise<KeyObject> {
      const response = await operator('GET', '/v1/drp/business');
      const raw = Buffer.from(response.json().callbackVerifyKey, 'base64');
      return createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: raw.toString('base64url') },
        format: 'jwk',
      });
    }

    it('tells the agent of every change it did not make, signed by the business', async () => {
      const path = receiver.newPath();
      const status = await exercised(first, { status_callback: receiver.urlFor(path) });
      const move = (body: object) => operator('POST', `/v1/requests/${status.request_id}/transitions`, body);
      expect((await move({ to: 'in_progress' })).statusCode).toBe(200);
      expect((await move({ to: 'completed' })).statusCode).toBe(200);

      await expect.poll(() => receiver.at(path).length, waitOptions).toBeGreaterThanOrEqual(1);
      await expect
        .poll(
          () => receiver.at(path).some((entry) => JSON.parse(entry.body).status === 'fulfilled'),
          waitOptions,
        )
        .toBe(true);
      const key = await businessKey();
      for (const callback of receiver.at(path)) {
        expect(callback.headers['content-type']).toMatch(/^application\/json/);
        expect(callback.headers['x-drp-business-id']).toBe(businessId);
        const signature = Buffer.from(String(callback.headers['x-drp-signature']), 'base64');
        expect(verify(null, Buffer.from(callback.body, 'utf8'), key, signature)).toBe(true);
        expect(JSON.parse(callback.body).request_id).toBe(status.request_id);
      }
      const last = JSON.parse(receiver.at(path).at(-1)?.body ?? '{}');
      expect(last).toEqual((await statusOf(first, status.request_id)).json());

      await expect
        .poll(
          async () => (await operator('GET', `/v1/requests/${status.request_id}/drp`)).json().callback.state,
          waitOptions,
        )
        .toBe('delivered');
      const view = (await operator('GET', `/v1/requests/${status.request_id}/drp`)).json();
      expect(view.callback).toMatchObject({
        origin: new URL(receiver.urlFor(path)).origin,
        lastStatusCode: 200,
      });
      expect(view.claims).toBeNull(); // deleted when the request closed
    });

    it('retries a failed callback, and sends nothing for the agent’s own revocation', async () => {
      const path = receiver.newPath();
      receiver.answer(path, (attempt) => (attempt === 1 ? 503 : 200));
      const status = await exercised(first, { status_callback: receiver.urlFor(path) });
      const move = (to: string) => operator('POST', `/v1/requests/${status.request_id}/transitions`, { to });
      expect((await move('in_progress')).statusCode).toBe(200); // still in_progress for the agent: no callback
      expect((await move('awaiting_systems')).statusCode).toBe(200);
      await expect.poll(() => receiver.at(path).length, waitOptions).toBe(2);
      expect(receiver.at(path).map((entry) => entry.body)).toEqual([
        receiver.at(path)[0]?.body,
        receiver.at(path)[0]?.body,
      ]);
      expect(JSON.parse(receiver.at(path)[1]?.body ?? '{}')).toMatchObject({
        status: 'in_progress',
        processing_details: expect.stringContaining('systems'),
      });
      await expect
        .poll(
          async () => (await operator('GET', `/v1/requests/${status.request_id}/drp`)).json().callback,
          waitOptions,
        )
        .toMatchObject({ state: 'delivered', attempts: 2, lastStatusCode: 200 });

      const revoked = await revoke(first, status.request_id, {});
      expect(revoked.json().status).toBe('revoked');
      // The agent has the new status in its answer: nothing was queued for it.
      const afterRevoke = (await operator('GET', `/v1/requests/${status.request_id}/drp`)).json();
      expect(afterRevoke.callback).toMatchObject({ state: 'delivered', attempts: 2 });
      expect(afterRevoke.status.status).toBe('revoked');
      const resent = await operator('POST', `/v1/requests/${status.request_id}/drp/callback`);
      expect(resent.statusCode).toBe(202);
      await expect.poll(() => receiver.at(path).length, waitOptions).toBe(3);
      expect(JSON.parse(receiver.at(path)[2]?.body ?? '{}')).toMatchObject({ status: 'revoked' });
    });
  });

  describe('personal data', () => {
    it('keeps identity claims sealed and masked, and out of logs, audit entries and the database in clear', async () => {
      const consumer = await knownConsumer();
      const name = faker.person.fullName();
      const phone = `+1415${faker.string.numeric(7)}`;
      const status = await exercised(first, {
        email: consumer.email,
        name,
        phone_number: phone,
        phone_number_verified: true,
        address: { street_address: faker.location.streetAddress(), postal_code: '94103', country: 'US' },
      });
      const view = await operator('GET', `/v1/requests/${status.request_id}/drp`);
      expect(view.statusCode).toBe(200);
      const claims = view.json().claims as { claim: string; verified: boolean | null; value: string }[];
      expect(claims.map((claim) => claim.claim)).toEqual(['name', 'email', 'phone_number', 'address']);
      expect(claims.find((claim) => claim.claim === 'email')).toMatchObject({ verified: true });
      expect(JSON.stringify(claims)).not.toContain(consumer.email);
      expect(JSON.stringify(claims)).not.toContain(name);
      expect(JSON.stringify(claims)).not.toContain(phone);
      const hits = await findInDatabase(t.runtime.database, [consumer.email, name, phone]);
      expect(hits).toEqual([]);
      const secrets = [consumer.email, name, phone, first.token as string, second.token as string];
      expect(logLines.length).toBeGreaterThan(0);
      expect(logLines.filter((line) => secrets.some((secret) => line.includes(secret)))).toEqual([]);
    });
  });
});

describe('the Data Rights Protocol, when no business id is set', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('takes no DRP requests, and says so with a DRP error', async () => {
    const agent = newAgent('SOME_AGENT');
    for (const [method, url] of [
      ['POST', '/v1/agent/SOME_AGENT'],
      ['POST', '/v1/data-rights-request'],
      ['GET', `/v1/data-rights-request/${faker.string.uuid()}`],
    ] as const) {
      const response = await t.app.inject({
        method,
        url,
        headers: { 'content-type': 'text/plain', authorization: 'Bearer some-token' },
        ...(method === 'POST' ? { payload: signed(agent, envelope(agent)) } : {}),
      });
      expect(response.statusCode, url).toBe(404);
      expect(response.json()).toEqual({ code: '404', message: expect.any(String) });
    }
    const business = await t.app.inject({
      method: 'GET',
      url: '/v1/drp/business',
      headers: await actAs(t, 'security'),
    });
    expect(business.json()).toMatchObject({ businessId: null });
  });
});
