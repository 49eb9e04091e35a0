/**
 * The data map as a fideslang manifest (the format of Ethyca Fides): every system, Custos itself included,
 * as a `system` resource whose `privacy_declarations` come from the processing activities linking it, and
 * every vault collection as a `dataset` resource. What fideslang cannot say (processors, activities as
 * Custos holds them, a system's classification or retention) travels in `meta.custos` of a resource and in
 * a top-level `custos` block, which Fides ignores; that is what makes an export import back unchanged.
 */

import { stringify as toYaml } from 'yaml';
import { alpha3Of, isThirdCountry } from '../../lib/countries.js';
import type { LegalBasis } from '../consent/consent-rules.js';
import {
  type CustosActivity,
  type CustosOrganization,
  type CustosProcessor,
  type CustosSystemMeta,
  custosExtensionVersion,
  custosSystemKey,
  type FidesDataset,
  type FidesManifest,
  type FidesPrivacyDeclaration,
  type FidesResponsibility,
  type FidesSystem,
  fidesKeyOf,
  fidesLegalBasis,
  fidesResponsibilities,
  fidesSystemType,
} from './fides-manifest-types.js';
import type { ActivityEntry, DataMap, ProcessorEntry, SystemEntry } from './inventory-model.js';

/** Gives each id a distinct FidesKey made from its name (`crm`, `crm_2`, …), never one already taken. */
function keysFor<T>(items: T[], idOf: (item: T) => string, nameOf: (item: T) => string, taken: Set<string>) {
  const keys = new Map<string, string>();
  for (const item of items) {
    const base = fidesKeyOf(nameOf(item));
    let key = base;
    for (let n = 2; taken.has(key); n += 1) key = `${base}_${n}`;
    taken.add(key);
    keys.set(idOf(item), key);
  }
  return keys;
}

const union = (...lists: string[][]) => [...new Set(lists.flat())].sort();

/** Everything the export needs to look up while it walks the map. */
function indexOf(map: DataMap) {
  const collections = map.systems.filter((system) => system.origin === 'collection');
  const nonCollections = map.systems.filter((system) => system.origin !== 'collection');
  const taken = new Set<string>();
  const systemKeys = keysFor(
    nonCollections,
    (system) => system.id,
    (system) => (system.origin === 'custos' ? custosSystemKey : system.name),
    taken,
  );
  const datasetKeys = keysFor(
    collections,
    (system) => system.name,
    (system) => system.name,
    new Set(),
  );
  const processorKeys = keysFor(
    map.processors,
    (p) => p.id,
    (p) => p.name,
    new Set(),
  );
  return {
    map,
    systemKeys,
    datasetKeys,
    processorKeys,
    collectionByName: new Map(collections.map((system) => [system.name, system])),
    systemById: new Map(map.systems.map((system) => [system.id, system])),
    processorById: new Map(map.processors.map((processor) => [processor.id, processor])),
    purposeByKey: new Map(map.purposes.map((purpose) => [purpose.key, purpose])),
    measureById: new Map(map.measures.map((measure) => [measure.id, measure])),
  };
}
type MapIndex = ReturnType<typeof indexOf>;

/** The systems an activity's declarations sit on: its registered systems, and Custos for its collections. */
function declaringSystemsOf(index: MapIndex, activity: ActivityEntry): SystemEntry[] {
  const registered = activity.systemIds.flatMap((id) => index.systemById.get(id) ?? []);
  const custos = index.map.systems.find((system) => system.origin === 'custos');
  const onCustos = activity.collectionNames.length > 0 || registered.length === 0;
  return onCustos && custos ? [custos, ...registered] : registered;
}

function linkedAssetsOf(index: MapIndex, activity: ActivityEntry): SystemEntry[] {
  return [
    ...activity.collectionNames.flatMap((name) => index.collectionByName.get(name) ?? []),
    ...activity.systemIds.flatMap((id) => index.systemById.get(id) ?? []),
  ];
}

/** The processors an activity's data reaches: named directly, or operating one of its systems. */
function recipientsOf(index: MapIndex, activity: ActivityEntry): ProcessorEntry[] {
  const operating = activity.systemIds.flatMap((id) => index.systemById.get(id)?.processorId ?? []);
  return [...new Set([...activity.processorIds, ...operating])].flatMap(
    (id) => index.processorById.get(id) ?? [],
  );
}

/** The retention of an activity: its note, else the retention policies of its collections. */
function retentionOf(index: MapIndex, activity: ActivityEntry): string {
  if (activity.retentionNote) return activity.retentionNote;
  const policies = index.map.retention.filter(
    (policy) => policy.collection !== null && activity.collectionNames.includes(policy.collection),
  );
  return [...new Set(policies.map((policy) => policy.duration))].join('; ');
}

