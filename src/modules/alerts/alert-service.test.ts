import { faker } from '@faker-js/faker';
import type { Kysely } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Tx } from '../../db/database.js';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import { fixedClock } from '../../lib/clock.js';
import type { AuditContext, AuditEntryInput } from '../audit/audit-types.js';
import { type AlertInput, alertService } from './alert-service.js';
import type { AlertRow, AlertStore, RepeatQuery } from './alert-store.js';

faker.seed(5150);

const minute = 60_000;
const tx = { kind: 'the caller’s transaction' } as unknown as Tx;

/** The alert service over an in-memory store that answers as the SQL does, and a recording audit log. */
function alertsWith(options: { dedupeWindowMs?: number } = {}) {
  const clock = fixedClock('2026-04-01T08:00:00Z');
  const rows: AlertRow[] = [];
  const locks: string[] = [];
  const audited: { context: AuditContext; entry: AuditEntryInput }[] = [];
  const byId = (id: string) => rows.find((row) => row.id === id);
  const store = {
    lockRepeats: async (_tx: unknown, key: string) => {
      locks.push(key);
    },
    findRepeatable: async (_tx: unknown, query: RepeatQuery) =>
      rows
        .filter(
          (row) =>
            row.kind === query.kind &&
            row.status !== 'resolved' &&
            row.target_type === query.targetType &&
            row.target_id === query.targetId &&
            (query.seenSince === null || row.last_seen_at >= query.seenSince),
        )
        .sort((a, b) => b.last_seen_at.getTime() - a.last_seen_at.getTime())[0],
    insert: async (_tx: unknown, row: Record<string, unknown>) => {
      rows.push({
        count: 1,
        status: 'open',
        acknowledged_by: null,
        acknowledged_at: null,
        resolved_by: null,
        resolved_at: null,
        note: null,
        ...row,
        details: JSON.parse(row.details as string),
      } as AlertRow);
    },
    recordRepeat: async (
      _tx: unknown,
      id: string,
      latest: { summary: string; details: string; at: Date },
    ) => {
      const row = byId(id) as AlertRow;
      Object.assign(row, {
        count: row.count + 1,
        last_seen_at: latest.at,
        summary: latest.summary,
        details: JSON.parse(latest.details),
      });
      return row.count;
    },
    find: async (_tx: unknown, id: string) => byId(id),
    lock: async (_tx: unknown, id: string) => byId(id),
    update: async (_tx: unknown, id: string, changes: Partial<AlertRow>) =>
      Object.assign(byId(id) as AlertRow, changes),
    page: async () => [...rows],
  } as unknown as AlertStore;
  const db = {
    transaction: () => ({ execute: (work: (tx: Tx) => unknown) => work(tx) }),
  } as unknown as Kysely<DB>;
  const audit = {
    append: async (_tx: unknown, context: AuditContext, entry: AuditEntryInput) => {
      audited.push({ context, entry });
      return { seq: audited.length };
    },
  };
  const service = alertService({
    db,
    store,
    audit,
    clock,
    settings: { dedupeWindowMs: options.dedupeWindowMs ?? 60 * minute },
  });
  return { service, clock, rows, locks, audited };
}

const operatorContext = (): AuditContext => ({
  actor: { type: 'operator', id: faker.string.uuid() },
  requestId: faker.string.uuid(),
  ip: null,
});

const lockedAccount = (operatorId: string): AlertInput => ({
  kind: 'login.account_locked',
  summary: 'An operator account was locked after repeated failed logins.',
  target: { type: 'operator', id: operatorId },
});

