import type { ColumnType, Generated } from 'kysely';
import type { DefaultedTimestamp, Timestamp } from '../../db/schema.js';
import type {
  ConsentAction,
  ConsentMethod,
  ConsentSource,
  ConsentStatus,
  LegalBasis,
  SpecialCategoryCondition,
} from './consent-rules.js';

type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

export type ConsentTables = {
  consent_purposes: {
    key: string;
    name: string;
    description: string;
    legal_basis: LegalBasis;
    special_category_condition: SpecialCategoryCondition | null;
    data_uses: string[];
    data_categories: string[];
    ccpa_sale: boolean;
    ccpa_sharing: boolean;
    ccpa_sensitive: boolean;
    reconsent_on_change: boolean;
    /** Shown by the consent banner to a site's visitors. */
    website: Generated<boolean>;
    /** GDPR Art. 22 decisions for this purpose; logic, significance and consequences set exactly when true. */
    automated_decisions: Generated<boolean>;
    automated_decision_logic: string | null;
    automated_decision_significance: string | null;
    automated_decision_consequences: string | null;
    /** The current version: the text (and scope) subjects are shown now. */
    version: number;
    /** Consents given for a lower version no longer count. */
    min_version: number;
    text: string;
    created_at: DefaultedTimestamp;
    updated_at: DefaultedTimestamp;
  };
  consent_purpose_versions: {
    purpose_key: string;
    version: number;
    text: string;
    /** SHA-256 of the text, so a receipt or proof names exactly what the subject was shown. */
    text_hash: Buffer;
    legal_basis: LegalBasis;
    data_uses: string[];
    data_categories: string[];
    /** Whether consents for earlier versions stopped counting when this version was made. */
    requires_reconsent: boolean;
    /** What this version said about automated decisions (see consent_purposes). */
    automated_decisions: Generated<boolean>;
    automated_decision_logic: string | null;
    automated_decision_significance: string | null;
    automated_decision_consequences: string | null;
    created_at: DefaultedTimestamp;
  };
  consent_events: {
    id: string;
    seq: Generated<number>;
    subject_id: string;
    purpose_key: string;
    version: number;
    action: ConsentAction;
    /** Null only for `expire`, which the system records. */
    method: ConsentMethod | null;
    source: ConsentSource | null;
    /** When the subject acted (the proof's time); `recorded_at` is when Custos stored it. */
    given_at: Timestamp;
    recorded_at: Timestamp;
    expires_at: NullableTimestamp;
    form_id: string | null;
    /** Keyed hashes (HMAC-SHA256, hex) of the subject's IP address and user agent; never the values. */
    ip_hash: string | null;
    user_agent_hash: string | null;
    actor_type: string;
    actor_id: string | null;
    request_id: string | null;
  };
  consent_state: {
    subject_id: string;
    purpose_key: string;
    /** Null when only an objection was recorded. */
    status: ConsentStatus | null;
    version: number | null;
    method: ConsentMethod | null;
    source: ConsentSource | null;
    expires_at: NullableTimestamp;
    objected_at: NullableTimestamp;
    event_id: string;
    event_seq: number;
    updated_at: Timestamp;
  };
  consent_tcf: {
    id: string;
    subject_id: string;
    tc_string: string;
    cmp_id: number;
    cmp_version: number;
    policy_version: number;
    vendor_list_version: number;
    publisher_cc: string;
    service_specific: boolean;
    purpose_consents: number[];
    purpose_legitimate_interests: number[];
    special_feature_optins: number[];
    vendor_consents: number[];
    vendor_legitimate_interests: number[];
    tc_created_at: NullableTimestamp;
    tc_updated_at: NullableTimestamp;
    recorded_at: Timestamp;
    actor_type: string;
    actor_id: string | null;
  };
};
