import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fixedClock } from '../../src/lib/clock.js';
import type { AuditContext, AuditEntryInput } from '../../src/modules/audit/audit-types.js';
import { actAs } from '../helpers/auth.js';
import { createOperator } from '../helpers/factories.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

// Weeks of ordinary traffic, then attacks, on a simulated clock. Entries are written an hour at a time
// with the audit service's batch append (each hour's entries share its instant), and the monitoring job
// runs after each simulated day, and every hour on the days of an attack, as the minute job would.

faker.seed(19);
const hour = 3_600_000;
const day = 24 * hour;
/** A Monday. */
const start = Date.parse('2026-11-02T00:00:00Z');
const subjects = Array.from({ length: 3000 }, () => faker.string.uuid());
const fieldNames = [
  'customers.plan',
  'customers.city',
  'customers.invoice_total',
  'customers.tier',
  'customers.segment',
];
const pick = <T>(items: readonly T[]): T => items[faker.number.int({ max: items.length - 1 })] as T;
type Entry = { context: AuditContext; entry: AuditEntryInput };

type Agent = { id: string; network: string };
let t: TestApp;
const clock = fixedClock(new Date(start));
const agents: Agent[] = [];
const exportKey = faker.string.uuid();
const lookupKey = faker.string.uuid();

const ctx = (type: 'operator' | 'api_key' | 'anonymous', id: string | null, ip: string): AuditContext =>
  ({
    actor: type === 'anonymous' ? { type, id: null } : { type, id: id as string },
    requestId: null,
    ip,
  }) as AuditContext;

function read(context: AuditContext, subjectId: string, purpose: string, fields = 3): Entry {
  return {
    context,
    entry: {
      action: 'vault.record.read',
      outcome: 'success',
      target: { type: 'subject', id: subjectId },
      purpose,
      details: { revealed: true, records: 1, fields: faker.helpers.arrayElements(fieldNames, fields) },
    },
  };
}

/** One ordinary hour: agents work weekdays 08–17 UTC, the two API keys every hour. */
function ordinaryHour(at: number, busy = 1): Entry[] {
  const entries: Entry[] = [];
  const when = new Date(at);
  const working =
    when.getUTCDay() >= 1 && when.getUTCDay() <= 5 && when.getUTCHours() >= 8 && when.getUTCHours() < 17;
  if (working) {
    for (const agent of agents) {
      const context = ctx('operator', agent.id, agent.network);
      if (when.getUTCHours() === 8) {
        entries.push({
          context,
          entry: {
            action: 'operator.login.succeeded',
            outcome: 'success',
            target: { type: 'operator', id: agent.id },
          },
        });
      }
      const reads = Math.round(faker.number.int({ min: 15, max: 35 }) * busy);
      for (let i = 0; i < reads; i += 1) {
        entries.push(
          read(context, pick(subjects), pick(['billing', 'support']), faker.number.int({ min: 2, max: 4 })),
        );
      }
    }
  }
  entries.push({
    context: ctx('api_key', exportKey, '192.0.2.10'),
    entry: {
      action: 'consent.filter.run',
      outcome: 'success',
      target: { type: 'purpose', id: 'newsletter' },
      details: {
        submitted: 130,
        allowed: faker.number.int({ min: 85, max: 115 }),
        invalid: 0,
        complete: true,
      },
    },
  });
  const lookups = faker.number.int({ min: 10, max: 30 });
  for (let i = 0; i < lookups; i += 1) {
    entries.push(read(ctx('api_key', lookupKey, '192.0.2.20'), pick(subjects), 'support', 2));
  }
  return entries;
}

async function append(at: number, entries: readonly Entry[]) {
  clock.set(new Date(at + 30 * 60_000));
  const { audit } = t.runtime.services;
  for (let i = 0; i < entries.length; i += 1000) {
    const chunk = entries.slice(i, i + 1000);
    await t.runtime.database.db.transaction().execute((tx) => audit.appendMany(tx, chunk));
  }
}

async function score() {
  return t.runtime.services.monitoring.run();
}

async function alertsSince(since: number, kind?: string) {
  const page = await t.runtime.services.alerts.list({ since: new Date(since), kind }, undefined, 100);
  return page.items.filter(
    (alert) => alert.kind.startsWith('monitoring.') || alert.kind === 'vault.mass_reveal',
  );
}

type AlertFactor = { factor: string; contribution: number; words: string };
const factorsOf = (alert: { details: Record<string, unknown> }) =>
  (alert.details.factors as AlertFactor[]).map((factor) => factor.factor);

