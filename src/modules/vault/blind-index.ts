import { createHmac } from 'node:crypto';
import type { FieldDefinition, FieldValue } from './collection-schema.js';
import { normalizeEmail } from './collection-schema.js';

/** Blind indexes keep 128 bits of the HMAC: collisions are negligible, the value is not recoverable. */
const digestBytes = 16;

/**
 * HMAC-SHA256 of a normalized value under the dedicated blind-index key, truncated. The kind is part of
 * the input, so equal values of different kinds (an e-mail and an external id) never share a digest.
 */
export function blindIndexFor(key: Buffer, kind: string, normalized: string): Buffer {
  return createHmac('sha256', key)
    .update(`${kind}\u0000${normalized}`, 'utf8')
    .digest()
    .subarray(0, digestBytes);
}

/**
 * E-mail and phone fields share one index kind across collections, so one search finds a person in any
 * collection; other indexed fields are searched per collection and field.
 */
export function indexKindFor(collection: string, field: Pick<FieldDefinition, 'name' | 'type'>): string {
  return field.type === 'email' || field.type === 'phone' ? field.type : `${collection}.${field.name}`;
}

export function normalizedForIndex(
  field: Pick<FieldDefinition, 'type'>,
  value: FieldValue,
): string | undefined {
  if (typeof value !== 'string') return undefined;
  if (field.type === 'email') return normalizeEmail(value);
  return value.trim();
}

export const externalIdKind = 'external_id';
