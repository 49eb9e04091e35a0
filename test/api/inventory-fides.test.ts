import { readFileSync } from 'node:fs';
import { faker } from '@faker-js/faker';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { parse as parseYaml } from 'yaml';
import type { AuditContext } from '../../src/modules/audit/audit-types.js';
import { sampleDataMap } from '../../src/modules/inventory/__fixtures__/data-map.js';
import type { InventoryImport } from '../../src/modules/inventory/inventory-model.js';
import { actAs } from '../helpers/auth.js';
import { createTestApp, type TestApp } from '../helpers/test-app.js';

faker.seed(1516);

const saasCompany = readFileSync(
  new URL('../../src/modules/inventory/__fixtures__/saas-company.fides.yml', import.meta.url),
  'utf8',
);

/**
 * The Fides routes on the real app (authentication, access, problem documents, audit), over a map held
 * in memory in place of the inventory's core, which records the plans it is asked to apply (the
 * inventory's own tests apply plans to the database).
 */
describe('Fides manifests over HTTP', () => {
  let t: TestApp;
  const map = sampleDataMap();
  const applied: { context: AuditContext; plan: InventoryImport }[] = [];

  beforeAll(async () => {
    t = await createTestApp();
    vi.spyOn(t.runtime.services.inventory, 'dataMap').mockImplementation(async () => map);
    vi.spyOn(t.runtime.services.inventory, 'applyImport').mockImplementation(async (context, plan) => {
      applied.push({ context, plan });
      const none = { created: 0, replaced: 0 };
      return { systems: none, processors: none, activities: none };
    });
  });
  afterAll(() => t.close());
  beforeEach(() => {
    applied.length = 0;
  });

  const importManifest = async (payload: string, type: string, query = '') =>
    t.app.inject({
      method: 'POST',
      url: `/v1/inventory/fides${query}`,
      headers: { ...(await actAs(t, 'dpo')), 'content-type': type },
      payload,
    });

  it('exports the map as YAML by default, and as JSON, for an auditor; each export is audited', async () => {
    const headers = await actAs(t, 'auditor');
    const asYaml = await t.app.inject({ method: 'GET', url: '/v1/inventory/fides', headers });
    expect(asYaml.statusCode).toBe(200);
    expect(asYaml.headers['content-type']).toBe('application/yaml; charset=utf-8');
    expect(asYaml.headers['content-disposition']).toBe('attachment; filename="custos-data-map.yml"');
    const manifest = parseYaml(asYaml.body);
    // Quoted for YAML 1.1 readers such as Fides's, which would read a bare date as a date.
    expect(asYaml.body).toContain('signed_at: "2025-03-01"');
    expect(manifest.system.map((s: { fides_key: string }) => s.fides_key)).toEqual([
      'custos',
      'billing',
      'data_warehouse',
      'support_desk',
    ]);
    const asJson = await t.app.inject({ method: 'GET', url: '/v1/inventory/fides?format=json', headers });
    expect(asJson.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(asJson.json()).toEqual(manifest);

    const audit = await t.app.inject({
      method: 'GET',
      url: '/v1/audit/entries?action=inventory.fides.exported',
      headers: await actAs(t, 'admin'),
    });
    expect(audit.json().items.map((entry: { details: unknown }) => entry.details)).toEqual([
      { format: 'json', systems: 4, datasets: 2, processors: 2, activities: 3 },
      { format: 'yaml', systems: 4, datasets: 2, processors: 2, activities: 3 },
    ]);
  });

  it('imports its own export unchanged: every entry planned, none different', async () => {
    const exported = await t.app.inject({
      method: 'GET',
      url: '/v1/inventory/fides',
      headers: await actAs(t, 'dpo'),
    });
    const response = await importManifest(exported.body, 'application/yaml');
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result.dryRun).toBe(false);
    expect(result.differences.every((d: { change: string }) => d.change === 'unchanged')).toBe(true);
    expect(applied).toHaveLength(1);
    expect(applied[0]?.plan).toEqual(result.plan);
    expect(applied[0]?.context.actor.type).toBe('operator');
  });

  it('answers a dry run with the plan, differences and warnings, and writes nothing', async () => {
    const response = await importManifest(saasCompany, 'application/x-yaml', '?dryRun=true');
    expect(response.statusCode).toBe(200);
    const result = response.json();
    expect(result.dryRun).toBe(true);
    expect(result.plan.systems).toHaveLength(4);
    expect(result.differences.filter((d: { change: string }) => d.change === 'create')).toHaveLength(7);
    expect(result.warnings.length).toBeGreaterThan(0);
    expect(applied).toEqual([]);
  });

  it('takes the same manifest as JSON', async () => {
    const response = await importManifest(
      JSON.stringify(parseYaml(saasCompany)),
      'application/json',
      '?dryRun=true',
    );
    expect(response.statusCode).toBe(200);
    expect(response.json().plan.activities).toHaveLength(4);
  });

  it('refuses a manifest with problems, naming every bad path, and imports nothing', async () => {
    const broken = saasCompany
      .replace('data_use: essential.service.payment_processing', 'data_use: essential.everything')
      .replace('third_country_transfers: [USA]', 'third_country_transfers: [USA, ZZZ]')
      .replace('system_type: Service', 'system_type: Service\n    colour: blue');
    const response = await importManifest(broken, 'application/yaml');
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    const problem = response.json();
    expect(problem.code).toBe('validation_failed');
    expect(problem.errors.map((e: { in: string; path: string }) => `${e.in} ${e.path}`).sort()).toEqual([
      'body system.1.privacy_declarations.0.data_use',
      'body system.1.third_country_transfers.1',
      'body system.2.colour',
    ]);
    expect(applied).toEqual([]);
  });

  it('answers broken YAML, an oversized manifest and other media types with problems', async () => {
    const broken = await importManifest('system: [unclosed', 'application/yaml');
    expect(broken.statusCode).toBe(400);
    expect(broken.json().errors[0].path).toBe('(root)');
    const huge = await importManifest(`# ${'x'.repeat(1024 * 1024)}\nsystem: []\n`, 'application/yaml');
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('body_too_large');
    const csv = await importManifest('a,b\n', 'text/csv');
    expect(csv.statusCode).toBe(415);
    expect(csv.json().code).toBe('unsupported_media_type');
    const empty = await importManifest('', 'application/json');
    expect(empty.statusCode).toBe(400);
    expect(applied).toEqual([]);
  });

  it('lets only inventory.read export and only inventory.manage import', async () => {
    const security = await actAs(t, 'security');
    const exported = await t.app.inject({ method: 'GET', url: '/v1/inventory/fides', headers: security });
    expect(exported.statusCode).toBe(403);
    expect(exported.json().permission).toBe('inventory.read');
    const imported = await t.app.inject({
      method: 'POST',
      url: '/v1/inventory/fides?dryRun=true',
      headers: { ...(await actAs(t, 'auditor')), 'content-type': 'application/yaml' },
      payload: 'system: []\n',
    });
    expect(imported.statusCode).toBe(403);
    expect(imported.json().permission).toBe('inventory.manage');
  });
});
