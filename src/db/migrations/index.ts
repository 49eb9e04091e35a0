import type { Migration } from 'kysely';
import * as m0001 from './0001_foundation.js';
import * as m0002 from './0002_access.js';
import * as m0003 from './0003_audit.js';
import * as m0004 from './0004_keys.js';
import * as m0005 from './0005_vault.js';
import * as m0006 from './0006_audit_chains.js';
import * as m0007 from './0007_consent.js';
import * as m0008 from './0008_notifications.js';
import * as m0009 from './0009_requests.js';
import * as m0010 from './0010_request_fulfilment.js';
import * as m0011 from './0011_drp.js';
import * as m0012 from './0012_subject_accounts.js';
import * as m0013 from './0013_alerts.js';
import * as m0014 from './0014_subject_account_verification.js';
import * as m0015automated from './0015_purpose_automated_decisions.js';
import * as m0016 from './0016_request_corrections.js';
import * as m0017 from './0017_pending_registration_consents.js';
import * as m0018 from './0018_sole_records.js';
import * as m0019 from './0019_blind_index_record_key.js';
import * as m0020 from './0020_erasure_reach.js';
import * as m0021 from './0021_session_mfa_verified.js';
import * as m0022 from './0022_audit_checkpoint_chain.js';
import * as m0023 from './0023_pending_registrations.js';
import * as m0024 from './0024_inventory.js';
import * as m0026 from './0026_retention_schedules.js';
import * as m0028 from './0028_audit_archive.js';
import * as m0030 from './0030_breaches.js';
import * as m0032 from './0032_retention_creation_walk.js';
import * as m0034 from './0034_transfers.js';
import * as m0036 from './0036_monitoring.js';
import * as m0038 from './0038_assessments.js';
import * as m0040 from './0040_accountability.js';
import * as m0042 from './0042_website_purposes.js';

/**
 * Every migration, in order. Listed explicitly (not read from a directory) so the build, the tests and a
 * bundled install all see the same set. Names never change once released.
 */
export const migrations: Record<string, Migration> = {
  '0001_foundation': m0001,
  '0002_access': m0002,
  '0003_audit': m0003,
  '0004_keys': m0004,
  '0005_vault': m0005,
  '0006_audit_chains': m0006,
  '0007_consent': m0007,
  '0008_notifications': m0008,
  '0009_requests': m0009,
  '0010_request_fulfilment': m0010,
  '0011_drp': m0011,
  '0012_subject_accounts': m0012,
  '0013_alerts': m0013,
  '0014_subject_account_verification': m0014,
  '0015_purpose_automated_decisions': m0015automated,
  '0016_request_corrections': m0016,
  '0017_pending_registration_consents': m0017,
  '0018_sole_records': m0018,
  '0019_blind_index_record_key': m0019,
  '0020_erasure_reach': m0020,
  '0021_session_mfa_verified': m0021,
  '0022_audit_checkpoint_chain': m0022,
  '0023_pending_registrations': m0023,
  '0024_inventory': m0024,
  '0026_retention_schedules': m0026,
  '0028_audit_archive': m0028,
  '0030_breaches': m0030,
  '0032_retention_creation_walk': m0032,
  '0034_transfers': m0034,
  '0038_assessments': m0038,
  '0042_website_purposes': m0042,
  '0036_monitoring': m0036,
  '0040_accountability': m0040,
};
