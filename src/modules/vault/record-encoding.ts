import { blindIndexFor, indexKindFor, normalizedForIndex } from './blind-index.js';
import { type FieldDefinition, type FieldValue, fieldsByName, isEncrypted } from './collection-schema.js';
import { type Aead, sealFieldValue } from './vault-crypto.js';
import type { BlindIndexRow } from './vault-store.js';

export type EncodedRecord = {
  /** Values of public fields, stored in clear. */
  plain: Record<string, unknown>;
  /** Values of every other field, sealed under the subject's data key (base64). */
  sealed: Record<string, string>;
  indexes: Omit<BlindIndexRow, 'record_id'>[];
};

/**
 * Turns validated values into what is stored: public values in clear, the rest sealed per field, and a
 * blind index for each indexed value. Shared by single writes and bulk import, so both store alike.
 */
export function encodeRecord(
  input: {
    collection: { name: string; fields: readonly FieldDefinition[] };
    subjectId: string;
    values: Record<string, FieldValue>;
  },
  crypto: { aead: Aead; dataKey: Buffer; blindIndexKey: Buffer },
): EncodedRecord {
  const { collection, subjectId } = input;
  const fields = fieldsByName(collection.fields);
  const encoded: EncodedRecord = { plain: {}, sealed: {}, indexes: [] };
  for (const [name, value] of Object.entries(input.values)) {
    const field = fields.get(name);
    if (!field || value === null) continue;
    if (isEncrypted(field)) {
      encoded.sealed[name] = sealFieldValue(
        crypto.aead,
        crypto.dataKey,
        subjectId,
        collection.name,
        name,
        value,
      );
    } else {
      encoded.plain[name] = value;
    }
    const normalized = field.indexed ? normalizedForIndex(field, value) : undefined;
    if (normalized === undefined) continue;
    const kind = indexKindFor(collection.name, field);
    encoded.indexes.push({
      kind,
      digest: blindIndexFor(crypto.blindIndexKey, kind, normalized),
      subject_id: subjectId,
      field: `${collection.name}.${name}`,
    });
  }
  return encoded;
}
