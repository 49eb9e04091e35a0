import { hkdfSync } from 'node:crypto';
import { keysDirOf } from '../../config.js';
import type { DeriveKey, Platform } from '../../wiring/platform.js';
import type { AuditService } from '../audit/audit-service.js';
import { keyMaterialFrom } from './key-material.js';
import { rewrapJob } from './keys-jobs.js';
import { keysService } from './keys-service.js';
import { keysStore } from './keys-store.js';

/**
 * The key ring, and `deriveKey`: the keys of other modules' sealed columns (mail outbox, request notes,
 * webhook secrets …), each derived from the index root for its use alone.
 */
export function keysModule({ config, db, clock, logger }: Platform, { audit }: { audit: AuditService }) {
  // Key files (master key v1, blind-index root) are created here on first start, unless CUSTOS_MASTER_KEY is set.
  const keyMaterial = keyMaterialFrom({ ...config, keysDir: keysDirOf(config) });
  const keys = keysService({
    db,
    store: keysStore(),
    ...keyMaterial,
    audit,
    clock,
    settings: {
      dekCacheSize: config.dekCacheSize,
      dekCacheTtlMs: config.dekCacheTtl,
      rewrapBatchSize: config.rewrapBatchSize,
    },
  });
  const deriveKey: DeriveKey = (info) =>
    Buffer.from(hkdfSync('sha256', keys.tokenKey(), Buffer.alloc(0), info, 32));
  return { keys, deriveKey, background: { jobs: [rewrapJob(keys, logger)], prune: [] } };
}
