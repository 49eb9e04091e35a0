/**
 * The API's answers as the console uses them: aliases of the types the SDK generates from the OpenAPI
 * document (see ../shared/api-types.ts), so they cannot drift from the server.
 */
import type { ResponseOf, Schemas } from '../shared/api-types';

export type NextStep = Schemas['Session']['nextStep'];

export type SessionInfo = Schemas['Session'];

export type Operator = Schemas['Operator'];

export type Me = ResponseOf<'/v1/auth/session'>;

export type ConsoleSettings = ResponseOf<'/v1/console/settings'>;

export type Page<T> = { items: T[]; nextCursor: string | null };

export type DataSubjectRequest = Schemas['DataSubjectRequest'];

export type TimelineEntry = Schemas['RequestTimelineEntry'];

export type RequestDetail = ResponseOf<'/v1/requests/{id}'>;

/** An export of a request's data; `downloadUrl` only in the answer that creates it (the link is shown once). */
export type RequestExport = Schemas['RequestExport'] &
  Partial<Pick<ResponseOf<'/v1/requests/{id}/exports', 'post', 201>['items'][number], 'downloadUrl'>>;

export type Subject = Schemas['Subject'];

export type VaultRecord = Schemas['Record'];

export type FieldDefinition = Schemas['FieldDefinition'];

export type Collection = Schemas['Collection'];

export type AuditEntry = Schemas['AuditEntry'];

export type AuditVerifyReport = Schemas['AuditVerifyReport'];

export type ApiKey = Schemas['ApiKey'];

export type PermissionMatrix = ResponseOf<'/v1/permissions'>;

export type KekVersion = Schemas['KekVersion'];

export type KeyRingStatus = Schemas['KeyRingStatus'];

export type Purpose = Schemas['Purpose'];

export type AutomatedDecisionMaking = Schemas['AutomatedDecisionMaking'];

export type ConsentStanding = Schemas['ConsentStanding'];

/**
 * One event of a subject's consent history. Hand-written: the OpenAPI document describes
 * `GET /v1/subjects/{id}/consent/history` as a plain string, so there is no generated type to alias yet.
 */
export type ConsentEvent = {
  sequence: number;
  eventId: string;
  purpose: string;
  version: number;
  action: string;
  method: string | null;
  source: string | null;
  givenAt: string;
  recordedAt: string;
  recordedBy: { type: string; id: string | null };
};

export type WebhookEndpoint = Schemas['WebhookEndpoint'];

export type WebhookDelivery = Schemas['WebhookDelivery'];

export type Dashboard = Schemas['Dashboard'];

/*
 * The data map (`GET /v1/inventory/map` and the inventory's routes), mirroring
 * src/modules/inventory/inventory-model.ts with dates as the API sends them.
 */

export type Classification = Schemas['FieldDefinition']['classification'];
export type SystemKind = SystemEntry['kind'];
export type ProcessorRole = ProcessorEntry['role'];
export type ActivityRole = ActivityEntry['role'];
export type MeasureKind = MeasureEntry['kind'];
/** Where a system entry comes from: Custos itself, one of its vault collections, or typed in by a person. */
export type SystemOrigin = SystemEntry['origin'];

export type Party = NonNullable<OrganizationProfile['representative']>;

export type OrganizationProfile = Schemas['OrganizationProfile'];

export type SystemEntry = Schemas['InventorySystem'];

export type DpaRecord = NonNullable<ProcessorEntry['dpa']>;

export type ProcessorEntry = Schemas['InventoryProcessor'];

export type MeasureEntry = Schemas['SecurityMeasure'];

export type ActivityEntry = Schemas['ProcessingActivity'];

export type PurposeSummary = DataMap['purposes'][number];

export type RetentionSummary = DataMap['retention'][number];

export type DataMap = Schemas['DataMap'];

export type FindingSeverity = InventoryFinding['severity'];

/** A gap in the data map (`GET /v1/inventory/findings`), computed, with what to do to clear it. */
export type InventoryFinding = Schemas['InventoryFinding'];

export type FindingList = ResponseOf<'/v1/inventory/findings'>;

export type ValueSource = Sourced['sources'][number];

export type Sourced = ResolvedActivity['dataCategories'][number];

/** What the map derives for an activity, each value with where it comes from. */
export type ResolvedActivity = Schemas['ResolvedActivity'];

/** The RoPA as JSON (`GET /v1/ropa`): the parts the console shows. */
export type Ropa = Schemas['Ropa'];

/** The answer to a Fides manifest import (`POST /v1/inventory/fides`), dry run or not. */
export type FidesImportResult = Schemas['FidesImportResult'];

/** The compliance dashboard (GET /v1/reports/compliance-dashboard). */
export type ComplianceMetric = Schemas['ComplianceMetric'];

export type ComplianceDashboard = Schemas['ComplianceDashboard'];

export type ComplianceReport = Schemas['ComplianceReport'];

export type Policy = Schemas['Policy'];

export type TrainingCourse = Schemas['TrainingCourse'];

export type AuditFinding = Schemas['AuditFinding'];

export type ExternalAudit = Schemas['ExternalAudit'];

export type AccessReview = Schemas['AccessReview'];

export type AccessReviewItem = Schemas['AccessReviewItem'];
