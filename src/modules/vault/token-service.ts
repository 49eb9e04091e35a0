import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import { AppError } from '../../lib/app-error.js';
import type { AuditContext, AuditWriter } from '../audit/audit-types.js';
import { normalizedForIndex } from './blind-index.js';
import { type FieldValue, validateRecordValues } from './collection-schema.js';
import type { CollectionService } from './collection-service.js';
import { assertReadableFor } from './restriction.js';
import {
  deterministicTokenBytes,
  formatFor,
  randomTokenBytes,
  renderToken,
  type TokenFormat,
} from './token-format.js';
import type { Aead, VaultKeys } from './vault-crypto.js';
import type { SubjectStore } from './vault-store.js';

type Deps = {
  db: Kysely<DB>;
  subjects: SubjectStore;
  collections: CollectionService;
  keys: VaultKeys;
  aead: Aead;
  audit: AuditWriter;
  settings: { purposes: readonly string[]; phoneRegion?: string | undefined };
};

const tokenAad = (subjectId: string, token: string) =>
  Buffer.from(`custos.token.v1\u0000${subjectId}\u0000${token}`, 'utf8');

/**
 * Tokenization: a token stands in for a value in other systems. Deterministic tokens are stable per
 * value (joins still work); random ones are not. Either way the value is kept only sealed under the
 * subject's data key, so erasing the subject makes every token of theirs meaningless.
 */
export function tokenService({ db, subjects, collections, keys, aead, audit, settings }: Deps) {
  async function tokenize(
    context: AuditContext,
    input: {
      subjectId: string;
      collection: string;
      field: string;
      value: unknown;
      kind: 'deterministic' | 'random';
      format: 'auto' | TokenFormat;
    },
  ): Promise<{ token: string }> {
    return db.transaction().execute(async (tx) => {
      const subject = await subjects.lockById(tx, input.subjectId);
      if (!subject) throw new AppError('not_found', 'Subject not found.');
      if (subject.status === 'erased') throw new AppError('subject_erased', 'This subject was erased.');
      const collection = await collections.getWith(tx, input.collection);
      const field = collection.fields.find((candidate) => candidate.name === input.field);
      if (!field?.tokenizable) {
        throw new AppError('validation_failed', 'This field is not tokenizable.', {
          errors: [{ in: 'body', path: 'field', message: 'must name a tokenizable field of the collection' }],
        });
      }
      const { values, errors } = validateRecordValues(
        { fields: [{ ...field, required: true }] },
        { [field.name]: input.value },
        { partial: false, phoneRegion: settings.phoneRegion },
      );
      if (errors.length > 0)
        throw new AppError('validation_failed', 'The value does not fit the field.', {
          errors: errors.map((error) => ({ ...error, path: 'value' })),
        });
      const value = values[field.name] as FieldValue;
      const scope = `${collection.name}.${field.name}`;
      const normalized = normalizedForIndex(field, value) ?? JSON.stringify(value);
      const bytes =
        input.kind === 'deterministic'
          ? deterministicTokenBytes(keys.tokenKey(), `${subject.id}\u0000${scope}`, normalized)
          : randomTokenBytes();
      const token = renderToken(bytes, formatFor(field.type, input.format));
      const dek = await keys.dataKeyFor(tx, subject.id);
      await subjects.insertToken(tx, {
        token,
        subject_id: subject.id,
        collection: collection.name,
        field: field.name,
        kind: input.kind,
        sealed_value: aead.seal(dek, Buffer.from(JSON.stringify(value), 'utf8'), tokenAad(subject.id, token)),
      });
      await audit.append(tx, context, {
        action: 'vault.token.created',
        outcome: 'success',
        target: { type: 'subject', id: subject.id },
        details: { field: scope, kind: input.kind },
      });
      return { token };
    });
  }

  /** The value behind a token, for a stated purpose; audited. */
  async function detokenize(
    context: AuditContext,
    token: string,
    purpose: string,
  ): Promise<{ value: unknown; subjectId: string; collection: string; field: string }> {
    if (!settings.purposes.includes(purpose)) {
      throw new AppError('validation_failed', 'Detokenizing needs one of the configured purposes.', {
        errors: [{ in: 'body', path: 'purpose', message: `must be one of: ${settings.purposes.join(', ')}` }],
      });
    }
    const row = await subjects.findToken(db, token);
    if (!row) throw new AppError('not_found', 'Unknown token (or its subject was erased).');
    const subject = await subjects.findById(db, row.subject_id);
    if (subject) assertReadableFor(subject, purpose);
    const dek = await keys.dataKeyFor(db, row.subject_id);
    const value = JSON.parse(
      aead.open(dek, row.sealed_value, tokenAad(row.subject_id, token)).toString('utf8'),
    );
    await audit.record(context, {
      action: 'vault.token.detokenized',
      outcome: 'success',
      target: { type: 'subject', id: row.subject_id },
      purpose,
      details: { field: `${row.collection}.${row.field}`, kind: row.kind },
    });
    return { value, subjectId: row.subject_id, collection: row.collection, field: row.field };
  }

  return { tokenize, detokenize };
}

export type TokenService = ReturnType<typeof tokenService>;
