import type { Executor } from '../../db/database.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import type { KeysService } from '../keys/keys-service.js';
import { type Aead, decryptFieldValue } from './vault-crypto.js';
import type { CollectionRow, CollectionStore } from './vault-store.js';

type Deps = {
  collectionRows: Pick<CollectionStore, 'list'>;
  keys: Pick<KeysService, 'dataKeysFor'>;
  aead: Aead;
  audit: Pick<AuditWriter, 'appendMany'>;
};

/** The purpose every such decryption is audited under. */
export const breachNoticePurpose = 'breach_notification';

type EmailField = { collection: CollectionRow; field: string };

function emailFieldsOf(collections: CollectionRow[]): EmailField[] {
  return collections.flatMap((collection) =>
    collection.fields
      .filter((field) => field.type === 'email')
      .map((field) => ({ collection, field: field.name })),
  );
}

/**
 * Subjects' e-mail addresses, decrypted for one purpose only: telling them of a breach of their data
 * (GDPR Art. 34). Reads in the caller's transaction and writes one audit entry per subject there
 * (`vault.address.decrypted`, purpose `breach_notification`, the breach's id and the field read, never
 * the address), so the decryption is recorded exactly when the notice it serves is. The first e-mail
 * field (collections by name, fields in order) holding a value is used; erased subjects have none.
 */
export function noticeAddresses({ collectionRows, keys, aead, audit }: Deps) {
  async function readNoticeAddressesDecrypted(
    tx: Executor,
    context: AuditContext,
    subjectIds: readonly string[],
    breachId: string,
  ): Promise<Map<string, string>> {
    const addresses = new Map<string, string>();
    const emailFields = emailFieldsOf(await collectionRows.list(tx));
    if (subjectIds.length === 0 || emailFields.length === 0) return addresses;
    const records = await tx
      .selectFrom('records')
      .innerJoin('subjects', 'subjects.id', 'records.subject_id')
      .select(['records.subject_id', 'records.collection_id', 'records.sealed', 'records.plain'])
      .where('records.subject_id', 'in', [...subjectIds])
      .where('records.collection_id', 'in', [...new Set(emailFields.map((f) => f.collection.id))])
      .where('subjects.status', '<>', 'erased')
      .execute();
    const dataKeys = await keys.dataKeysFor(tx, [...new Set(records.map((record) => record.subject_id))]);
    const usedField = new Map<string, string>();
    for (const { collection, field } of emailFields) {
      for (const record of records) {
        if (record.collection_id !== collection.id || addresses.has(record.subject_id)) continue;
        const address = addressIn(record, collection.name, field, dataKeys.get(record.subject_id));
        if (!address) continue;
        addresses.set(record.subject_id, address);
        usedField.set(record.subject_id, `${collection.name}.${field}`);
      }
    }
    await audit.appendMany(
      tx,
      [...usedField].map(([subjectId, field]) => ({
        context,
        entry: {
          action: 'vault.address.decrypted',
          outcome: 'success' as const,
          target: { type: 'subject', id: subjectId },
          purpose: breachNoticePurpose,
          details: { breach: breachId, field },
        },
      })),
    );
    return addresses;
  }

  function addressIn(
    record: { subject_id: string; sealed: Record<string, string>; plain: Record<string, unknown> },
    collection: string,
    field: string,
    dataKey: Buffer | undefined,
  ): string | undefined {
    const plain = record.plain[field];
    if (typeof plain === 'string' && plain.length > 0) return plain;
    const sealed = record.sealed[field];
    if (!sealed || !dataKey) return undefined;
    try {
      const value = decryptFieldValue(aead, dataKey, record.subject_id, collection, field, sealed);
      return typeof value === 'string' && value.length > 0 ? value : undefined;
    } catch {
      // A value that fails authentication was altered in storage: that subject counts as unreachable.
      return undefined;
    }
  }

  return { readNoticeAddressesDecrypted };
}

export type NoticeAddresses = ReturnType<typeof noticeAddresses>;
