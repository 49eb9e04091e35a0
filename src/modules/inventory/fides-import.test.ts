import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { stringify as toYaml } from 'yaml';
import { AppError } from '../../lib/app-error.js';
import { sampleDataMap } from './__fixtures__/data-map.js';
import { differencesOf, planOf } from './fides-differences.js';
import { parseManifest } from './fides-import.js';
import { exportManifest, manifestText } from './fides-manifest.js';
import { manifestLimits } from './fides-manifest-schema.js';
import type { FidesManifest } from './fides-manifest-types.js';

const map = sampleDataMap();
const saasCompany = readFileSync(new URL('./__fixtures__/saas-company.fides.yml', import.meta.url), 'utf8');
const json = 'application/json';
const yaml = 'application/yaml';

/** The exported manifest, changed by `edit`, as JSON text. */
function exported(edit: (manifest: FidesManifest & Record<string, unknown>) => void = () => {}): string {
  const manifest = structuredClone(exportManifest(map)) as FidesManifest & Record<string, unknown>;
  edit(manifest);
  return JSON.stringify(manifest);
}

/** The field errors a manifest is refused with (fails the test when it is accepted). */
function refusal(text: string, type = json): { code: string; errors: { path: string; message: string }[] } {
  try {
    parseManifest(text, type, map);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { code: error.code, errors: (error.errors ?? []).map(({ path, message }) => ({ path, message })) };
  }
  throw new Error('the manifest was accepted');
}
const pathsOf = (text: string, type = json) => refusal(text, type).errors.map((e) => e.path);

