import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditContext } from '../../src/modules/audit/audit-types.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1936);

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp();
});

afterAll(async () => {
  await t?.close();
});

async function appendReads(keyId: string, count: number) {
  const context: AuditContext = { actor: { type: 'api_key', id: keyId }, requestId: null, ip: '192.0.2.1' };
  const entries = Array.from({ length: count }, () => ({
    context,
    entry: {
      action: 'vault.record.read',
      outcome: 'success' as const,
      target: { type: 'subject', id: faker.string.uuid() },
      purpose: 'support',
      details: { revealed: false, fields: ['customers.plan'] },
    },
  }));
  await t.runtime.database.db.transaction().execute((tx) => t.runtime.services.audit.appendMany(tx, entries));
}

describe('monitoring API', () => {
  it('lists principals the job folded in, with their baseline, for monitoring.read only', async () => {
    const keyId = faker.string.uuid();
    await appendReads(keyId, 25);
    await t.runtime.services.monitoring.run();
    const security = await actAs(t, 'security');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/monitoring/principals', headers: security });
    expect(listed.statusCode).toBe(200);
    const item = listed.json().items.find((p: { id: string }) => p.id === keyId);
    expect(item).toMatchObject({ type: 'api_key', role: 'api_key', warm: false, score: null });
    expect(listed.json().cursor.entries).toBeGreaterThanOrEqual(25);

    const one = await t.app.inject({
      method: 'GET',
      url: `/v1/monitoring/principals/api_key/${keyId}`,
      headers: security,
    });
    expect(one.statusCode).toBe(200);
    expect(one.json().id).toBe(keyId);

    const agent = await actAs(t, 'privacy_agent');
    const refused = await t.app.inject({ method: 'GET', url: '/v1/monitoring/principals', headers: agent });
    expect(refused.statusCode).toBe(403);
  });

  it('answers 404 for a principal it has never seen', async () => {
    const security = await actAs(t, 'security');
    const res = await t.app.inject({
      method: 'GET',
      url: `/v1/monitoring/principals/operator/${faker.string.uuid()}`,
      headers: security,
    });
    expect(res.statusCode).toBe(404);
  });

  it('folds each entry once when two runs race for the cursor', async () => {
    const keyId = faker.string.uuid();
    await appendReads(keyId, 40);
    const before = (await t.runtime.services.monitoringReader.list(500, 0)).cursor.entries;
    const [a, b] = await Promise.all([
      t.runtime.services.monitoring.run(),
      t.runtime.services.monitoring.run(),
    ]);
    expect(a.entries + b.entries).toBeGreaterThanOrEqual(40);
    const after = (await t.runtime.services.monitoringReader.list(500, 0)).cursor.entries;
    expect(after - before).toBe(a.entries + b.entries);
    const view = await t.runtime.services.monitoringReader.get({ type: 'api_key', id: keyId });
    expect(view.activeHours).toBe(0);
  });

  it('changes the settings with monitoring.manage, audited, and refuses a threshold out of range', async () => {
    const security = await actAs(t, 'security');
    const current = await t.app.inject({ method: 'GET', url: '/v1/monitoring/settings', headers: security });
    expect(current.json().threshold).toBe(0.8);
    const changed = {
      ...current.json(),
      threshold: 0.9,
      responses: { anomaly: 'contain', exfiltration: 'alert' },
    };
    const saved = await t.app.inject({
      method: 'PUT',
      url: '/v1/monitoring/settings',
      headers: security,
      payload: changed,
    });
    expect(saved.statusCode).toBe(200);
    expect(saved.json().threshold).toBe(0.9);
    const bad = await t.app.inject({
      method: 'PUT',
      url: '/v1/monitoring/settings',
      headers: security,
      payload: { ...changed, threshold: 3 },
    });
    expect(bad.statusCode).toBe(400);
    const audit = await t.runtime.services.audit.query(
      { action: 'monitoring.settings.updated' },
      undefined,
      10,
    );
    expect(audit.items.length).toBe(1);
  });

  it('rebuilds the baselines from the whole log', async () => {
    const security = await actAs(t, 'security');
    const res = await t.app.inject({ method: 'POST', url: '/v1/monitoring/rebuild', headers: security });
    expect(res.statusCode).toBe(200);
    expect(res.json().entries).toBeGreaterThanOrEqual(65);
    expect(res.json().skipped).toBe(false);
  });
});
