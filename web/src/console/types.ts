/** The API's answers as the console uses them (the full reference is /openapi.json). */

export type NextStep = 'mfa_verify' | 'mfa_enroll' | null;

export type SessionInfo = {
  nextStep: NextStep;
  csrfToken: string;
  /** The latest the session lasts, however active. */
  expiresAt: string;
  /** When the session ends unless another call comes first (moved by every signed-in call). */
  idleExpiresAt: string;
};

export type Operator = {
  id: string;
  email: string;
  displayName: string;
  roles: string[];
  status: 'invited' | 'active' | 'disabled';
  mfaEnabled: boolean;
  lastLoginAt: string | null;
  createdAt: string;
};

export type Me = {
  operator: Operator;
  session: SessionInfo;
  permissions: string[];
  mfa: { enabled: boolean; recoveryCodesRemaining: number };
};

export type ConsoleSettings = { brandName: string; readPurposes: string[]; dueSoonDays: number };

export type Page<T> = { items: T[]; nextCursor: string | null };

export type DataSubjectRequest = {
  id: string;
  type: string;
  regime: string;
  state: string;
  channel: string;
  filedBy: string;
  filer: { type: string; id: string | null };
  subjectId: string | null;
  contactEmail: string | null;
  assigneeId: string | null;
  receivedAt: string;
  dueDate: string;
  dueAt: string;
  daysLeft: number | null;
  overdue: boolean;
  extension: { extendedAt: string; initialDueDate: string } | null;
  verification: { method: string; verifiedAt: string } | null;
  rejectionReason: string | null;
  closedAt: string | null;
  allowedTransitions: string[];
  createdAt: string;
  updatedAt: string;
};

export type TimelineEntry = {
  seq: number;
  at: string;
  kind: string;
  from: string | null;
  to: string | null;
  actor: { type: string; id: string | null };
  details: Record<string, unknown>;
  note: string | null;
};

export type RequestDetail = DataSubjectRequest & { timeline: TimelineEntry[] };

export type RequestExport = {
  id: string;
  format: 'json' | 'html' | 'zip';
  size: number;
  createdAt: string;
  expiresAt: string;
  downloads: number;
  lastDownloadedAt: string | null;
  downloadUrl?: string;
};

export type Subject = {
  id: string;
  region: string | null;
  status: 'active' | 'restricted' | 'erased';
  createdAt: string;
  updatedAt: string;
};

export type VaultRecord = {
  id: string;
  subjectId: string;
  collection: string;
  fields: Record<string, unknown>;
  masked: string[];
  unreadable: string[];
  createdAt: string;
  updatedAt: string;
};

export type FieldDefinition = {
  name: string;
  type: string;
  category: string;
  classification: 'public' | 'internal' | 'confidential' | 'restricted';
  required: boolean;
  indexed: boolean;
  tokenizable: boolean;
  masking?: { op: string };
  description?: string;
};

export type Collection = {
  id: string;
  name: string;
  description: string;
  multiple: boolean;
  fields: FieldDefinition[];
  version: number;
  source: 'api' | 'config';
  createdAt: string;
  updatedAt: string;
};

