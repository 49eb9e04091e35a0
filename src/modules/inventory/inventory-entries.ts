import type {
  ActivityEntry,
  MeasureEntry,
  OrganizationProfile,
  ProcessorEntry,
  SystemEntry,
} from './inventory-model.js';
import type {
  ActivityLinks,
  ActivityRow,
  MeasureRow,
  OrganizationRow,
  ProcessorRow,
  SystemRow,
} from './inventory-store.js';

/** Rows of the inventory's tables as entries of the data map. */

const sorted = (values: readonly string[]) => [...new Set(values)].sort();

/** A registered system; `endpointUrls` maps webhook endpoint ids to their URLs. */
export function systemEntryOf(row: SystemRow, endpointUrls: ReadonlyMap<string, string>): SystemEntry {
  return {
    id: row.id,
    origin: 'registered',
    name: row.name,
    description: row.description,
    owner: row.owner,
    kind: row.kind,
    locations: row.locations,
    dataCategories: row.data_categories,
    dataSubjects: row.data_subjects,
    classification: row.classification,
    retention:
      row.retention_policy_id || row.retention_period
        ? { policyId: row.retention_policy_id, period: row.retention_period }
        : null,
    encryptionRequired: row.encryption_required,
    accessControls: { roles: row.access_roles, permissions: row.access_permissions, notes: row.access_notes },
    geographicRestrictions: row.geographic_restrictions,
    processorId: row.processor_id,
    fulfilment: row.endpoint_id
      ? {
          endpointId: row.endpoint_id,
          endpointUrl: endpointUrls.get(row.endpoint_id) ?? '',
          enabled: row.enabled,
        }
      : null,
    fields: null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function processorEntryOf(row: ProcessorRow, systemIds: string[]): ProcessorEntry {
  return {
    id: row.id,
    name: row.name,
    contact: row.contact,
    country: row.country,
    role: row.role,
    parentId: row.parent_id,
    systemIds: sorted(systemIds),
    dpa:
      row.dpa_signed_at !== null
        ? {
            signedAt: row.dpa_signed_at,
            version: row.dpa_version ?? '',
            reviewAt: row.dpa_review_at,
            reference: row.dpa_reference ?? '',
          }
        : null,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The processors, each with the registered systems it operates. */
export function processorEntriesOf(rows: ProcessorRow[], systems: readonly SystemRow[]): ProcessorEntry[] {
  const operated = new Map<string, string[]>();
  for (const system of systems) {
    if (system.processor_id)
      operated.set(system.processor_id, [...(operated.get(system.processor_id) ?? []), system.id]);
  }
  return rows.map((row) => processorEntryOf(row, operated.get(row.id) ?? []));
}

export function activityEntryOf(row: ActivityRow, links: ActivityLinks | undefined): ActivityEntry {
  return {
    id: row.id,
    name: row.name,
    description: row.description,
    role: row.role,
    controller: row.controller,
    jointControllers: row.joint_controllers,
    purposeKeys: row.purpose_keys,
    collectionNames: row.collection_names,
    systemIds: sorted(links?.systemIds ?? []),
    processorIds: sorted(links?.processorIds ?? []),
    measureIds: sorted(links?.measureIds ?? []),
    extraDataCategories: row.extra_data_categories,
    extraDataSubjects: row.extra_data_subjects,
    recipientCategories: row.recipient_categories,
    transferSafeguards: row.transfer_safeguards,
    retentionNote: row.retention_note,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function measureEntryOf(row: MeasureRow): MeasureEntry {
  return { id: row.id, name: row.name, description: row.description, kind: row.kind };
}

/** The organization profile; until first saved, empty but for the configured DPO contact. */
export function organizationOf(row: OrganizationRow | undefined, dpoContact: string): OrganizationProfile {
  if (!row) {
    return {
      controllerName: '',
      address: '',
      country: null,
      representative: null,
      dpoContact,
      supervisoryAuthority: '',
      updatedAt: null,
    };
  }
  return {
    controllerName: row.controller_name,
    address: row.address,
    country: row.country,
    representative: row.representative,
    dpoContact: row.dpo_contact,
    supervisoryAuthority: row.supervisory_authority,
    updatedAt: row.updated_at,
  };
}
