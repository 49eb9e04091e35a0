import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { faker } from '@faker-js/faker';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import { loadConfig } from '../../src/config.js';
import type { JobDefinition } from '../../src/jobs/queue.js';
import { fixedClock } from '../../src/lib/clock.js';
import type { ZAlert } from '../../src/modules/alerts/alert-schemas.js';
import { auditVerifyJob, auditVerifyJobName } from '../../src/modules/audit/audit-jobs.js';
import { deadlineReminderJobName } from '../../src/modules/requests/request-jobs.js';
import { type AuthHeaders, actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import {
  auditOf,
  caller,
  createCollections,
  createPerson,
  type Received,
  startReceiver,
  workedRequest,
} from '../helpers/fulfilment.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1301);

type Alert = z.infer<typeof ZAlert>;

const dayMs = 86_400_000;

/** A loopback port nothing listens on: connecting to it is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function jobOf(t: TestApp, name: string): JobDefinition {
  const job = t.runtime.services.jobDefinitions.find((definition) => definition.name === name);
  if (!job) throw new Error(`no job ${name}`);
  return job;
}

async function runJob(t: TestApp, name: string): Promise<void> {
  await jobOf(t, name).handler({}, { id: faker.string.uuid() });
}

describe('alerts', () => {
  const clock = fixedClock(new Date());
  let t: TestApp;
  let as: ReturnType<typeof caller>;
  let security: AuthHeaders;
  let service: AuthHeaders;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const maxFailures = 3;
  const maxFailuresPerIp = 6;
  const revealThreshold = 3;

  beforeAll(async () => {
    receiver = await startReceiver();
    t = await createTestApp({
      clock,
      env: {
        CUSTOS_LOGIN_MAX_FAILURES: String(maxFailures),
        CUSTOS_LOGIN_MAX_FAILURES_PER_IP: String(maxFailuresPerIp),
        CUSTOS_REVEAL_ALERT_THRESHOLD: String(revealThreshold),
        CUSTOS_WEBHOOK_ALLOW_HTTP: 'true',
        CUSTOS_WEBHOOK_ALLOW_PRIVATE_NETWORKS: 'true',
        CUSTOS_WEBHOOK_MAX_ATTEMPTS: '1',
        CUSTOS_WEBHOOK_TIMEOUT: '5s',
      },
    });
    // Jobs can be enqueued, but nothing works them: each test drives the work it is about.
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
    security = await actAs(t, 'security');
    service = await actAs(t, 'service');
    await createCollections(t, ['customers', 'orders']);
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  async function alerts(query = ''): Promise<Alert[]> {
    const response = await as(security, 'GET', `/v1/alerts${query}`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().items;
  }

  /** The unresolved alerts of a kind about a target. */
  async function alertsAbout(kind: string, targetId: string): Promise<Alert[]> {
    return (await alerts(`?kind=${kind}&limit=200`)).filter(
      (alert) => alert.target?.id === targetId && alert.status !== 'resolved',
    );
  }

  function login(email: string, password: string, ip: string) {
    return t.app.inject({
      method: 'POST',
      url: '/v1/auth/login',
      payload: { email, password },
      remoteAddress: ip,
    });
  }

  async function operatorIdOf(headers: AuthHeaders): Promise<string> {
    return (await as(headers, 'GET', '/v1/auth/session')).json().operator.id;
  }

  describe('sources', () => {
    it('raises a warning when failed logins lock an operator account, and folds repeats into it', async () => {
      const operator = await createOperator(t);
      const ip = faker.internet.ipv4();
      for (let attempt = 0; attempt < maxFailures - 1; attempt += 1) {
        expect((await login(operator.email, `wrong-${attempt}`, ip)).statusCode).toBe(401);
      }
      expect(await alertsAbout('login.account_locked', operator.id)).toEqual([]);
      expect((await login(operator.email, 'wrong-again', ip)).statusCode).toBe(429);

      const [locked] = await alertsAbout('login.account_locked', operator.id);
      expect(locked).toMatchObject({
        severity: 'warning',
        status: 'open',
        count: 1,
        target: { type: 'operator', id: operator.id },
      });
      expect(locked?.summary).toMatch(/locked after repeated failed logins/);

      // Attempts while blocked are refused before they count; once the backoff passed, the next failure
      // locks the account again, a repeat within the dedupe window.
      expect((await login(operator.email, 'wrong-while-blocked', ip)).statusCode).toBe(429);
      expect((await alertsAbout('login.account_locked', operator.id))[0]?.count).toBe(1);
      clock.advance(31_000);
      expect((await login(operator.email, 'wrong-once-more', ip)).statusCode).toBe(429);
      const [repeated] = await alertsAbout('login.account_locked', operator.id);
      expect(repeated).toMatchObject({ id: locked?.id, count: 2, firstSeenAt: locked?.firstSeenAt });

      const body = JSON.stringify(await alerts());
      expect(body).not.toContain(operator.email);
      expect(body).not.toContain(ip);
    });

    it('raises a warning for many failed logins from one client network, naming it by a keyed hash', async () => {
      const ip = faker.internet.ipv4();
      for (let attempt = 0; attempt < maxFailuresPerIp; attempt += 1) {
        await login(faker.internet.email(), 'no-such-account-password', ip);
      }
      const throttled = (await alerts('?kind=login.client_throttled')).filter((alert) => alert.count >= 1);
      const failures = await as('auditor', 'GET', `/v1/audit/entries?action=operator.login.failed&limit=1`);
      const ipHash = failures.json().items[0].ipHash as string;
      expect(ipHash).toMatch(/^[0-9a-f]{32}$/);
      const [alert] = throttled.filter((item) => item.target?.id === ipHash);
      expect(alert).toMatchObject({ severity: 'warning', target: { type: 'client_network', id: ipHash } });
      // Unknown accounts lock no operator account.
      expect(JSON.stringify(await alerts('?kind=login.account_locked'))).not.toContain(ipHash);
      expect(JSON.stringify(await alerts())).not.toContain(ip);
    });

    it('raises a warning when a webhook delivery fails every attempt, but not for a disabled endpoint', async () => {
      const manager = await actAs(t, 'admin');
      const port = await closedPort();
      const create = async () => {
        const created = await as(manager, 'POST', '/v1/webhooks/endpoints', {
          url: `http://127.0.0.1:${port}/hook`,
        });
        expect(created.statusCode, created.body).toBe(201);
        return created.json().endpoint.id as string;
      };
      const sendTest = async (endpointId: string) => {
        const sent = await as(manager, 'POST', `/v1/webhooks/endpoints/${endpointId}/test`);
        expect(sent.statusCode, sent.body).toBe(202);
        return sent.json().id as string;
      };

      const failing = await create();
      const delivery = await sendTest(failing);
      expect(await t.runtime.services.notifications.attempt(delivery, 1)).toBe('dead_lettered');
      const [alert] = await alertsAbout('webhook.dead_lettered', failing);
      expect(alert).toMatchObject({
        severity: 'warning',
        target: { type: 'webhook_endpoint', id: failing },
        details: { delivery },
      });

      const disabled = await create();
      const unsent = await sendTest(disabled);
      const patched = await as(manager, 'PATCH', `/v1/webhooks/endpoints/${disabled}`, { enabled: false });
      expect(patched.statusCode, patched.body).toBe(200);
      expect(await t.runtime.services.notifications.attempt(unsent, 1)).toBe('dead_lettered');
      expect(await alertsAbout('webhook.dead_lettered', disabled)).toEqual([]);
    });

    it('raises a warning when a downstream system reports a task failed, or cannot be sent it', async () => {
      const register = async (category: string) => {
        const path = receiver.newPath();
        const response = await as('dpo', 'POST', '/v1/inventory/systems', {
          name: `${faker.company.name()} ${faker.string.alphanumeric(4)}`,
          owner: 'CRM team',
          dataCategories: [category],
          endpointUrl: receiver.urlFor(path),
        });
        expect(response.statusCode, response.body).toBe(201);
        return { id: response.json().system.id as string, path };
      };
      const reporting = await register('user.contact');
      const unreachable = await register('user.name');
      receiver.answer(unreachable.path, () => 500);

      const person = await createPerson(t, service, { orders: 0 });
      const requestId = await workedRequest(t, service, 'erasure', person);
      const erased = await as('privacy_agent', 'POST', `/v1/requests/${requestId}/erasure`, {});
      expect(erased.statusCode, erased.body).toBe(200);
      const tasks = (await as('privacy_agent', 'GET', `/v1/requests/${requestId}/tasks`)).json().items as {
        id: string;
        deliveryId: string;
        system: { id: string };
      }[];
      const taskOf = (systemId: string) => tasks.find((task) => task.system.id === systemId);
      const reported = taskOf(reporting.id);
      const undeliverable = taskOf(unreachable.id);
      expect(reported && undeliverable).toBeTruthy();

      // The unreachable system: its only attempt fails, the delivery is dead-lettered, the task fails.
      await t.runtime.services.notifications.attempt(undeliverable?.deliveryId as string, 1);
      const [lost] = await alertsAbout('system_task.failed', undeliverable?.id as string);
      expect(lost).toMatchObject({
        severity: 'warning',
        target: { type: 'system_task', id: undeliverable?.id },
        details: { request: requestId, system: unreachable.id, action: 'erasure', failure: 'undeliverable' },
      });

      // The other system receives its task and answers through its callback that it failed.
      expect(await t.runtime.services.notifications.attempt(reported?.deliveryId as string, 1)).toBe(
        'delivered',
      );
      const [message] = receiver.at(reporting.path) as Received[];
      const { callbackUrl } = JSON.parse(message?.body as string).data as { callbackUrl: string };
      const url = new URL(callbackUrl);
      const answered = await t.app.inject({
        method: 'POST',
        url: `${url.pathname}${url.search}`,
        payload: { status: 'failed', detail: 'Record locked by an open ticket' },
      });
      expect(answered.statusCode, answered.body).toBe(200);
      const [failed] = await alertsAbout('system_task.failed', reported?.id as string);
      expect(failed).toMatchObject({ details: { failure: 'reported', system: reporting.id } });
      expect(JSON.stringify(failed)).not.toContain('open ticket');
      expect(JSON.stringify(await alerts())).not.toContain(person.email);
    });

    it('raises one warning per overdue request on the daily reminder run, folding the next days’ runs', async () => {
      const file = async (receivedDaysAgo: number) => {
        const response = await as(service, 'POST', '/v1/requests', {
          type: 'access',
          contactEmail: faker.internet.email(),
          receivedAt: new Date(clock.now().getTime() - receivedDaysAgo * dayMs).toISOString(),
        });
        expect(response.statusCode, response.body).toBe(201);
        return response.json().id as string;
      };
      const overdue = await file(40);
      const onTime = await file(2);

      await runJob(t, deadlineReminderJobName);
      const [alert] = await alertsAbout('request.overdue', overdue);
      expect(alert).toMatchObject({
        severity: 'warning',
        count: 1,
        target: { type: 'request', id: overdue },
        details: { type: 'access', regime: 'gdpr' },
      });
      expect(alert?.summary).toMatch(/overdue/);
      expect(await alertsAbout('request.overdue', onTime)).toEqual([]);

      await runJob(t, deadlineReminderJobName);
      expect((await alertsAbout('request.overdue', overdue)).map((item) => item.count)).toEqual([2]);
    });

    it('raises a critical alert when one operator reveals more subjects than the threshold allows, counted from the audit log of every process', async () => {
      const reader = await actAs(t, 'privacy_agent');
      const readerId = await operatorIdOf(reader);
      const people = [];
      for (let index = 0; index <= revealThreshold; index += 1) {
        people.push(await createPerson(t, service, { orders: 0 }));
      }
      const read = async (subjectId: string, reveal: boolean) => {
        const response = await as(
          reader,
          'GET',
          `/v1/subjects/${subjectId}/records?purpose=support&reveal=${reveal}`,
        );
        expect(response.statusCode, response.body).toBe(200);
      };
      // Masked reads do not count, however many; nor does reading the same subject again.
      for (const person of people) await read(person.subjectId, false);
      const served = people.slice(0, revealThreshold - 1);
      for (const person of served) {
        await read(person.subjectId, true);
        await read(person.subjectId, true);
      }
      // Another process served one more reveal: only its audit entry is shared, nothing in memory.
      const elsewhere = people.at(-2) as { subjectId: string };
      const otherProcess = {
        actor: { type: 'operator' as const, id: readerId },
        requestId: null,
        ip: faker.internet.ipv4(),
      };
      await t.runtime.services.audit.record(otherProcess, {
        action: 'vault.record.read',
        outcome: 'success',
        target: { type: 'subject', id: elsewhere.subjectId },
        purpose: 'support',
        details: { revealed: true, records: 1, fields: ['orders.item'] },
      });
      await t.runtime.services.monitoring.run();
      expect(await alertsAbout('vault.mass_reveal', readerId)).toEqual([]);

      await read((people.at(-1) as { subjectId: string }).subjectId, true);
      await t.runtime.services.monitoring.run();
      const [alert] = await alertsAbout('vault.mass_reveal', readerId);
      expect(alert).toMatchObject({
        severity: 'critical',
        target: { type: 'operator', id: readerId },
        details: { distinctSubjects: revealThreshold + 1, threshold: revealThreshold, windowSeconds: 3600 },
      });
      // Judged once per hour: a further run and read do not raise it again.
      await read((people.at(-1) as { subjectId: string }).subjectId, true);
      await t.runtime.services.monitoring.run();
      expect(await alertsAbout('vault.mass_reveal', readerId)).toHaveLength(1);
      expect(alert?.summary).toMatch(/more than 3 subjects in clear within the hour from /);
      const body = JSON.stringify(alert);
      for (const person of people) {
        expect(body).not.toContain(person.subjectId);
        expect(body).not.toContain(person.email);
      }
    });
  });

  describe('listing, acknowledging and resolving', () => {
    async function raise(kind: 'login.account_locked' | 'vault.mass_reveal') {
      return t.runtime.database.db.transaction().execute((tx) =>
        t.runtime.services.alerts.raise(tx, {
          kind,
          summary: 'Raised by the test.',
          target: { type: 'operator', id: faker.string.uuid() },
        }),
      );
    }

    it('lists last seen first, filters by status, severity, kind and time, and pages with a cursor', async () => {
      clock.advance(60_000);
      const since = clock.now().toISOString();
      const warning = await raise('login.account_locked');
      clock.advance(1000);
      const critical = await raise('vault.mass_reveal');
      const recent = await alerts(`?since=${encodeURIComponent(since)}`);
      expect(recent.map((alert) => alert.id)).toEqual([critical.id, warning.id]);
      expect(
        (await alerts(`?severity=critical&since=${encodeURIComponent(since)}`)).map((a) => a.id),
      ).toEqual([critical.id]);
      expect(
        (await alerts(`?kind=login.account_locked&status=open&since=${encodeURIComponent(since)}`)).map(
          (alert) => alert.id,
        ),
      ).toEqual([warning.id]);

      const first = await as(security, 'GET', `/v1/alerts?limit=1&since=${encodeURIComponent(since)}`);
      expect(first.json().items.map((alert: Alert) => alert.id)).toEqual([critical.id]);
      const cursor = first.json().nextCursor as string;
      expect(cursor).toBeTruthy();
      const second = await as(
        security,
        'GET',
        `/v1/alerts?limit=1&since=${encodeURIComponent(since)}&cursor=${cursor}`,
      );
      expect(second.json()).toMatchObject({ items: [{ id: warning.id }], nextCursor: null });

      const one = await as('auditor', 'GET', `/v1/alerts/${warning.id}`);
      expect(one.statusCode).toBe(200);
      expect(one.json()).toMatchObject({ id: warning.id, kind: 'login.account_locked', status: 'open' });
    });

    it('folds raises of one kind and target made at the same time, in separate transactions, into one alert', async () => {
      const target = { type: 'operator', id: faker.string.uuid() };
      const raised = await Promise.all(
        [1, 2, 3].map(() =>
          t.runtime.database.db.transaction().execute((tx) =>
            t.runtime.services.alerts.raise(tx, {
              kind: 'login.account_locked',
              summary: 'An operator account was locked after repeated failed logins.',
              target,
            }),
          ),
        ),
      );
      expect(new Set(raised.map((alert) => alert.id)).size).toBe(1);
      expect((await alertsAbout('login.account_locked', target.id)).map((alert) => alert.count)).toEqual([3]);
    });

    it('answers bad filters, cursors and ids with a problem, never a 500', async () => {
      for (const query of [
        '?status=closed',
        '?severity=high',
        '?kind=made.up',
        '?since=yesterday',
        '?limit=0',
      ]) {
        const response = await as(security, 'GET', `/v1/alerts${query}`);
        expect(response.statusCode, query).toBe(400);
        expect(response.headers['content-type']).toMatch(/application\/problem\+json/);
      }
      const badCursor = await as(security, 'GET', '/v1/alerts?cursor=bm90LWEtY3Vyc29y');
      expect(badCursor.statusCode).toBe(400);
      expect(badCursor.json().code).toBe('invalid_query_parameter');
      expect((await as(security, 'GET', '/v1/alerts/not-a-uuid')).statusCode).toBe(400);
      expect((await as(security, 'GET', `/v1/alerts/${faker.string.uuid()}`)).statusCode).toBe(404);
      const missing = await as(security, 'POST', `/v1/alerts/${faker.string.uuid()}/acknowledge`, {});
      expect(missing.statusCode).toBe(404);
      const tooLong = await as(security, 'POST', `/v1/alerts/${faker.string.uuid()}/resolve`, {
        note: 'x'.repeat(2001),
      });
      expect(tooLong.statusCode).toBe(400);
    });

    it('acknowledges and resolves with a note, each audited in its transaction without the note', async () => {
      const raised = await raise('vault.mass_reveal');
      const securityId = await operatorIdOf(security);
      const note = faker.lorem.sentence();
      const acknowledged = await as(security, 'POST', `/v1/alerts/${raised.id}/acknowledge`, { note });
      expect(acknowledged.statusCode, acknowledged.body).toBe(200);
      expect(acknowledged.json()).toMatchObject({
        status: 'acknowledged',
        acknowledgedBy: securityId,
        note,
        resolvedAt: null,
      });
      const again = await as(security, 'POST', `/v1/alerts/${raised.id}/acknowledge`, {});
      expect(again.statusCode).toBe(409);
      expect(again.json()).toMatchObject({ code: 'invalid_transition', currentStatus: 'acknowledged' });

      const resolved = await as('admin', 'POST', `/v1/alerts/${raised.id}/resolve`, {});
      expect(resolved.statusCode, resolved.body).toBe(200);
      expect(resolved.json()).toMatchObject({ status: 'resolved', note, acknowledgedBy: securityId });
      expect(resolved.json().resolvedAt).not.toBeNull();
      expect((await as(security, 'POST', `/v1/alerts/${raised.id}/resolve`, {})).statusCode).toBe(409);

      const entries = await auditOf(t, raised.id);
      expect(entries.map((entry) => entry.action)).toEqual(['alert.acknowledged', 'alert.resolved']);
      expect(entries[0]?.details).toMatchObject({
        kind: 'vault.mass_reveal',
        severity: 'critical',
        from: 'open',
        withNote: true,
      });
      expect(JSON.stringify(entries)).not.toContain(note);
      expect((await alerts('?status=open')).map((alert) => alert.id)).not.toContain(raised.id);
    });

    it('lets security, admin, the DPO and auditors read alerts, and only security and admin settle them', async () => {
      const raised = await raise('login.account_locked');
      for (const role of ['admin', 'dpo', 'security', 'auditor'] as const) {
        expect((await as(role, 'GET', '/v1/alerts')).statusCode, role).toBe(200);
      }
      for (const who of ['privacy_agent', service] as const) {
        const denied = await as(who, 'GET', '/v1/alerts');
        expect(denied.statusCode).toBe(403);
        expect(denied.json().code).toBe('forbidden');
      }
      for (const role of ['dpo', 'auditor', 'privacy_agent'] as const) {
        const denied = await as(role, 'POST', `/v1/alerts/${raised.id}/acknowledge`, {});
        expect(denied.statusCode, role).toBe(403);
      }
      expect((await as(service, 'POST', `/v1/alerts/${raised.id}/resolve`, {})).statusCode).toBe(403);
      expect((await as(security, 'GET', `/v1/alerts/${raised.id}`)).json().status).toBe('open');
    });
  });
});