export type AuditEntry = {
  seq: number;
  chain: number;
  chainSeq: number;
  at: string;
  actor: { type: string; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  purpose: string | null;
  outcome: 'success' | 'failure' | 'denied';
  requestId: string | null;
  details: Record<string, unknown>;
};

export type AuditVerifyReport = {
  ok: boolean;
  problem?: string;
  seq?: number;
  message?: string;
  entries: number;
  checkpoints: number;
  lastSeq: number;
  lastCheckpointSeq: number | null;
  unsignedEntries?: number;
};

export type ApiKey = {
  id: string;
  prefix: string;
  name: string;
  permissions: string[];
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
  revokedAt: string | null;
};

export type PermissionMatrix = {
  permissions: Record<string, string>;
  roles: Record<string, { description: string; permissions: string[] }>;
};

export type KekVersion = {
  version: number;
  fingerprint: string;
  createdAt: string;
  retiredAt: string | null;
  current: boolean;
  available: boolean;
  dataKeys: number;
};

export type KeyRingStatus = {
  currentVersion: number;
  provider: { kind: string; source: string };
  versions: KekVersion[];
  dataKeys: number;
  pendingRewrap: number;
  indexKey: { fingerprint: string; matchesDatabase: boolean };
};

export type Purpose = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  specialCategoryCondition: string | null;
  dataUses: string[];
  dataCategories: string[];
  ccpa: { sale: boolean; sharing: boolean; sensitive: boolean };
  text: string;
  textHash: string;
  version: number;
  minVersion: number;
  reconsentOnChange: boolean;
  /** GDPR Art. 22: decisions made solely by automated means for the purpose (absent on older servers). */
  automatedDecisionMaking?: AutomatedDecisionMaking;
  consentRequired: boolean;
  /** Shown by the website consent banner (absent on older servers). */
  website?: boolean;
  createdAt: string;
  updatedAt: string;
};

export type AutomatedDecisionMaking =
  | { applies: false }
  | { applies: true; logic: string; significance: string; consequences: string };

export type ConsentStanding = {
  purpose: string;
  allowed: boolean;
  reason: string;
  legalBasis: string;
  version: number | null;
  currentVersion: number;
  expiresAt: string | null;
  choice: {
    status: 'granted' | 'withdrawn' | 'denied' | 'expired' | null;
    method: string | null;
    source: string | null;
    objectedAt: string | null;
    eventId: string;
    updatedAt: string;
  } | null;
};

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

export type WebhookEndpoint = {
  id: string;
  url: string;
  description: string;
  eventTypes: string[] | null;
  enabled: boolean;
  secretRotatedAt: string | null;
  previousSecretExpiresAt: string | null;
  createdAt: string;
  updatedAt: string;
};

export type WebhookDelivery = {
  id: string;
  messageId: string;
  endpointId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'dead_lettered';
  attempts: number;
  round: number;
  nextAttemptAt: string | null;
  lastAttemptAt: string | null;
  lastStatusCode: number | null;
  lastError: string | null;
  deliveredAt: string | null;
  deadLetteredAt: string | null;
  createdAt: string;
};

export type Dashboard = {
  generatedAt: string;
  requests: {
    open: number;
    dueSoon: number;
    overdue: number;
    awaitingVerification: number;
    dueSoonDays: number;
    openByType: { type: string; count: number }[];
    completedInPeriod: number;
    averageResponseDays: number | null;
    periodDays: number;
  };
  consent: {
    days: number;
    series: { date: string; grants: number; withdrawals: number }[];
    grants: number;
    withdrawals: number;
  };
};

/*
 * The data map (`GET /v1/inventory/map` and the inventory's routes), mirroring
 * src/modules/inventory/inventory-model.ts with dates as the API sends them.
 */

export type Classification = 'public' | 'internal' | 'confidential' | 'restricted';
export type SystemKind = 'internal_application' | 'database' | 'saas' | 'processor_hosted' | 'paper';
export type ProcessorRole = 'processor' | 'sub_processor' | 'joint_controller' | 'independent_controller';
export type ActivityRole = 'controller' | 'processor';
export type MeasureKind = 'technical' | 'organisational';
/** Where a system entry comes from: Custos itself, one of its vault collections, or typed in by a person. */
export type SystemOrigin = 'custos' | 'collection' | 'registered';

export type Party = { name: string; contact: string };

export type OrganizationProfile = {
  controllerName: string;
  address: string;
  country: string | null;
  representative: Party | null;
  dpoContact: string;
  supervisoryAuthority: string;
  updatedAt: string | null;
};

