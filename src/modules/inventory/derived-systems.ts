import { type Permission, type Role, rolePermissions } from '../access/permissions.js';
import { type Classification, classifications, isEncrypted } from '../vault/collection-schema.js';
import type { OrganizationProfile, RetentionSummary, SystemEntry } from './inventory-model.js';

/** A vault collection as the map needs it (from the vault's collection service). */
export type CollectionSummary = {
  name: string;
  description: string;
  fields: { name: string; category: string; classification: Classification }[];
  createdAt: Date;
  updatedAt: Date;
};

export const custosSystemId = 'custos';
const collectionPrefix = 'collection:';

export const collectionSystemId = (name: string) => `${collectionPrefix}${name}`;

/** Whether an id names an entry derived from Custos's own definitions (read-only through the inventory). */
export function isDerivedSystemId(id: string): boolean {
  return id === custosSystemId || id.startsWith(collectionPrefix);
}

/** The highest of the classifications given (`public` when none). */
export function highestClassification(values: readonly Classification[]): Classification {
  let highest = 0;
  for (const value of values) highest = Math.max(highest, classifications.indexOf(value));
  return classifications[highest] as Classification;
}

const unique = (values: readonly string[]) => [...new Set(values)].sort();

/** The roles of the permission matrix holding a permission. */
const rolesHolding = (permission: Permission): Role[] =>
  (Object.keys(rolePermissions) as Role[]).filter((role) => rolePermissions[role].includes(permission));

/** Who answers for what Custos holds: the controller, until the organization profile names it. */
const ownerOf = (organization: OrganizationProfile) => organization.controllerName || 'The controller';
const locationsOf = (organization: OrganizationProfile) =>
  organization.country ? [organization.country] : [];

function dateRange(collections: readonly CollectionSummary[], now: Date) {
  const created = collections.map((c) => c.createdAt.getTime());
  const updated = collections.map((c) => c.updatedAt.getTime());
  return {
    createdAt: created.length ? new Date(Math.min(...created)) : now,
    updatedAt: updated.length ? new Date(Math.max(...updated)) : now,
  };
}

/** The retention of a collection: the longest of the retention policies covering it, if any. */
function retentionOf(name: string, retention: readonly RetentionSummary[]): SystemEntry['retention'] {
  const policies = retention.filter((policy) => policy.collection === name);
  if (policies.length === 0) return null;
  const longest = policies.reduce((a, b) =>
    approximateDays(b.duration) > approximateDays(a.duration) ? b : a,
  );
  return { policyId: longest.id, period: longest.duration };
}

function approximateDays(duration: string | null): number {
  // A rule without a period keeps data until its trigger fires: no fixed length to compare.
  if (duration === null) return 0;
  const match = /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$/.exec(duration);
  if (!match) return 0;
  const [, years = '0', months = '0', weeks = '0', days = '0'] = match;
  return Number(years) * 366 + Number(months) * 31 + Number(weeks) * 7 + Number(days);
}

/** One read-only asset per vault collection, from its definition and the retention policies covering it. */
export function collectionAssets(
  collections: readonly CollectionSummary[],
  retention: readonly RetentionSummary[],
  organization: OrganizationProfile,
): SystemEntry[] {
  return collections.map((collection) => {
    const fields = collection.fields.map((field) => ({
      name: field.name,
      dataCategory: field.category,
      classification: field.classification,
      encrypted: isEncrypted(field),
    }));
    return {
      id: collectionSystemId(collection.name),
      origin: 'collection',
      name: collection.name,
      description: collection.description,
      owner: ownerOf(organization),
      kind: 'database',
      locations: locationsOf(organization),
      dataCategories: unique(fields.map((field) => field.dataCategory)),
      dataSubjects: [],
      classification: highestClassification(fields.map((field) => field.classification)),
      retention: retentionOf(collection.name, retention),
      encryptionRequired: fields.some((field) => field.encrypted),
      accessControls: {
        roles: rolesHolding('vault.read'),
        permissions: ['vault.read', 'vault.reveal'],
        notes: 'Read through the vault API for a stated purpose; values are masked unless revealed.',
      },
      geographicRestrictions: [],
      processorId: null,
      fulfilment: null,
      fields,
      createdAt: collection.createdAt,
      updatedAt: collection.updatedAt,
    };
  });
}

/** Custos itself: everything its collections hold, sealed at rest. */
export function custosSystem(
  assets: readonly SystemEntry[],
  collections: readonly CollectionSummary[],
  organization: OrganizationProfile,
  now: Date,
): SystemEntry {
  return {
    id: custosSystemId,
    origin: 'custos',
    name: 'Custos',
    description: 'The privacy engine: the vault of personal data, consent records and data-subject requests.',
    owner: ownerOf(organization),
    kind: 'internal_application',
    locations: locationsOf(organization),
    dataCategories: unique(assets.flatMap((asset) => asset.dataCategories)),
    dataSubjects: [],
    classification: highestClassification(assets.map((asset) => asset.classification)),
    retention: null,
    encryptionRequired: true,
    accessControls: {
      roles: (Object.keys(rolePermissions) as Role[]).sort(),
      permissions: [],
      notes: 'Operators and API keys hold roles of the permission matrix; every access is audited.',
    },
    geographicRestrictions: [],
    processorId: null,
    fulfilment: null,
    fields: null,
    ...dateRange(collections, now),
  };
}
