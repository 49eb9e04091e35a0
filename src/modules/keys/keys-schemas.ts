import { z } from 'zod';
import type { KekVersionStatus, KeyRingStatus } from './keys-service.js';

export const ZKekVersionParams = z.object({ version: z.coerce.number().int().min(1).max(999_999) });

export const ZKekVersion = z
  .object({
    version: z.number().int(),
    fingerprint: z.string().describe('First 8 bytes of the SHA-256 of the key, hex; never the key'),
    createdAt: z.iso.datetime(),
    retiredAt: z.iso.datetime().nullable(),
    current: z.boolean().describe('New data keys are wrapped under this version'),
    available: z.boolean().describe('This instance holds the key of this version'),
    dataKeys: z.number().int().describe('Data keys wrapped under this version'),
  })
  .meta({ id: 'KekVersion' });

export const ZKeyRingStatus = z
  .object({
    currentVersion: z.number().int(),
    provider: z.object({ kind: z.string(), source: z.string() }),
    versions: z.array(ZKekVersion),
    dataKeys: z.number().int(),
    pendingRewrap: z.number().int().describe('Data keys still wrapped under an older version'),
    indexKey: z.object({
      fingerprint: z.string(),
      matchesDatabase: z.boolean().describe('False means this instance has the wrong blind-index key'),
    }),
  })
  .meta({ id: 'KeyRingStatus' });

export const ZKeyRotation = z
  .object({
    version: z.number().int().describe('The new current master key version'),
    previousVersion: z.number().int(),
    fingerprint: z.string(),
    dataKeysToRewrap: z.number().int(),
    jobId: z.string().nullable().describe('The rewrap job; follow it with GET /v1/keys/status'),
  })
  .meta({ id: 'KeyRotation' });

export function presentKekVersion(version: KekVersionStatus): z.infer<typeof ZKekVersion> {
  return {
    version: version.version,
    fingerprint: version.fingerprint,
    createdAt: version.createdAt.toISOString(),
    retiredAt: version.retiredAt?.toISOString() ?? null,
    current: version.current,
    available: version.available,
    dataKeys: version.dataKeys,
  };
}

export function presentKeyRingStatus(status: KeyRingStatus): z.infer<typeof ZKeyRingStatus> {
  return { ...status, versions: status.versions.map(presentKekVersion) };
}
