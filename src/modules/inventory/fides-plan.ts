/**
 * From a validated manifest to the import plan. Registered systems come from `system` resources (Custos
 * itself and its collections are derived, so their resources are skipped); processors and activities from
 * the `custos` block when present. A manifest written for Fides has no such block: its privacy declarations
 * become activities (one per declaration name), its data uses are matched to the consent purposes that
 * carry them, and its datasets are matched to vault collections by name. A dataset that matches no
 * collection describes a database outside Custos and becomes a registered system of kind `database`;
 * a dataset that does match is never changed (the vault owns collections): differences are warnings.
 */
import type { FieldError } from '../../lib/app-error.js';
import { alpha2Of } from '../../lib/countries.js';
import type {
  Manifest,
  ManifestDataset,
  ManifestDeclaration,
  ManifestField,
  ManifestSystem,
} from './fides-manifest-schema.js';
import { type CustosOrganization, fidesLegalBasis, fidesSystemType } from './fides-manifest-types.js';
import { refuse } from './fides-references.js';
import type { DataMap, InventoryImport, Party, SystemKind } from './inventory-model.js';

/** Something the plan could not carry as the manifest said it; never a submitted value. */
export type ManifestWarning = { path: string; message: string };

type PlannedSystem = InventoryImport['systems'][number];
type PlannedActivity = InventoryImport['activities'][number];

const union = (...lists: (readonly string[] | null | undefined)[]) => [
  ...new Set(lists.flatMap((list) => list ?? [])),
];

const kindsBySystemType: Record<string, SystemKind> = {
  ...Object.fromEntries(Object.entries(fidesSystemType).map(([kind, type]) => [type.toLowerCase(), kind])),
  service: 'saas',
  saas: 'saas',
  'internal application': 'internal_application',
  app: 'internal_application',
  'data warehouse': 'database',
  vendor: 'processor_hosted',
  'third-party': 'processor_hosted',
};

const isDerived = (system: ManifestSystem) =>
  system.meta?.custos?.origin === 'custos' || system.meta?.custos?.origin === 'collection';

const countriesOf = (alpha3: readonly string[] | null | undefined) =>
  union((alpha3 ?? []).flatMap((code) => alpha2Of(code) ?? []));

function categoriesOfFields(fields: readonly ManifestField[]): string[] {
  return union(
    ...fields.map((field) => union(field.data_categories, categoriesOfFields(field.fields ?? []))),
  );
}

/** Which vault collections a dataset describes, or null when it describes something outside Custos. */
function collectionsOf(dataset: ManifestDataset, collections: Set<string>): string[] | null {
  const named = dataset.meta?.custos?.collection;
  if (named !== undefined) return collections.has(named) ? [named] : [];
  const names = dataset.collections.map((collection) => collection.name);
  return names.length > 0 && names.every((name) => collections.has(name)) ? names : null;
}

/** Warnings for what a dataset says of a vault collection that the collection does not. */
function collectionDifferences(dataset: ManifestDataset, index: number, map: DataMap): ManifestWarning[] {
  const warnings: ManifestWarning[] = [];
  dataset.collections.forEach((described, j) => {
    const at = `dataset.${index}.collections.${j}`;
    const collection = map.systems.find((s) => s.origin === 'collection' && s.name === described.name);
    if (!collection) {
      warnings.push({ path: at, message: 'names no vault collection; collections are created in the vault' });
      return;
    }
    const fields = new Map((collection.fields ?? []).map((field) => [field.name, field]));
    described.fields.forEach((field, k) => {
      const actual = fields.get(field.name);
      if (!actual)
        warnings.push({ path: `${at}.fields.${k}`, message: 'is not a field of the vault collection' });
      else if (field.data_categories && !field.data_categories.includes(actual.dataCategory)) {
        warnings.push({
          path: `${at}.fields.${k}.data_categories`,
          message: 'differs from the vault field’s category',
        });
      }
      fields.delete(field.name);
    });
    for (const name of fields.keys()) {
      warnings.push({ path: `${at}.fields`, message: `leaves out the vault field ${name}` });
    }
  });
  return warnings;
}