export type SystemEntry = {
  id: string;
  origin: SystemOrigin;
  name: string;
  description: string;
  owner: string;
  kind: SystemKind;
  locations: string[];
  dataCategories: string[];
  dataSubjects: string[];
  classification: Classification;
  retention: { policyId: string | null; period: string | null } | null;
  encryptionRequired: boolean;
  accessControls: { roles: string[]; permissions: string[]; notes: string };
  geographicRestrictions: string[];
  processorId: string | null;
  fulfilment: { endpointId: string; endpointUrl: string; enabled: boolean } | null;
  fields: { name: string; dataCategory: string; classification: Classification; encrypted: boolean }[] | null;
  createdAt: string;
  updatedAt: string;
};

export type DpaRecord = { signedAt: string; version: string; reviewAt: string | null; reference: string };

export type ProcessorEntry = {
  id: string;
  name: string;
  contact: string;
  country: string;
  role: ProcessorRole;
  parentId: string | null;
  systemIds: string[];
  dpa: DpaRecord | null;
  /** `expired`: past its review date, on the server's clock. */
  dpaStatus: 'valid' | 'expired' | 'missing';
  createdAt: string;
  updatedAt: string;
};

export type MeasureEntry = { id: string; name: string; description: string; kind: MeasureKind };

export type ActivityEntry = {
  id: string;
  name: string;
  description: string;
  role: ActivityRole;
  controller: Party | null;
  jointControllers: Party[];
  purposeKeys: string[];
  collectionNames: string[];
  systemIds: string[];
  processorIds: string[];
  measureIds: string[];
  extraDataCategories: string[];
  extraDataSubjects: string[];
  recipientCategories: string[];
  transferSafeguards: { country: string; safeguard: string }[];
  retentionNote: string;
  createdAt: string;
  updatedAt: string;
};

export type PurposeSummary = {
  key: string;
  name: string;
  description: string;
  legalBasis: string;
  dataCategories: string[];
  dataUses: string[];
  automatedDecisions: boolean;
};

export type RetentionSummary = {
  id: string;
  name: string;
  collection: string | null;
  dataCategory: string | null;
  /** ISO 8601; null for a rule that acts when its trigger fires. */
  duration: string | null;
  trigger: string;
  legalBasis: string | null;
};

export type DataMap = {
  generatedAt: string;
  organization: OrganizationProfile;
  systems: SystemEntry[];
  processors: ProcessorEntry[];
  activities: ActivityEntry[];
  measures: MeasureEntry[];
  purposes: PurposeSummary[];
  retention: RetentionSummary[];
};

export type FindingSeverity = 'high' | 'medium' | 'low';

/** A gap in the data map (`GET /v1/inventory/findings`), computed, with what to do to clear it. */
export type InventoryFinding = {
  id: string;
  kind: string;
  severity: FindingSeverity;
  subject: { type: 'collection' | 'activity' | 'purpose' | 'system' | 'processor'; id: string; name: string };
  message: string;
  action: string;
  concerns: string[];
};

export type FindingList = {
  generatedAt: string;
  items: InventoryFinding[];
  counts: Record<FindingSeverity, number>;
};

export type ValueSource = {
  from: 'collection' | 'system' | 'purpose' | 'processor' | 'retention_policy' | 'manual';
  ref: string;
};

export type Sourced = { value: string; sources: ValueSource[] };

/** What the map derives for an activity, each value with where it comes from. */
export type ResolvedActivity = {
  activityId: string;
  name: string;
  role: ActivityRole;
  dataCategories: Sourced[];
  dataSubjects: Sourced[];
  purposes: {
    key: string;
    name: string;
    legalBasis: string | null;
    dataUses: string[];
    automatedDecisions: boolean;
  }[];
  recipients: {
    processorId: string;
    name: string;
    contact: string;
    country: string;
    role: string;
    sources: ValueSource[];
  }[];
  recipientCategories: string[];
  transfers: {
    country: string;
    via: { type: 'system' | 'processor'; id: string; name: string }[];
    safeguard: string | null;
  }[];
  retention: {
    name: string;
    period: string | null;
    legalBasis: string | null;
    scope: string;
    source: ValueSource;
  }[];
  retentionNote: string;
  measures: { id: string; name: string; description: string; kind: string }[];
  unresolved: Record<'purposes' | 'collections' | 'systems' | 'processors' | 'measures', string[]>;
};