describe('audit verification alerts', () => {
  let t: TestApp;
  let as: ReturnType<typeof caller>;

  beforeAll(async () => {
    t = await createTestApp();
    await t.runtime.jobs.start({ work: false });
    as = caller(t);
  });
  afterAll(() => t.close());

  it('schedules the verification daily by default, and can be turned off', async () => {
    expect(jobOf(t, auditVerifyJobName).schedule).toBe('15 2 * * *');
    expect(loadConfig({ CUSTOS_AUDIT_VERIFY_SCHEDULE: 'off' }).auditVerifySchedule).toBeNull();
    expect(auditVerifyJob(t.runtime.services.audit, t.runtime.logger, undefined)).not.toHaveProperty(
      'schedule',
    );
    expect(() => loadConfig({ CUSTOS_AUDIT_VERIFY_SCHEDULE: 'daily' })).toThrow(
      /CUSTOS_AUDIT_VERIFY_SCHEDULE/,
    );
  });

  it('raises nothing while the log verifies', async () => {
    await runJob(t, auditVerifyJobName);
    expect((await as('security', 'GET', '/v1/audit/verify')).json().ok).toBe(true);
    expect((await as('security', 'GET', '/v1/alerts?kind=audit.verification_failed')).json().items).toEqual(
      [],
    );
  });

  it('raises a critical alert naming the problem and entry when the log fails, from the job and the route', async () => {
    const [entry] = (await as('auditor', 'GET', '/v1/audit/entries?limit=1')).json().items as {
      seq: number;
    }[];
    const seq = entry?.seq as number;
    // Tampering as the database owner would: triggers off, one field changed.
    await t.runtime.database.db.transaction().execute(async (tx) => {
      await sql`alter table audit_entries disable trigger user`.execute(tx);
      await tx.updateTable('audit_entries').set({ outcome: 'denied' }).where('seq', '=', seq).execute();
      await sql`alter table audit_entries enable trigger user`.execute(tx);
    });

    await runJob(t, auditVerifyJobName);
    const listed = async () =>
      (await as('security', 'GET', '/v1/alerts?kind=audit.verification_failed')).json().items as Alert[];
    const [alert] = await listed();
    expect(alert).toMatchObject({
      severity: 'critical',
      status: 'open',
      count: 1,
      target: { type: 'audit_entry', id: String(seq) },
      details: { problem: 'hash_mismatch', seq },
    });
    expect(alert?.summary).toBe(
      `The audit log failed verification at entry ${seq.toLocaleString('en-GB')}: hash_mismatch.`,
    );

    const verified = await as('security', 'GET', '/v1/audit/verify');
    expect(verified.json()).toMatchObject({ ok: false, problem: 'hash_mismatch', seq });
    // The route raised it too, before answering: the same alert, once more.
    expect((await listed()).map((item) => [item.id, item.count])).toEqual([[alert?.id, 2]]);
  });
});