describe('raising alerts', () => {
  it('folds a repeat within the window into the open alert: one more, last seen now', async () => {
    const { service, clock, rows } = alertsWith();
    const operatorId = faker.string.uuid();
    const first = await service.raise(tx, lockedAccount(operatorId));
    const firstSeen = clock.now();
    clock.advance(59 * minute);
    const second = await service.raise(tx, lockedAccount(operatorId));
    expect(first).toMatchObject({ count: 1, repeated: false });
    expect(second).toEqual({ id: first.id, count: 2, repeated: true });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      severity: 'warning',
      first_seen_at: firstSeen,
      last_seen_at: clock.now(),
      count: 2,
    });
  });

  it('measures the window from the last repeat, so a steady stream stays one alert', async () => {
    const { service, clock, rows } = alertsWith({ dedupeWindowMs: 10 * minute });
    const operatorId = faker.string.uuid();
    for (let repeat = 0; repeat < 6; repeat += 1) {
      await service.raise(tx, lockedAccount(operatorId));
      clock.advance(9 * minute);
    }
    expect(rows.map((row) => row.count)).toEqual([6]);
  });

  it('raises a new alert once the last one was seen longer ago than the window', async () => {
    const { service, clock, rows } = alertsWith({ dedupeWindowMs: 60 * minute });
    const operatorId = faker.string.uuid();
    await service.raise(tx, lockedAccount(operatorId));
    clock.advance(61 * minute);
    const later = await service.raise(tx, lockedAccount(operatorId));
    expect(later).toMatchObject({ count: 1, repeated: false });
    expect(rows).toHaveLength(2);
  });

  it('never folds into a resolved alert, but does into an acknowledged one', async () => {
    const { service, rows } = alertsWith();
    const operatorId = faker.string.uuid();
    const first = await service.raise(tx, lockedAccount(operatorId));
    await service.acknowledge(operatorContext(), first.id);
    expect(await service.raise(tx, lockedAccount(operatorId))).toMatchObject({ id: first.id, count: 2 });
    await service.resolve(operatorContext(), first.id);
    const after = await service.raise(tx, lockedAccount(operatorId));
    expect(after.id).not.toBe(first.id);
    expect(rows.map((row) => [row.status, row.count])).toEqual([
      ['resolved', 2],
      ['open', 1],
    ]);
  });

  it('keeps kinds and targets apart', async () => {
    const { service, rows } = alertsWith();
    const operatorId = faker.string.uuid();
    await service.raise(tx, lockedAccount(operatorId));
    await service.raise(tx, lockedAccount(faker.string.uuid()));
    await service.raise(tx, {
      kind: 'vault.mass_reveal',
      summary: 'An operator read the records of many subjects in clear.',
      target: { type: 'operator', id: operatorId },
    });
    expect(rows.map((row) => [row.kind, row.severity])).toEqual([
      ['login.account_locked', 'warning'],
      ['login.account_locked', 'warning'],
      ['vault.mass_reveal', 'critical'],
    ]);
  });

  it('folds conditions found again every day for as long as their alert is unresolved', async () => {
    const { service, clock, rows } = alertsWith({ dedupeWindowMs: 60 * minute });
    const requestId = faker.string.uuid();
    for (let day = 0; day < 3; day += 1) {
      await service.raise(tx, {
        kind: 'request.overdue',
        summary: `A data-subject request (access, gdpr) is ${day + 1} days overdue.`,
        target: { type: 'request', id: requestId },
        details: { daysOverdue: day + 1 },
      });
      clock.advance(24 * 60 * minute);
    }
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ count: 3, details: { daysOverdue: 3 } });
    expect(rows[0]?.summary).toContain('3 days overdue');
  });

  it('locks the kind and target before looking for a repeat, so concurrent raises cannot both insert', async () => {
    const { service, locks } = alertsWith();
    const operatorId = faker.string.uuid();
    await service.raise(tx, lockedAccount(operatorId));
    expect(locks).toEqual([`login.account_locked|operator|${operatorId}`]);
  });

  it('stores no text shaped like personal data, whatever a source passes', async () => {
    const { service, rows } = alertsWith();
    const email = faker.internet.email();
    await service.raise(tx, {
      kind: 'webhook.dead_lettered',
      summary: `Delivery to ${email} failed`,
      target: { type: 'webhook_endpoint', id: faker.string.uuid() },
      details: { email, attempts: 3, contact: email },
    });
    expect(JSON.stringify(rows)).not.toContain(email);
    expect(rows[0]?.details).toMatchObject({ attempts: 3, email: '[redacted]' });
  });

  it('keeps opaque ids and audit entry numbers as they are, and scrubs targets shaped like personal data', async () => {
    const { service, rows } = alertsWith();
    const hash = faker.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' });
    await service.raise(tx, {
      kind: 'login.client_throttled',
      summary: 'Many failed logins came from one client network.',
      target: { type: 'client_network', id: hash },
    });
    await service.raise(tx, {
      kind: 'audit.verification_failed',
      summary: 'The audit log failed verification at entry 123,456,789,012: hash_mismatch.',
      target: { type: 'audit_entry', id: '123456789012' },
    });
    const phone = faker.string.numeric(11);
    await service.raise(tx, {
      kind: 'webhook.dead_lettered',
      summary: 'A webhook delivery failed every attempt.',
      target: { type: 'webhook_endpoint', id: phone },
    });
    expect(rows.map((row) => row.target_id)).toEqual([hash, '123456789012', '[redacted]']);
    expect(rows[1]?.summary).toContain('123,456,789,012');
  });

  it('refuses kinds it does not know and malformed targets', async () => {
    const { service } = alertsWith();
    await expect(
      service.raise(tx, { kind: 'made.up' as never, summary: 'Something happened.' }),
    ).rejects.toThrow(/Unknown alert kind/);
    await expect(
      service.raise(tx, { ...lockedAccount(faker.string.uuid()), target: { type: 'Operator!', id: 'x' } }),
    ).rejects.toThrow(/not a lowercase name/);
  });
});