/** One declaration per data use of the activity's purposes, the first purpose naming it giving its basis. */
function declarationsOf(index: MapIndex, activity: ActivityEntry): FidesPrivacyDeclaration[] {
  const purposes = activity.purposeKeys.flatMap((key) => index.purposeByKey.get(key) ?? []);
  const assets = linkedAssetsOf(index, activity);
  const categories = union(
    activity.extraDataCategories,
    ...purposes.map((purpose) => purpose.dataCategories),
    ...assets.map((asset) => asset.dataCategories),
  );
  const subjects = union(activity.extraDataSubjects, ...assets.map((asset) => asset.dataSubjects));
  const recipients = [...activity.recipientCategories, ...recipientsOf(index, activity).map((p) => p.name)];
  const retention = retentionOf(index, activity);
  const datasets = activity.collectionNames.flatMap((name) => index.datasetKeys.get(name) ?? []);
  const uses = new Map<string, string>();
  for (const purpose of purposes) {
    for (const use of purpose.dataUses) {
      if (!uses.has(use)) uses.set(use, fidesLegalBasis[purpose.legalBasis as LegalBasis] ?? '');
    }
  }
  return [...uses].map(([use, basis]) => ({
    name: activity.name,
    data_categories: categories,
    data_use: use,
    data_subjects: subjects,
    dataset_references: datasets,
    ...(basis ? { legal_basis_for_processing: basis } : {}),
    ...(retention ? { retention_period: retention } : {}),
    data_shared_with_third_parties: recipients.length > 0,
    ...(recipients.length > 0 ? { third_parties: recipients.join(', ') } : {}),
    shared_categories: recipients.length > 0 ? categories : [],
  }));
}

function responsibilityOf(index: MapIndex, system: SystemEntry, activities: ActivityEntry[]) {
  const processor = system.processorId ? index.processorById.get(system.processorId) : undefined;
  if (processor?.role === 'processor') return ['Processor'] as FidesResponsibility[];
  if (processor?.role === 'sub_processor') return ['Sub-Processor'] as FidesResponsibility[];
  const roles = new Set(activities.map((activity) => activity.role));
  return fidesResponsibilities.filter(
    (title) =>
      (title === 'Controller' && (roles.size === 0 || roles.has('controller'))) ||
      (title === 'Processor' && roles.has('processor')),
  );
}

/** Data flows Fides can draw: from Custos to the systems that activities feed from vault collections. */
function flowsOf(index: MapIndex, system: SystemEntry): Pick<FidesSystem, 'egress' | 'ingress'> {
  const fed = index.map.activities.filter((activity) => activity.collectionNames.length > 0);
  if (system.origin === 'custos') {
    const targets = [...new Set(fed.flatMap((activity) => activity.systemIds))];
    const egress = targets.flatMap((id) => {
      const key = index.systemKeys.get(id);
      return key ? [{ fides_key: key, type: 'system' as const }] : [];
    });
    return egress.length > 0 ? { egress } : {};
  }
  return fed.some((activity) => activity.systemIds.includes(system.id))
    ? { ingress: [{ fides_key: custosSystemKey, type: 'system' }] }
    : {};
}

function systemMetaOf(index: MapIndex, system: SystemEntry): CustosSystemMeta {
  return {
    origin: system.origin,
    kind: system.kind,
    owner: system.owner,
    locations: system.locations,
    data_categories: system.dataCategories,
    data_subjects: system.dataSubjects,
    classification: system.classification,
    retention: system.retention
      ? { policy_id: system.retention.policyId, period: system.retention.period }
      : null,
    encryption_required: system.encryptionRequired,
    access_controls: system.accessControls,
    geographic_restrictions: system.geographicRestrictions,
    processor: system.processorId ? (index.processorKeys.get(system.processorId) ?? null) : null,
  };
}

/** What the organization profile says on Custos's own system resource. */
function controllerFieldsOf(index: MapIndex) {
  const { organization } = index.map;
  return {
    ...(organization.controllerName ? { legal_name: organization.controllerName } : {}),
    ...(organization.address ? { legal_address: organization.address } : {}),
    ...(organization.dpoContact ? { dpo: organization.dpoContact } : {}),
  };
}

function systemResourceOf(index: MapIndex, system: SystemEntry): FidesSystem {
  const activities = index.map.activities.filter((activity) =>
    declaringSystemsOf(index, activity).includes(system),
  );
  const thirdCountries = system.locations.filter(isThirdCountry).flatMap((code) => alpha3Of(code) ?? []);
  const safeguards = activities.flatMap((activity) =>
    activity.transferSafeguards
      .filter((transfer) => system.locations.includes(transfer.country))
      .map((transfer) => transfer.safeguard),
  );
  const jointControllers = activities.flatMap((activity) => activity.jointControllers);
  const measures = activities.flatMap((activity) =>
    activity.measureIds.flatMap((id) => index.measureById.get(id)?.name ?? []),
  );
  const processor = system.processorId ? index.processorById.get(system.processorId) : undefined;
  const datasets = system.origin === 'custos' ? [...index.datasetKeys.values()] : [];
  return {
    fides_key: index.systemKeys.get(system.id) ?? fidesKeyOf(system.name),
    name: system.name,
    description: system.description,
    system_type: fidesSystemType[system.kind],
    administrating_department: system.owner,
    processes_personal_data: true,
    responsibility: responsibilityOf(index, system, activities),
    ...flowsOf(index, system),
    privacy_declarations: activities.flatMap((activity) => declarationsOf(index, activity)),
    ...(datasets.length > 0 ? { dataset_references: datasets } : {}),
    does_international_transfers: thirdCountries.length > 0,
    ...(thirdCountries.length > 0 ? { third_country_transfers: thirdCountries } : {}),
    legal_basis_for_transfers: [...new Set(safeguards)],
    ...(jointControllers.length > 0
      ? { joint_controller_info: jointControllers.map((p) => `${p.name} (${p.contact})`).join('; ') }
      : {}),
    ...(measures.length > 0 ? { data_security_practices: [...new Set(measures)].join('; ') } : {}),
    ...(processor?.dpa ? { dpa_location: processor.dpa.reference } : {}),
    ...(processor ? { legal_name: processor.name } : {}),
    ...(system.origin === 'custos' ? controllerFieldsOf(index) : {}),
    meta: { custos: systemMetaOf(index, system) },
  };
}