/** Simulated time right now, as hours after `start`. */
let now = start;
async function ordinaryDays(days: number) {
  for (let d = 0; d < days; d += 1) {
    for (let h = 0; h < 24; h += 1) {
      await append(now, ordinaryHour(now));
      now += hour;
    }
    await score();
  }
}

describe('monitoring scenarios over simulated weeks of normal traffic', () => {
  beforeAll(async () => {
    t = await createTestApp({ clock });
    for (let i = 0; i < 5; i += 1) {
      const operator = await createOperator(t, { roles: ['privacy_agent'] });
      agents.push({ id: operator.id, network: `198.51.${100 + i}.10` });
    }
    const admin = await actAs(t, 'admin');
    const endpoint = await t.app.inject({
      method: 'POST',
      url: '/v1/webhooks/endpoints',
      headers: admin,
      payload: { url: 'https://hooks.example.com/custos', eventTypes: ['alert.raised'] },
    });
    expect(endpoint.statusCode).toBe(201);
    await ordinaryDays(21);
  }, 600_000);

  afterAll(async () => {
    await t?.close();
  });

  it('builds baselines without alerting on three ordinary weeks', async () => {
    expect(await alertsSince(start)).toEqual([]);
    const { items } = await t.runtime.services.monitoringReader.list(50, 0);
    const agent = items.find((p) => p.id === agents[0]?.id);
    expect(agent).toMatchObject({ type: 'operator', role: 'privacy_agent', warm: true });
    expect(agent?.activeHours).toBeGreaterThan(100);
    expect(agent?.baseline.reads.mean).toBeGreaterThan(15);
    expect(agent?.baseline.reads.mean).toBeLessThan(40);
  });

  it('alerts on an insider revealing 2,000 subjects overnight for a legitimate purpose', async () => {
    // Tuesday 01:00–03:00 UTC.
    now = start + 22 * day + hour;
    const insider = agents[0] as Agent;
    const context = ctx('operator', insider.id, insider.network);
    const targets = faker.helpers.arrayElements(subjects, 2000);
    for (let h = 0; h < 2; h += 1) {
      await append(
        now,
        targets.slice(h * 1000, (h + 1) * 1000).map((id) => read(context, id, 'billing', 2)),
      );
      await score();
      now += hour;
    }
    const raised = (await alertsSince(start + 22 * day, 'monitoring.anomaly')).filter(
      (alert) => alert.target_id === insider.id,
    );
    expect(raised).toHaveLength(1);
    const [alert] = raised;
    expect(alert?.severity).toBe('critical');
    expect(alert?.details.score).toBeGreaterThanOrEqual(0.95);
    expect(alert?.details.score).toBeLessThanOrEqual(1);
    expect(factorsOf(alert as never)).toEqual(
      expect.arrayContaining(['volume', 'off_hours', 'peers', 'breadth']),
    );
    expect(factorsOf(alert as never)).not.toContain('new_purpose');
    expect((alert?.details.entries as { seqs: number[] } | undefined)?.seqs.length).toBeGreaterThan(0);

    // Past the mass-reveal threshold (100 distinct subjects in clear within an hour) as well: the rule
    // that replaced the per-process counter, judged from the audit log whichever process served the reads.
    const massReveals = (await alertsSince(start + 22 * day, 'vault.mass_reveal')).filter(
      (found) => found.target_id === insider.id,
    );
    expect(massReveals).toHaveLength(1);
    expect(massReveals[0]?.severity).toBe('critical');
    expect(massReveals[0]?.details.distinctSubjects).toBeGreaterThan(900);

    // Sent to webhook subscribers of alert.raised, once per alert.
    const deliveries = await t.app.inject({
      method: 'GET',
      url: '/v1/webhooks/deliveries?eventType=alert.raised',
      headers: await actAs(t, 'admin'),
    });
    expect(deliveries.statusCode).toBe(200);
    expect(deliveries.json().items).toHaveLength(2);

    // One action from the alert to a breach whose affected set is the 2,000 subjects revealed.
    const headers = await actAs(t, 'security');
    const breach = await t.app.inject({
      method: 'POST',
      url: '/v1/breaches/from-alert',
      headers,
      payload: { alertId: alert?.id },
    });
    expect(breach.statusCode).toBe(201);
    expect(breach.json().facts.subjectsCount).toBe(2000);
  });

  it('alerts on credential stuffing followed by a successful sign-in from a new network', async () => {
    // Wednesday 10:00 UTC, during an ordinary working hour.
    now = start + 23 * day + 10 * hour;
    const victim = agents[1] as Agent;
    const entries = ordinaryHour(now);
    for (let i = 0; i < 40; i += 1) {
      entries.push({
        context: ctx('anonymous', null, `203.0.${i}.7`),
        entry: {
          action: 'operator.login.failed',
          outcome: 'failure',
          target: { type: 'operator', id: victim.id },
          details: { reason: 'wrong_password' },
        },
      });
    }
    const attacker = ctx('operator', victim.id, '203.0.113.99');
    entries.push({
      context: attacker,
      entry: {
        action: 'operator.login.succeeded',
        outcome: 'success',
        target: { type: 'operator', id: victim.id },
      },
    });
    for (let i = 0; i < 5; i += 1) entries.push(read(attacker, pick(subjects), 'support'));
    await append(now, entries);
    await score();
    const raised = (await alertsSince(now, 'monitoring.anomaly')).filter(
      (alert) => alert.target_id === victim.id,
    );
    expect(raised).toHaveLength(1);
    const [alert] = raised;
    expect(alert?.details.score).toBeGreaterThanOrEqual(0.8);
    expect(alert?.details.score).toBeLessThan(0.95);
    expect(factorsOf(alert as never)).toEqual(expect.arrayContaining(['failed_logins', 'new_network']));
    now += hour;
  });

  it('alerts on an API key enumerating subject ids in order', async () => {
    now = start + 24 * day + 14 * hour;
    const walked = [...faker.helpers.arrayElements(subjects, 600)].sort();
    const context = ctx('api_key', lookupKey, '192.0.2.20');
    await append(now, [
      ...ordinaryHour(now).filter((e) => e.context.actor.id !== lookupKey),
      ...walked.map((id) => read(context, id, 'support', 1)),
    ]);
    await score();
    const raised = (await alertsSince(now, 'monitoring.anomaly')).filter(
      (alert) => alert.target_id === lookupKey,
    );
    expect(raised).toHaveLength(1);
    const [alert] = raised;
    expect(alert?.target_type).toBe('api_key');
    expect(alert?.details.score).toBeGreaterThanOrEqual(0.95);
    expect(factorsOf(alert as never)).toEqual(expect.arrayContaining(['enumeration', 'breadth', 'volume']));
    now += hour;
  });

  it('alerts on an API key exporting three times its normal volume for a day (slow exfiltration)', async () => {
    now = start + 25 * day;
    const since = now;
    for (let h = 0; h < 24; h += 1) {
      const entries = ordinaryHour(now).map((e) =>
        e.context.actor.id === exportKey && e.entry.action === 'consent.filter.run'
          ? {
              ...e,
              entry: {
                ...e.entry,
                details: {
                  submitted: 400,
                  allowed: faker.number.int({ min: 340, max: 400 }),
                  invalid: 0,
                  complete: true,
                },
              },
            }
          : e,
      );
      await append(now, entries);
      await score();
      now += hour;
    }
    const raised = (await alertsSince(since)).filter((alert) => alert.target_id === exportKey);
    expect(raised.map((alert) => alert.kind)).toEqual(['monitoring.exfiltration']);
    const [alert] = raised;
    expect(alert?.severity).toBe('critical');
    expect(alert?.details.variant).toBe('slow');
    expect(alert?.details.ratio).toBeGreaterThanOrEqual(3);
    expect(alert?.details.score).toBeGreaterThanOrEqual(0.8);
    expect(factorsOf(alert as never)).toEqual(['slow_exfiltration']);
  });

  it('does not alert on a month-end busy day of the whole team', async () => {
    // Monday 30 November: every agent works two and a half times the usual volume.
    now = start + 28 * day;
    const since = now;
    for (let h = 0; h < 24; h += 1) {
      await append(now, ordinaryHour(now, 2.5));
      await score();
      now += hour;
    }
    expect(await alertsSince(since)).toEqual([]);
    const { items } = await t.runtime.services.monitoringReader.list(50, 0);
    for (const agent of agents) {
      const view = items.find((p) => p.id === agent.id);
      const today = view?.recent.filter((r) => Date.parse(r.hour) >= since) ?? [];
      expect(today.length).toBeGreaterThan(0);
      for (const scored of today) expect(scored.score).toBeLessThan(0.8);
    }
  });
});