describe('acknowledging and resolving', () => {
  it('records who and when, keeps the note out of the audit log, and audits the move', async () => {
    const { service, audited } = alertsWith();
    const raised = await service.raise(tx, lockedAccount(faker.string.uuid()));
    const context = operatorContext();
    const note = faker.lorem.sentence();
    const acknowledged = await service.acknowledge(context, raised.id, `  ${note}  `);
    expect(acknowledged).toMatchObject({
      status: 'acknowledged',
      acknowledged_by: context.actor.id,
      note,
    });
    const resolved = await service.resolve(context, raised.id);
    expect(resolved).toMatchObject({ status: 'resolved', resolved_by: context.actor.id, note });
    expect(audited.map(({ entry }) => entry)).toEqual([
      {
        action: 'alert.acknowledged',
        outcome: 'success',
        target: { type: 'alert', id: raised.id },
        details: { kind: 'login.account_locked', severity: 'warning', from: 'open', withNote: true },
      },
      {
        action: 'alert.resolved',
        outcome: 'success',
        target: { type: 'alert', id: raised.id },
        details: { kind: 'login.account_locked', severity: 'warning', from: 'acknowledged', withNote: false },
      },
    ]);
    expect(JSON.stringify(audited)).not.toContain(note);
  });

  it('refuses to acknowledge twice or to move a resolved alert, saying what state it is in', async () => {
    const { service } = alertsWith();
    const raised = await service.raise(tx, lockedAccount(faker.string.uuid()));
    await service.acknowledge(operatorContext(), raised.id);
    const again = await service.acknowledge(operatorContext(), raised.id).catch((error) => error);
    expect(again).toBeInstanceOf(AppError);
    expect(again).toMatchObject({
      code: 'invalid_transition',
      extensions: { currentStatus: 'acknowledged' },
    });
    await service.resolve(operatorContext(), raised.id);
    await expect(service.resolve(operatorContext(), raised.id)).rejects.toMatchObject({
      code: 'invalid_transition',
    });
  });

  it('answers not_found for an alert that does not exist', async () => {
    const { service } = alertsWith();
    await expect(service.acknowledge(operatorContext(), faker.string.uuid())).rejects.toMatchObject({
      code: 'not_found',
    });
    await expect(service.get(faker.string.uuid())).rejects.toMatchObject({ code: 'not_found' });
  });
});