function registeredSystemOf(system: ManifestSystem, processorNames: Map<string, string>): PlannedSystem {
  const meta = system.meta?.custos;
  const declarations = system.privacy_declarations;
  const department = system.administrating_department;
  return {
    name: system.name ?? system.fides_key,
    description: system.description ?? '',
    owner: meta?.owner ?? (department && department !== 'Not defined' ? department : ''),
    kind: meta?.kind ?? kindsBySystemType[system.system_type.trim().toLowerCase()] ?? 'internal_application',
    locations: meta?.locations ?? countriesOf(system.third_country_transfers),
    dataCategories: meta?.data_categories ?? union(...declarations.map((d) => d.data_categories)),
    dataSubjects: meta?.data_subjects ?? union(...declarations.map((d) => d.data_subjects)),
    classification: meta?.classification ?? 'confidential',
    retention: meta?.retention ? { policyId: meta.retention.policy_id, period: meta.retention.period } : null,
    encryptionRequired: meta?.encryption_required ?? false,
    accessControls: meta?.access_controls ?? { roles: [], permissions: [], notes: '' },
    geographicRestrictions: meta?.geographic_restrictions ?? [],
    processorName: meta?.processor ? (processorNames.get(meta.processor) ?? null) : null,
  };
}

function databaseSystemOf(dataset: ManifestDataset): PlannedSystem {
  return {
    name: dataset.name ?? dataset.fides_key,
    description: dataset.description ?? '',
    owner: '',
    kind: 'database',
    locations: countriesOf(dataset.third_country_transfers),
    dataCategories: union(
      dataset.data_categories,
      ...dataset.collections.map((c) => union(c.data_categories, categoriesOfFields(c.fields))),
    ),
    dataSubjects: [],
    classification: 'confidential',
    retention: null,
    encryptionRequired: false,
    accessControls: { roles: [], permissions: [], notes: '' },
    geographicRestrictions: [],
    processorName: null,
  };
}

function databaseNameClash(index: number): FieldError {
  return {
    in: 'body',
    path: `dataset.${index}.name`,
    message: 'describes no vault collection, so it becomes a system, and another system has its name',
  };
}

/** Where a declaration sits and what its system says around it. */
type Placed = { declaration: ManifestDeclaration; system: ManifestSystem; path: string };

function rolesOf(system: ManifestSystem): string[] {
  return union(
    system.responsibility,
    system.data_responsibility_title ? [system.data_responsibility_title] : [],
  );
}

function jointControllersOf(system: ManifestSystem): Party[] {
  const contact = system.joint_controller;
  if (contact?.name)
    return [{ name: contact.name, contact: contact.email || contact.phone || contact.address || '' }];
  return system.joint_controller_info
    ? [{ name: system.joint_controller_info.slice(0, 200), contact: '' }]
    : [];
}

/**
 * The consent purposes carrying the declarations' data uses (with the legal basis declared, if any): Custos
 * holds data uses on purposes, not on activities, so a data use no purpose carries is a warning.
 */
function purposesOf(placed: Placed[], map: DataMap, warnings: ManifestWarning[]): string[] {
  const keys: string[] = [];
  for (const { declaration, path } of placed) {
    const basis = declaration.legal_basis_for_processing;
    const matching = map.purposes.filter(
      (purpose) =>
        purpose.dataUses.includes(declaration.data_use) &&
        (!basis || fidesLegalBasis[purpose.legalBasis as keyof typeof fidesLegalBasis] === basis),
    );
    if (matching.length === 0) {
      warnings.push({
        path: `${path}.data_use`,
        message: 'is carried by no consent purpose; the activity has no purpose for it',
      });
    }
    keys.push(...matching.map((purpose) => purpose.key));
  }
  return union(keys);
}

/** The activity a group of same-named declarations describes (a manifest written for Fides). */
function activityOfDeclarations(
  name: string,
  placed: Placed[],
  links: { datasets: Map<string, { collections: string[] | null; name: string }>; map: DataMap },
  warnings: ManifestWarning[],
): PlannedActivity {
  const systems = union(
    placed.filter((p) => !isDerived(p.system)).map((p) => p.system.name ?? p.system.fides_key),
  );
  const references = placed.flatMap((p) => p.declaration.dataset_references ?? []);
  const linked = references.flatMap((key) => links.datasets.get(key) ?? []);
  const roles = union(...placed.map((p) => rolesOf(p.system)));
  const processorOnly = roles.length > 0 && !roles.includes('Controller');
  const transfers = placed.flatMap(({ system }) =>
    countriesOf(system.third_country_transfers).map((country) => ({
      country,
      safeguard: (system.legal_basis_for_transfers ?? []).join('; '),
    })),
  );
  const joint = placed.flatMap((p) => jointControllersOf(p.system));
  return {
    name,
    description: '',
    role: processorOnly ? 'processor' : 'controller',
    controller: null,
    jointControllers: joint.filter((party, i) => joint.findIndex((p) => p.name === party.name) === i),
    purposeKeys: purposesOf(placed, links.map, warnings),
    collectionNames: union(...linked.map((dataset) => dataset.collections)),
    systemNames: union(
      systems,
      linked.filter((d) => d.collections === null).map((d) => d.name),
    ),
    processorNames: [],
    measureNames: [],
    extraDataCategories: union(...placed.map((p) => p.declaration.data_categories)),
    extraDataSubjects: union(...placed.map((p) => p.declaration.data_subjects)),
    recipientCategories: union(placed.flatMap((p) => p.declaration.third_parties?.trim() || [])),
    transferSafeguards: transfers.filter(
      (t, i) => transfers.findIndex((u) => u.country === t.country && u.safeguard === t.safeguard) === i,
    ),
    retentionNote: placed.find((p) => p.declaration.retention_period)?.declaration.retention_period ?? '',
  };
}

