import type { ColumnType } from 'kysely';
import type { Timestamp } from '../../db/schema.js';

type Json<T> = ColumnType<T, string, string>;

/** Rows of the transfers module (created by migration 0034_transfers). */
export type TransferTables = {
  transfer_adequacy_overrides: {
    /** The decision's id: a shipped one to replace or revoke, or a new one. */
    id: string;
    regime: 'EU' | 'UK' | 'CH';
    entry: Json<Record<string, unknown>>;
    revoked: boolean;
    /** Why the operator changed the list (a reference to the new decision, a ruling). */
    note: string;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  residency_policies: {
    id: string;
    name: string;
    region: string;
    allowed_destinations: string[] | null;
    classification_destinations: Json<Record<string, string[]>>;
    special_category_destinations: string[] | null;
    require_mechanism: boolean;
    /** Added by migration 0054. */
    storage_locations: string[] | null;
    storage_at_startup: ColumnType<'warn' | 'refuse', 'warn' | 'refuse' | undefined, 'warn' | 'refuse'>;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  transfer_mechanisms: {
    id: string;
    recipient_type: 'system' | 'processor' | 'endpoint' | 'other';
    recipient_id: string | null;
    recipient_name: string;
    destination: string;
    kind: string;
    details: Json<Record<string, unknown>>;
    valid_from: string | null;
    valid_until: string | null;
    created_at: Timestamp;
    updated_at: Timestamp;
  };
  transfer_tias: {
    id: string;
    mechanism_id: string;
    destination_law_assessment: string;
    measures: Json<Record<string, string[]>>;
    conclusion: 'proceed' | 'proceed_with_measures' | 'suspend';
    assessed_on: string;
    review_on: string;
    created_at: Timestamp;
  };
};