function datasetOf(index: MapIndex, collection: SystemEntry): FidesDataset {
  const fields = collection.fields ?? [];
  const durations = index.map.retention
    .filter((policy) => policy.collection === collection.name)
    .map((policy) => policy.duration);
  return {
    fides_key: index.datasetKeys.get(collection.name) ?? fidesKeyOf(collection.name),
    name: collection.name,
    description: collection.description,
    collections: [
      {
        name: collection.name,
        data_categories: collection.dataCategories,
        ...(durations.length > 0 ? { retention: [...new Set(durations)].join('; ') } : {}),
        fields: fields.map((field) => ({ name: field.name, data_categories: [field.dataCategory] })),
      },
    ],
    meta: {
      custos: {
        collection: collection.name,
        fields: fields.map(({ name, classification, encrypted }) => ({ name, classification, encrypted })),
      },
    },
  };
}

function processorOf(index: MapIndex, processor: ProcessorEntry): CustosProcessor {
  return {
    fides_key: index.processorKeys.get(processor.id) ?? fidesKeyOf(processor.name),
    name: processor.name,
    contact: processor.contact,
    country: processor.country,
    role: processor.role,
    parent: processor.parentId ? (index.processorKeys.get(processor.parentId) ?? null) : null,
    dpa: processor.dpa
      ? {
          signed_at: processor.dpa.signedAt,
          version: processor.dpa.version,
          review_at: processor.dpa.reviewAt,
          reference: processor.dpa.reference,
        }
      : null,
  };
}

function activityOf(index: MapIndex, activity: ActivityEntry): CustosActivity {
  return {
    name: activity.name,
    description: activity.description,
    role: activity.role,
    controller: activity.controller,
    joint_controllers: activity.jointControllers,
    purposes: activity.purposeKeys,
    collections: activity.collectionNames,
    systems: activity.systemIds.flatMap((id) => index.systemKeys.get(id) ?? []),
    processors: activity.processorIds.flatMap((id) => index.processorKeys.get(id) ?? []),
    measures: activity.measureIds.flatMap((id) => index.measureById.get(id)?.name ?? []),
    extra_data_categories: activity.extraDataCategories,
    extra_data_subjects: activity.extraDataSubjects,
    recipient_categories: activity.recipientCategories,
    transfer_safeguards: activity.transferSafeguards,
    retention_note: activity.retentionNote,
  };
}

function organizationOf({ organization }: DataMap): CustosOrganization {
  return {
    controller_name: organization.controllerName,
    address: organization.address,
    country: organization.country,
    representative: organization.representative,
    dpo_contact: organization.dpoContact,
    supervisory_authority: organization.supervisoryAuthority,
  };
}

/** The whole data map as a fideslang manifest (plus the `custos` block); pure. */
export function exportManifest(map: DataMap): FidesManifest {
  const index = indexOf(map);
  return {
    system: map.systems
      .filter((system) => system.origin !== 'collection')
      .map((system) => systemResourceOf(index, system)),
    dataset: map.systems
      .filter((system) => system.origin === 'collection')
      .map((collection) => datasetOf(index, collection)),
    custos: {
      version: custosExtensionVersion,
      ...(map.organization.updatedAt ? { organization: organizationOf(map) } : {}),
      processors: map.processors.map((processor) => processorOf(index, processor)),
      activities: map.activities.map((activity) => activityOf(index, activity)),
    },
  };
}

/** A manifest as the text of a file: YAML, or JSON indented for reading. */
export function manifestText(manifest: FidesManifest, format: 'yaml' | 'json'): string {
  // No YAML anchors: a manifest is read (and diffed in git) by people. Strings that YAML 1.1 readers
  // (PyYAML, which Fides uses) would take for booleans or dates (`yes`, `2025-03-01`) are quoted.
  return format === 'json'
    ? `${JSON.stringify(manifest, null, 2)}\n`
    : toYaml(manifest, { aliasDuplicateObjects: false, version: '1.1' });
}