describe('importing a fideslang manifest', () => {
  it('gives back exactly what the map says when it reads the map’s own export, as JSON or YAML', () => {
    const manifest = exportManifest(map);
    const fromJson = parseManifest(JSON.stringify(manifest), json, map);
    const fromYaml = parseManifest(manifestText(manifest, 'yaml'), 'text/yaml; charset=utf-8', map);
    const fromPlainYaml = parseManifest(toYaml(manifest), 'application/x-yaml', map);
    expect(fromJson.plan).toEqual(planOf(map));
    expect(fromYaml.plan).toEqual(planOf(map));
    expect(fromPlainYaml.plan).toEqual(planOf(map));
    expect(fromJson.warnings).toEqual([]);
    expect(differencesOf(map, fromJson.plan).every((d) => d.change === 'unchanged')).toBe(true);
  });

  it('carries the organization profile in the custos block, and none that was never saved', () => {
    const manifest = exportManifest(map);
    expect(manifest.custos.organization).toEqual({
      controller_name: map.organization.controllerName,
      address: map.organization.address,
      country: 'DE',
      representative: null,
      dpo_contact: map.organization.dpoContact,
      supervisory_authority: 'BfDI',
    });
    const { updatedAt: _updatedAt, ...profile } = map.organization;
    expect(parseManifest(JSON.stringify(manifest), json, map).plan.organization).toEqual(profile);

    const elsewhere = { ...map, organization: { ...map.organization, supervisoryAuthority: 'CNIL' } };
    expect(differencesOf(elsewhere, planOf(map))[0]).toEqual({
      kind: 'organization',
      name: 'organization',
      change: 'replace',
      fields: ['supervisoryAuthority'],
    });

    const unsaved = { ...map, organization: { ...map.organization, updatedAt: null } };
    expect(exportManifest(unsaved).custos.organization).toBeUndefined();
    const plan = parseManifest(JSON.stringify(exportManifest(unsaved)), json, map).plan;
    expect(plan.organization).toBeUndefined();
    expect(differencesOf(map, plan).some((d) => d.kind === 'organization')).toBe(false);
    expect(
      pathsOf(
        exported((m) => Object.assign(m.custos, { organization: { controller_name: 'X', country: 'XX' } })),
      ),
    ).toEqual(expect.arrayContaining(['custos.organization.country', 'custos.organization.address']));
  });

  it('imports a manifest written for Fides: systems, activities from declarations, datasets matched or kept as databases', () => {
    const { plan, warnings } = parseManifest(saasCompany, yaml, map);
    expect(plan.systems.map((s) => [s.name, s.kind, s.owner, s.locations])).toEqual([
      ['Web Application', 'internal_application', 'Engineering', []],
      ['Payments Provider', 'processor_hosted', 'Finance', ['US']],
      ['Support Desk', 'saas', 'Customer Success', []],
      ['Application database', 'database', '', []],
    ]);
    expect(plan.systems[3]?.dataCategories).toEqual([
      'user.contact.email',
      'user.name',
      'user.device.cookie_id',
    ]);
    expect(plan.processors).toEqual([]);
    const activity = (name: string) => plan.activities.find((a) => a.name === name);
    expect(activity('Provide the service')).toMatchObject({
      systemNames: ['Web Application', 'Application database'],
      collectionNames: ['customers'],
      purposeKeys: [],
      extraDataCategories: ['user.contact.email', 'user.name', 'user.account'],
      extraDataSubjects: ['customer'],
    });
    expect(activity('Product newsletter')).toMatchObject({
      purposeKeys: ['newsletter'],
      retentionNote: 'Until consent is withdrawn',
    });
    expect(activity('Take payments')).toMatchObject({
      role: 'processor',
      purposeKeys: ['billing'],
      recipientCategories: ['card networks'],
      transferSafeguards: [{ country: 'US', safeguard: 'SCCs' }],
    });
    expect(activity('Answer customers')?.jointControllers).toEqual([
      { name: 'Acme Group Support Services', contact: '' },
    ]);
    expect(warnings).toEqual([
      { path: 'dataset.1.collections.0.fields.1', message: 'is not a field of the vault collection' },
      { path: 'dataset.1.collections.0.fields', message: 'leaves out the vault field name' },
      {
        path: 'system.0.privacy_declarations.0.data_use',
        message: 'is carried by no consent purpose; the activity has no purpose for it',
      },
      {
        path: 'system.2.privacy_declarations.0.data_use',
        message: 'is carried by no consent purpose; the activity has no purpose for it',
      },
    ]);
  });

  it('never turns a dataset of a Custos export into a system, even when this Custos lacks its collection', () => {
    const manifest = exportManifest(map);
    const orders = manifest.dataset[1];
    if (!orders) throw new Error('fixture changed');
    const elsewhere = { ...map, systems: map.systems.filter((s) => s.name !== 'orders') };
    const { plan, warnings } = parseManifest(JSON.stringify({ dataset: [orders] }), json, elsewhere);
    expect(plan.systems).toEqual([]);
    expect(warnings).toEqual([
      {
        path: 'dataset.0.collections.0',
        message: 'names no vault collection; collections are created in the vault',
      },
    ]);
  });

  it('says what importing would change, by entry and field name', () => {
    const { plan } = parseManifest(
      exported((m) => {
        const billing = m.system[1];
        if (billing) billing.meta.custos.owner = 'Finance team';
        m.custos.activities.splice(1, 1);
      }),
      json,
      map,
    );
    const differences = differencesOf(map, plan);
    expect(differences.find((d) => d.name === 'Billing')).toEqual({
      kind: 'system',
      name: 'Billing',
      change: 'replace',
      fields: ['owner'],
    });
    // A declaration whose activity left the block becomes an activity of its own again.
    // Read as Fides would: no description, every category extra, and the joint controller that
    // fideslang records per system (Custos's, from another activity) applying to it too.
    expect(differences.find((d) => d.name === 'Newsletter')).toMatchObject({
      change: 'replace',
      fields: ['description', 'jointControllers', 'extraDataCategories', 'extraDataSubjects'],
    });
  });

  it('names every unknown field, taxonomy key and country code in one refusal', () => {
    const text = exported((m) => {
      const billing = m.system[1] as unknown as Record<string, unknown> & FidesManifest['system'][number];
      billing.colour = 'blue';
      billing.third_country_transfers = ['USA', 'XYZ'];
      billing.meta.custos.locations = ['US', 'QQ'];
      const declaration = billing.privacy_declarations[0];
      if (declaration) {
        declaration.data_categories = ['user.financial', 'user.shoe_size'];
        declaration.data_use = 'selling.everything';
        declaration.data_subjects = ['martian'];
      }
      const field = m.dataset[0]?.collections[0]?.fields[0];
      if (field) field.data_categories = ['nope'];
      m.custos.processors[0] = {
        ...(m.custos.processors[0] as FidesManifest['custos']['processors'][number]),
        country: 'Germany',
      };
      m.extra = true;
    });
    const { code, errors } = refusal(text);
    expect(code).toBe('validation_failed');
    expect(errors.map((e) => e.path).sort()).toEqual(
      [
        'extra',
        'system.1.colour',
        'system.1.third_country_transfers.1',
        'system.1.meta.custos.locations.1',
        'system.1.privacy_declarations.0.data_categories.1',
        'system.1.privacy_declarations.0.data_use',
        'system.1.privacy_declarations.0.data_subjects.0',
        'dataset.0.collections.0.fields.0.data_categories.0',
        'custos.processors.0.country',
      ].sort(),
    );
    expect(errors.find((e) => e.path.endsWith('data_categories.1'))?.message).toBe(
      'is not a data category of the taxonomy',
    );
    // Messages name the problem, never the value sent.
    expect(JSON.stringify(errors)).not.toMatch(/shoe_size|martian|XYZ|Germany|blue/);
  });

  it('refuses duplicate keys and names, and references to anything that does not exist', () => {
    const paths = pathsOf(
      exported((m) => {
        const [custos, billing, warehouse] = m.system;
        if (!custos || !billing || !warehouse) return;
        warehouse.fides_key = billing.fides_key;
        billing.meta.custos.processor = 'ghost_processor';
        custos.dataset_references = ['customers', 'no_such_dataset'];
        const declaration = custos.privacy_declarations[0];
        if (declaration) declaration.dataset_references = ['elsewhere'];
        billing.ingress = [{ fides_key: 'nowhere', type: 'system' }];
        const processors = m.custos.processors;
        if (processors[1]) processors[1].parent = 'ghost_parent';
        const activity = m.custos.activities[0];
        if (activity) {
          activity.systems = ['billing', 'custos', 'unknown_system'];
          activity.purposes = ['billing', 'no_purpose'];
          activity.collections = ['invoices'];
          activity.measures = ['Encryption at rest', 'Prayer'];
        }
        m.custos.activities.push({
          ...(m.custos.activities[1] as FidesManifest['custos']['activities'][number]),
        });
      }),
    );
    expect(paths.sort()).toEqual(
      [
        'system.2.fides_key',
        'system.1.meta.custos.processor',
        'system.0.dataset_references.1',
        'system.0.privacy_declarations.0.dataset_references.0',
        'system.1.ingress.0.fides_key',
        'custos.processors.1.parent',
        'custos.activities.0.systems.1',
        'custos.activities.0.systems.2',
        // The warehouse's key now names the billing system twice, and the warehouse no more.
        'custos.activities.2.systems.1',
        'custos.activities.0.purposes.1',
        'custos.activities.0.collections.0',
        'custos.activities.0.measures.1',
        'custos.activities.3.name',
      ].sort(),
    );
  });

  it('refuses a dataset outside the vault named like a system, as it would become one', () => {
    const manifest = `system:\n  - fides_key: shop\n    name: Shop\n    system_type: Database\n    privacy_declarations: []\ndataset:\n  - fides_key: shop_db\n    name: Shop\n    collections: []\n`;
    expect(pathsOf(manifest, yaml)).toEqual(['dataset.0.name']);
  });

  it('refuses a chain of processors that loops', () => {
    const paths = pathsOf(
      exported((m) => {
        const [payments, hosting] = m.custos.processors;
        if (payments && hosting) payments.parent = hosting.fides_key;
      }),
    );
    expect(paths).toEqual(['custos.processors.0.parent', 'custos.processors.1.parent']);
  });

  it('refuses a declaration naming a data flow its system does not have', () => {
    const manifest = `system:\n  - fides_key: app\n    system_type: Application\n    privacy_declarations:\n      - data_categories: [user.name]\n        data_use: essential.service\n        egress: [warehouse]\n`;
    expect(pathsOf(manifest, yaml)).toEqual(['system.0.privacy_declarations.0.egress.0']);
  });

  it('answers broken YAML or JSON, an empty body or a list with a problem naming the root', () => {
    expect(refusal('system: [unclosed', yaml).errors[0]?.path).toBe('(root)');
    expect(refusal('{"system": ', json).errors).toEqual([{ path: '(root)', message: 'is not valid JSON' }]);
    expect(pathsOf('   ')).toEqual(['(root)']);
    expect(pathsOf('[1, 2]')).toEqual(['(root)']);
    expect(pathsOf('a: &x [1]\nb: *x\nb: 2\n', yaml)).toEqual(['(root)']);
  });

  it('bounds what it reads: size, entries, nesting, aliases, and text PostgreSQL cannot store', () => {
    expect(() => parseManifest(' '.repeat(manifestLimits.bytes + 1), json, map)).toThrow(
      expect.objectContaining({ code: 'body_too_large' }),
    );
    const many = { system: Array.from({ length: manifestLimits.systems + 1 }, () => ({})) };
    expect(pathsOf(JSON.stringify(many))).toContain('system');
    let deep = '[]';
    for (let i = 0; i < 5000; i += 1) deep = `{"fields": ${deep}}`;
    expect(pathsOf(`{"dataset": [${deep}]}`)).toEqual(['(root)']);
    const laughs = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 12; i += 1)
      laughs.push(
        `${'a'.repeat(i + 1)}: &${'a'.repeat(i + 1)} [${Array(10)
          .fill(`*${'a'.repeat(i)}`)
          .join(', ')}]`,
      );
    expect(pathsOf(laughs.join('\n'), yaml)).toEqual(['(root)']);
    const nul = exported((m) => {
      const billing = m.system[1];
      if (billing) billing.description = 'a\u0000b';
    });
    expect(pathsOf(nul)).toEqual(['system.1.description']);
  });

  it('refuses a __proto__ key as an unknown field, in JSON and YAML alike', () => {
    expect(pathsOf('{"__proto__": {"polluted": true}, "system": []}')).toEqual(['__proto__']);
    expect(pathsOf('system:\n  - __proto__: {polluted: true}\n', yaml)).toContain('system.0.__proto__');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a manifest that begins with a byte order mark', () => {
    expect(parseManifest('\uFEFF{"system": []}', json, map).plan.systems).toEqual([]);
  });

  it('keeps entries apart whose names make the same fides_key', () => {
    const twins = sampleDataMap();
    const billing = twins.systems.find((s) => s.name === 'Billing');
    const payments = twins.processors[0];
    if (!billing || !payments) throw new Error('fixture changed');
    twins.systems.push({ ...billing, id: 'billing-eu', name: 'Billing (EU)', processorId: null });
    twins.systems.push({ ...billing, id: 'billing-bang', name: 'Billing!' });
    twins.processors.push({ ...payments, id: 'payments-2', name: 'Payments, Inc', systemIds: [] });
    twins.activities[0]?.systemIds.push('billing-bang');
    const { plan } = parseManifest(JSON.stringify(exportManifest(twins)), json, twins);
    expect(plan).toEqual(planOf(twins));
  });

  it('accepts only YAML and JSON media types', () => {
    expect(() => parseManifest('{}', 'text/csv', map)).toThrow(
      expect.objectContaining({ code: 'unsupported_media_type' }),
    );
  });
});
