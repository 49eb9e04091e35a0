import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';
import type { Classification } from '../vault/collection-schema.js';
import type {
  ActivityRole,
  MeasureKind,
  Party,
  ProcessorRole,
  SystemKind,
  TransferSafeguard,
} from './inventory-model.js';

type Json<T> = ColumnType<T, string | T, string | T>;
type Defaulted<T> = ColumnType<T, T | undefined, T>;

/** The inventory's tables (migration 0024_inventory). */
export type InventoryTables = {
  /** Registered systems; those with an endpoint are sent erasure, rectification and restriction tasks. */
  inventory_systems: {
    id: string;
    name: string;
    /** Who answers for the system (a team or role), never a person's contact data. */
    owner: string;
    description: string;
    /** Taxonomy data categories the system holds; tasks go to systems whose categories overlap. */
    data_categories: string[];
    /** The webhook endpoint (notifications module) its tasks are signed and delivered through. */
    endpoint_id: string | null;
    enabled: Defaulted<boolean>;
    kind: Defaulted<SystemKind>;
    locations: Defaulted<string[]>;
    data_subjects: Defaulted<string[]>;
    classification: Defaulted<Classification>;
    retention_policy_id: string | null;
    retention_period: string | null;
    encryption_required: Defaulted<boolean>;
    access_roles: Defaulted<string[]>;
    access_permissions: Defaulted<string[]>;
    access_notes: Defaulted<string>;
    geographic_restrictions: Defaulted<string[]>;
    processor_id: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  inventory_processors: {
    id: string;
    name: string;
    contact: string;
    country: string;
    role: ProcessorRole;
    parent_id: string | null;
    /** ISO dates (YYYY-MM-DD); all DPA columns are null when no DPA is recorded. */
    dpa_signed_at: string | null;
    dpa_version: string | null;
    dpa_review_at: string | null;
    dpa_reference: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  inventory_measures: {
    id: string;
    name: string;
    description: string;
    kind: MeasureKind;
  };
  inventory_activities: {
    id: string;
    name: string;
    description: string;
    role: ActivityRole;
    controller: Json<Party | null>;
    joint_controllers: Json<Party[]>;
    purpose_keys: string[];
    collection_names: string[];
    extra_data_categories: string[];
    extra_data_subjects: string[];
    recipient_categories: string[];
    transfer_safeguards: Json<TransferSafeguard[]>;
    retention_note: string;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  inventory_activity_systems: { activity_id: string; system_id: string };
  inventory_activity_processors: { activity_id: string; processor_id: string };
  inventory_activity_measures: { activity_id: string; measure_id: string };
  /** The organization profile: one row, or none until it is first saved. */
  inventory_organization: {
    id: Defaulted<boolean>;
    controller_name: string;
    address: string;
    country: string | null;
    representative: Json<Party | null>;
    dpo_contact: string;
    supervisory_authority: string;
    updated_at: Timestamp;
  };
};
