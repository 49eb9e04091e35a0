import type { Executor } from '../../db/database.js';

/** What the vault needs of the key ring (the `keys` module provides it). */
export type VaultKeys = {
  /** Creates and stores the subject's data key; returns it in plaintext for immediate use. */
  createDataKey(tx: Executor, subjectId: string): Promise<Buffer>;
  /** The subject's data key, unwrapped; throws when it was shredded. */
  dataKeyFor(executor: Executor, subjectId: string): Promise<Buffer>;
  /** Data keys of many subjects in one round trip (bulk reads and imports). */
  dataKeysFor(executor: Executor, subjectIds: readonly string[]): Promise<Map<string, Buffer>>;
  /** A fresh data key, not yet stored: `storeDataKeys` stores it with its subject (bulk import). */
  newDataKey(): Buffer;
  /** Stores new subjects' data keys, wrapped, in one statement (bulk import). */
  storeDataKeys(tx: Executor, dataKeys: ReadonlyMap<string, Buffer>): Promise<void>;
  /** Deletes the subject's data key: every value sealed under it becomes unreadable for good. */
  shredDataKey(tx: Executor, subjectId: string): Promise<unknown>;
  blindIndexKey(): Buffer;
  tokenKey(): Buffer;
};

/** AES-256-GCM with associated data, as the keys module exposes it. */
export type Aead = {
  seal(key: Buffer, plaintext: Buffer, associatedData: Buffer): Buffer;
  open(key: Buffer, sealed: Buffer, associatedData: Buffer): Buffer;
};

/** Format version of sealed field values; part of the associated data. */
export const fieldFormatVersion = 1;

/**
 * Associated data binding a sealed value to its subject, collection, field and format version: a value
 * copied to another subject, collection or field fails to decrypt.
 */
export function fieldAad(subjectId: string, collection: string, field: string): Buffer {
  return Buffer.from(
    `custos.field.v${fieldFormatVersion}\u0000${subjectId}\u0000${collection}\u0000${field}`,
    'utf8',
  );
}

/** Seals one field value (any JSON) under the subject's data key. */
export function sealFieldValue(
  aead: Aead,
  dek: Buffer,
  subjectId: string,
  collection: string,
  field: string,
  value: unknown,
): string {
  return aead
    .seal(dek, Buffer.from(JSON.stringify(value), 'utf8'), fieldAad(subjectId, collection, field))
    .toString('base64');
}

/** Opens one sealed field value; throws when it was altered or moved. */
export function decryptFieldValue(
  aead: Aead,
  dek: Buffer,
  subjectId: string,
  collection: string,
  field: string,
  sealed: string,
): unknown {
  return JSON.parse(
    aead.open(dek, Buffer.from(sealed, 'base64'), fieldAad(subjectId, collection, field)).toString('utf8'),
  );
}
