import { describe, expect, it } from 'vitest';
import { sampleDataMap } from './__fixtures__/data-map.js';
import { exportManifest } from './fides-manifest.js';
import { ZManifest } from './fides-manifest-schema.js';
import { fidesKeyOf } from './fides-manifest-types.js';

describe('exporting the data map as a fideslang manifest', () => {
  const map = sampleDataMap();
  const manifest = exportManifest(map);
  const system = (name: string) => manifest.system.find((s) => s.name === name);

  it('lists Custos and every registered system as systems, and every vault collection as a dataset', () => {
    expect(manifest.system.map((s) => s.fides_key)).toEqual([
      'custos',
      'billing',
      'data_warehouse',
      'support_desk',
    ]);
    expect(manifest.dataset.map((d) => d.fides_key)).toEqual(['customers', 'orders']);
    expect(manifest.dataset[0]?.collections[0]?.fields).toEqual([
      { name: 'email', data_categories: ['user.contact.email'] },
      { name: 'name', data_categories: ['user.name'] },
    ]);
  });

  it('derives privacy declarations from the activities linking each system, one per data use', () => {
    const billing = system('Billing');
    expect(billing?.privacy_declarations).toEqual([
      {
        name: 'Subscription processing',
        data_categories: ['user.contact.address', 'user.contact.email', 'user.financial', 'user.name'],
        data_use: 'essential.service.payment_processing',
        data_subjects: ['customer'],
        dataset_references: ['customers', 'orders'],
        legal_basis_for_processing: 'Contract',
        retention_period: 'P10Y',
        data_shared_with_third_parties: true,
        third_parties: 'tax authorities, Cloud Hosting GmbH, Payments Inc.',
        shared_categories: ['user.contact.address', 'user.contact.email', 'user.financial', 'user.name'],
      },
    ]);
    // Activities on collections are declared on Custos too; the newsletter on Custos only.
    expect(system('Custos')?.privacy_declarations.map((d) => [d.name, d.data_use])).toEqual([
      ['Subscription processing', 'essential.service.payment_processing'],
      ['Newsletter', 'marketing.communications.email'],
    ]);
    expect(system('Custos')?.privacy_declarations[1]?.retention_period).toBe('until consent is withdrawn');
  });

  it('says what fideslang can say of a system in its own fields', () => {
    const billing = system('Billing');
    expect(billing).toMatchObject({
      system_type: 'Service',
      responsibility: ['Processor'],
      does_international_transfers: true,
      third_country_transfers: ['USA'],
      legal_basis_for_transfers: ['SCCs'],
      joint_controller_info: 'Partner Ltd (privacy@partner.example)',
      data_security_practices: 'Encryption at rest; Access control',
      dpa_location: 'contracts/payments-dpa.pdf',
      legal_name: 'Payments Inc.',
      ingress: [{ fides_key: 'custos', type: 'system' }],
    });
    expect(system('Custos')).toMatchObject({
      legal_name: map.organization.controllerName,
      dpo: map.organization.dpoContact,
      egress: [{ fides_key: 'billing', type: 'system' }],
      dataset_references: ['customers', 'orders'],
    });
    expect(system('Support Desk')?.responsibility).toEqual(['Processor']);
    expect(system('Data Warehouse')?.third_country_transfers).toBeUndefined();
  });

  it('keeps what fideslang cannot say in meta.custos and the custos block', () => {
    expect(system('Billing')?.meta.custos).toMatchObject({
      origin: 'registered',
      kind: 'saas',
      locations: ['US', 'IE'],
      classification: 'confidential',
      retention: { policy_id: null, period: 'P10Y' },
      processor: 'payments_inc',
      geographic_restrictions: ['EEA', 'US'],
    });
    expect(manifest.custos.processors.map((p) => [p.fides_key, p.parent])).toEqual([
      ['payments_inc', null],
      ['cloud_hosting_gmbh', 'payments_inc'],
    ]);
    expect(manifest.custos.activities[2]).toMatchObject({
      name: 'Customer support',
      role: 'processor',
      systems: ['support_desk', 'data_warehouse'],
      controller: { name: 'Reseller AG', contact: 'dpo@reseller.example' },
    });
  });

  it('is a manifest its own import schema accepts', () => {
    const checked = ZManifest.safeParse(JSON.parse(JSON.stringify(manifest)));
    expect(checked.error?.issues).toBeUndefined();
  });

  it('makes FidesKeys from names, distinct even when names slug alike', () => {
    expect(fidesKeyOf('Zahlungsdienst Müller & Söhne')).toBe('zahlungsdienst_muller_sohne');
    expect(fidesKeyOf('!!!')).toBe('unnamed');
    const twins = sampleDataMap();
    const [, , , billing] = twins.systems;
    twins.systems.push({ ...(billing as (typeof twins.systems)[number]), id: 'other', name: 'BILLING' });
    expect(exportManifest(twins).system.map((s) => s.fides_key)).toContain('billing_2');
  });
});
