import type { ColumnType } from 'kysely';
import type { AccessTables } from '../modules/access/access-tables.js';
import type { AccountabilityTables } from '../modules/accountability/accountability-tables.js';
import type { AlertTables } from '../modules/alerts/alert-tables.js';
import type { AssessmentTables } from '../modules/assessments/assessment-tables.js';
import type { AuditTables } from '../modules/audit/audit-tables.js';
import type { BreachTables } from '../modules/breaches/breach-tables.js';
import type { ConsentTables } from '../modules/consent/consent-tables.js';
import type { DrpTables } from '../modules/drp/drp-tables.js';
import type { InventoryTables } from '../modules/inventory/inventory-tables.js';
import type { KeysTables } from '../modules/keys/keys-tables.js';
import type { MailTables } from '../modules/mail/mail-tables.js';
import type { MonitoringTables } from '../modules/monitoring/monitoring-tables.js';
import type { NotificationTables } from '../modules/notifications/notification-tables.js';
import type { PrivacyCenterTables } from '../modules/privacy-center/privacy-center-tables.js';
import type { ReportsTables } from '../modules/reports/reports-tables.js';
import type { RequestTables } from '../modules/requests/request-tables.js';
import type { RetentionTables } from '../modules/retention/retention-tables.js';
import type { TransferTables } from '../modules/transfers/transfer-tables.js';
import type { VaultTables } from '../modules/vault/vault-tables.js';

/** Table types for Kysely. Each module adds its tables here as its migrations create them. */
export type Timestamp = ColumnType<Date, Date | string, Date | string>;
/** A timestamp with a database default: optional on insert. */
export type DefaultedTimestamp = ColumnType<Date, Date | string | undefined, Date | string>;

export type InstancesTable = {
  id: string;
  role: 'serve' | 'worker';
  hostname: string;
  pid: number;
  version: string;
  started_at: DefaultedTimestamp;
  last_seen_at: DefaultedTimestamp;
};

export type DB = {
  instances: InstancesTable;
} & AccessTables &
  AuditTables &
  ConsentTables &
  KeysTables &
  NotificationTables &
  VaultTables &
  RequestTables &
  RetentionTables &
  DrpTables &
  MailTables &
  PrivacyCenterTables &
  AlertTables &
  InventoryTables &
  BreachTables &
  TransferTables &
  AssessmentTables &
  MonitoringTables &
  AccountabilityTables &
  ReportsTables;
