import { randomFillSync } from 'node:crypto';

// The random part of ids comes from a pool filled in one CSPRNG call per 409 ids, as IVs do in aead.ts.
const randomBytesPerId = 10;
const pool = Buffer.alloc(randomBytesPerId * 409);
let poolOffset = pool.length;
const scratch = Buffer.alloc(16);

const canonicalUuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** True for a UUID in its canonical form (lower-case hex, as PostgreSQL returns it). */
export function isCanonicalUuid(value: string): boolean {
  return canonicalUuid.test(value);
}

/**
 * A new UUID version 7 (RFC 9562, section 5.7): 48 bits of Unix time in milliseconds, then 74 random bits.
 * Ids made one after another sort together, so a B-tree on them grows at its right edge instead of
 * touching a random leaf page per insert. That matters for the tables that take rows per person
 * (subjects, records, their data keys and blind indexes): with random (version 4) ids, a million-row
 * import keeps reading and rewriting index pages that no longer fit in the database's buffers. The
 * timestamp tells when the row was made, which these rows show in `created_at` anyway.
 */
export function timeOrderedId(now: number = Date.now()): string {
  if (poolOffset + randomBytesPerId > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  scratch.writeUIntBE(now, 0, 6);
  pool.copy(scratch, 6, poolOffset, poolOffset + randomBytesPerId);
  pool.fill(0, poolOffset, poolOffset + randomBytesPerId);
  poolOffset += randomBytesPerId;
  scratch[6] = 0x70 | ((scratch[6] as number) & 0x0f); // version 7
  scratch[8] = 0x80 | ((scratch[8] as number) & 0x3f); // variant 10
  const hex = scratch.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
