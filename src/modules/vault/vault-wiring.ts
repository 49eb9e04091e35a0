import { aead } from '../../lib/aead.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import type { KeysService } from '../keys/keys-service.js';
import { collectionService } from './collection-service.js';
import { erasureStore } from './erasure-store.js';
import { importService } from './import-service.js';
import { noticeAddresses } from './notice-addresses.js';
import { personalDataPlaces } from './personal-data.js';
import { recordService } from './record-service.js';
import { subjectStorageGuard } from './storage-guard.js';
import { subjectErasure as subjectErasureService } from './subject-erasure.js';
import { tokenService } from './token-service.js';
import { collectionStore, importStore, subjectStore } from './vault-store.js';

/** The vault: collections, subjects and their sealed records, imports, tokens, and erasure by shredding. */
export function vaultModule(
  { config, database, db, clock }: Platform,
  { keys, deriveKey, audit }: { keys: KeysService; deriveKey: DeriveKey; audit: AuditService },
) {
  const collectionRows = collectionStore();
  const subjectRows = subjectStore();
  const collections = collectionService({ db, store: collectionRows, audit, clock });
  const vaultSettings = {
    purposes: config.readPurposes,
    phoneRegion: config.phoneRegion,
    // Keyed-hash masking gets its own key, derived so that it matches neither tokens nor blind indexes.
    maskKey: deriveKey('custos.masking.v1'),
  };
  // Every place outside the vault's tables where a subject's personal data lives registers here, with what
  // erasure does to it; every erasure (shredding, erasure under retention) runs them all in its transaction.
  const personalData = personalDataPlaces();
  // Residency policies (the transfers module, wired later) may keep subjects of a region off this instance.
  const storage = subjectStorageGuard();
  const records = recordService({
    db,
    subjects: subjectRows,
    collectionRows,
    collections,
    keys,
    aead,
    audit,
    clock,
    settings: {
      ...vaultSettings,
      // Creates that arrive while one batch is written go together into the next (one statement
      // with their audit entries): PGlite has one connection; on PostgreSQL four batches at once
      // keep the WAL flushes PostgreSQL shares between concurrent commits busy.
      groupCommit: { writers: database.kind === 'postgres' ? 4 : 1, maxBatch: 100 },
    },
    personalData,
    storage,
  });
  const imports = importService({
    db,
    store: importStore(),
    collections,
    keys,
    audit,
    clock,
    settings: vaultSettings,
    databaseKind: database.kind,
    storage,
  });
  const tokens = tokenService({
    db,
    subjects: subjectRows,
    collections,
    keys,
    aead,
    audit,
    settings: vaultSettings,
  });
  const subjectErasure = subjectErasureService({
    subjects: subjectRows,
    store: erasureStore(),
    collectionRows,
    keys,
    aead,
    clock,
    personalData,
    settings: { maskKey: vaultSettings.maskKey },
  });
  const addresses = noticeAddresses({ collectionRows, keys, aead, audit });
  return {
    collections,
    records,
    imports,
    tokens,
    subjectErasure,
    personalData,
    addresses,
    /** Binds the check of where subjects of a region may be stored (residency policies). */
    guardSubjectStorage: storage.bind,
    /** The distinct regions of the subjects held (residency's start-up check). */
    subjectRegions: () => subjectRows.regions(db),
    /** The key of keyed-hash masking, for whatever else masks as the vault does (retention's anonymization). */
    maskKey: vaultSettings.maskKey,
  };
}