function activitiesOfBlock(
  manifest: Manifest,
  systemNames: Map<string, string>,
  processorNames: Map<string, string>,
) {
  return (manifest.custos?.activities ?? []).map(
    (activity): PlannedActivity => ({
      name: activity.name,
      description: activity.description,
      role: activity.role,
      controller: activity.controller,
      jointControllers: activity.joint_controllers,
      purposeKeys: activity.purposes,
      collectionNames: activity.collections,
      systemNames: activity.systems.flatMap((key) => systemNames.get(key) ?? []),
      processorNames: activity.processors.flatMap((key) => processorNames.get(key) ?? []),
      measureNames: activity.measures,
      extraDataCategories: activity.extra_data_categories,
      extraDataSubjects: activity.extra_data_subjects,
      recipientCategories: activity.recipient_categories,
      transferSafeguards: activity.transfer_safeguards,
      retentionNote: activity.retention_note,
    }),
  );
}

function organizationOf(organization: CustosOrganization): InventoryImport['organization'] {
  return {
    controllerName: organization.controller_name,
    address: organization.address,
    country: organization.country,
    representative: organization.representative,
    dpoContact: organization.dpo_contact,
    supervisoryAuthority: organization.supervisory_authority,
  };
}

/** The import plan a validated manifest describes, and what it could not carry. */
export function planFromManifest(manifest: Manifest, map: DataMap) {
  const warnings: ManifestWarning[] = [];
  const systems = manifest.system ?? [];
  const processors = manifest.custos?.processors ?? [];
  const processorNames = new Map(processors.map((p) => [p.fides_key, p.name]));
  const systemNames = new Map(systems.map((s) => [s.fides_key, s.name ?? s.fides_key]));
  const vault = new Set(map.systems.filter((s) => s.origin === 'collection').map((s) => s.name));
  const datasets = new Map<string, { collections: string[] | null; name: string }>();
  const databases: PlannedSystem[] = [];
  const clashes: FieldError[] = [];
  const taken = new Set(systemNames.values());
  (manifest.dataset ?? []).forEach((dataset, i) => {
    const collections = collectionsOf(dataset, vault);
    const name = dataset.name ?? dataset.fides_key;
    datasets.set(dataset.fides_key, { collections, name });
    if (collections !== null) warnings.push(...collectionDifferences(dataset, i, map));
    else if (taken.has(name)) clashes.push(databaseNameClash(i));
    else {
      taken.add(name);
      databases.push(databaseSystemOf(dataset));
    }
  });
  // Systems are matched by name: a database named like another system would replace it.
  if (clashes.length > 0) throw refuse(clashes);
  const blockNames = new Set((manifest.custos?.activities ?? []).map((activity) => activity.name));
  const groups = new Map<string, Placed[]>();
  systems.forEach((system, i) => {
    system.privacy_declarations.forEach((declaration, j) => {
      const name = declaration.name ?? `${system.name ?? system.fides_key}: ${declaration.data_use}`;
      if (blockNames.has(name)) return;
      groups.set(name, [
        ...(groups.get(name) ?? []),
        { declaration, system, path: `system.${i}.privacy_declarations.${j}` },
      ]);
    });
  });
  const organization = manifest.custos?.organization;
  const plan: InventoryImport = {
    ...(organization ? { organization: organizationOf(organization) } : {}),
    systems: [
      ...systems
        .filter((system) => !isDerived(system))
        .map((system) => registeredSystemOf(system, processorNames)),
      ...databases,
    ],
    processors: processors.map((p) => ({
      name: p.name,
      contact: p.contact,
      country: p.country,
      role: p.role,
      parentName: p.parent ? (processorNames.get(p.parent) ?? null) : null,
      dpa: p.dpa
        ? {
            signedAt: p.dpa.signed_at,
            version: p.dpa.version,
            reviewAt: p.dpa.review_at,
            reference: p.dpa.reference,
          }
        : null,
    })),
    activities: [
      ...activitiesOfBlock(manifest, systemNames, processorNames),
      ...[...groups].map(([name, placed]) =>
        activityOfDeclarations(name, placed, { datasets, map }, warnings),
      ),
    ],
  };
  return { plan, warnings };
}