/** The RoPA as JSON (`GET /v1/ropa`): the parts the console shows. */
export type Ropa = {
  version: string;
  generatedAt: string;
  controllerRegister: {
    activityId: string;
    name: string;
    description: string;
    purposes: { key: string; name: string; legalBasis: string | null }[];
    dataSubjects: string[];
    dataCategories: string[];
    recipients: { name: string; country: string; role: string }[];
    transfers: { country: string; recipients: string[]; safeguard: string | null }[];
    retention: { name: string; period: string | null; scope: string }[];
    retentionNote: string;
  }[];
  processorRegister: {
    activityId: string;
    name: string;
    description: string;
    controller: Party | null;
    categoriesOfProcessing: string[];
    subProcessors: { name: string; country: string; role: string }[];
    transfers: { country: string; recipients: string[]; safeguard: string | null }[];
  }[];
  counts: { activities: number; controllerActivities: number; processorActivities: number };
};

/** The answer to a Fides manifest import (`POST /v1/inventory/fides`), dry run or not. */
export type FidesImportResult = {
  dryRun: boolean;
  plan: { systems: { name: string }[]; processors: { name: string }[]; activities: { name: string }[] };
  differences: {
    kind: 'organization' | 'system' | 'processor' | 'activity';
    name: string;
    change: 'create' | 'replace' | 'unchanged';
    fields: string[];
  }[];
  warnings: { path: string; message: string }[];
};

/** The compliance dashboard (GET /v1/reports/compliance-dashboard). */
export type ComplianceMetric = {
  key: string;
  group: string;
  label: string;
  unit: 'count' | 'percent' | 'hours' | 'days';
  better: 'higher' | 'lower';
  definition: string;
  source: string;
  tracked: boolean;
  value: number | null;
  previous: number | null;
  change: number | null;
};

export type ComplianceDashboard = {
  period: { from: string; to: string };
  generatedAt: string;
  groups: { key: string; label: string; metrics: ComplianceMetric[] }[];
  trends: { months: string[]; series: Record<string, (number | null)[]> };
};

export type ComplianceReport = {
  id: string;
  periodFrom: string;
  periodTo: string;
  status: 'queued' | 'running' | 'done' | 'failed';
  progress: number;
  error: string | null;
  scheduled: boolean;
  createdAt: string;
  finishedAt: string | null;
};

export type Policy = {
  id: string;
  title: string;
  owner: string;
  version: string;
  documentUrl: string | null;
  approvedAt: string | null;
  reviewIntervalDays: number;
  nextReviewAt: string;
  overdue: boolean;
  daysPastReview: number;
  retiredAt: string | null;
  acknowledgments: number;
  acknowledgedBy: string[];
};

export type TrainingCourse = {
  id: string;
  title: string;
  requiredRoles: string[];
  validityDays: number | null;
  required: number;
  current: number;
  completionRate: number | null;
};

export type AuditFinding = {
  id: string;
  title: string;
  severity: string;
  owner: string;
  dueAt: string | null;
  status: string;
};

export type ExternalAudit = {
  id: string;
  auditor: string;
  scope: string;
  startedAt: string;
  endedAt: string | null;
  reportReference: string | null;
  findings: AuditFinding[];
};

export type AccessReview = {
  id: string;
  title: string;
  status: 'open' | 'completed';
  dueAt: string | null;
  createdAt: string;
  completedAt: string | null;
  items: number;
  undecided: number;
};

export type AccessReviewItem = {
  id: string;
  principalType: 'operator' | 'api_key';
  principalId: string;
  label: string;
  roles: string[];
  permissions: string[];
  lastUsedAt: string | null;
  decision: 'confirmed' | 'revoked' | null;
  decidedAt: string | null;
  note: string | null;
};
