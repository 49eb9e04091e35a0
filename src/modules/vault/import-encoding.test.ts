import { randomBytes } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { aead } from '../../lib/aead.js';
import { timeOrderedId } from '../../lib/ids.js';
import type { FieldDefinition } from './collection-schema.js';
import { type BatchPlan, type EncoderSetup, encodeBatch, externalIdOf } from './import-encoding.js';
import { decryptFieldValue } from './vault-crypto.js';

faker.seed(41);

const fields: FieldDefinition[] = [
  {
    name: 'email',
    type: 'email',
    category: 'user.contact.email',
    classification: 'confidential',
    required: true,
    indexed: true,
    tokenizable: false,
  },
  {
    name: 'plan',
    type: 'string',
    category: 'user.account',
    classification: 'public',
    required: false,
    indexed: false,
    tokenizable: false,
  },
];

const setupFor = (multiple: boolean): EncoderSetup => ({
  collection: { name: 'people', multiple, fields },
  blindIndexKey: randomBytes(32),
});

type Written = {
  id: string;
  subject_id: string;
  plain: Record<string, unknown>;
  sealed: Record<string, string>;
  indexes: { kind: string; digest: string; field: string }[];
};
const written = (document: Uint8Array): Written[] => JSON.parse(new TextDecoder().decode(document));

describe('encodeBatch', () => {
  const alice = timeOrderedId();
  const bob = timeOrderedId();
  const keys = new Map([
    [alice, randomBytes(32)],
    [bob, randomBytes(32)],
  ]);
  const plan = (subjectIds: (string | undefined)[], current = new Map<string, string>()): BatchPlan => ({
    at: Date.now(),
    subjectIds,
    dataKeys: keys,
    currentRecords: current,
  });

  it('seals non-public values under the subject, keeps public ones clear, and indexes the indexed', () => {
    const email = faker.internet.email();
    const batch = encodeBatch(
      setupFor(false),
      [{ line: 1, values: { externalId: 'a', email, plan: 'pro' } }],
      plan([alice]),
    );
    const [record] = written(batch.records.document) as [Written];
    expect(record.subject_id).toBe(alice);
    expect(record.plain).toEqual({ plan: 'pro' });
    expect(JSON.stringify(record)).not.toContain(email);
    const dataKey = keys.get(alice) as Buffer;
    expect(decryptFieldValue(aead, dataKey, alice, 'people', 'email', record.sealed.email as string)).toBe(
      email,
    );
    expect(record.indexes).toEqual([
      { kind: 'email', digest: expect.stringMatching(/^[0-9a-f]{32}$/), field: 'people.email' },
    ]);
    expect(batch).toMatchObject({ failed: 0, errors: [], subjects: { ids: [alice] } });
    expect(batch.records).toMatchObject({ created: 1, updated: 0, replaced: { ids: [], subjectIds: [] } });
  });

  it('reports every bad field of a line by name and reason, never by value', () => {
    const secret = `not-an-address-${faker.string.alphanumeric(8)}`;
    const batch = encodeBatch(
      setupFor(false),
      [
        { line: 3, values: { externalId: '  ', email: secret, shoe_size: 44 } },
        { line: 4, values: { __malformed: true } },
      ],
      plan([undefined, undefined]),
    );
    expect(batch.failed).toBe(2);
    expect(batch.errors).toEqual([
      { line: 3, field: 'externalId', reason: 'is required (a non-empty string of at most 200 characters)' },
      { line: 3, field: 'shoe_size', reason: 'is not a field of this collection' },
      { line: 3, field: 'email', reason: 'must be an e-mail address' },
      { line: 4, field: '(line)', reason: 'is not a JSON object' },
    ]);
    expect(JSON.stringify(batch.errors)).not.toContain(secret);
    expect(written(batch.records.document)).toEqual([]);
  });

  it("replaces a subject's one record, and a later line of the batch replaces the earlier one", () => {
    const existing = timeOrderedId();
    const batch = encodeBatch(
      setupFor(false),
      [
        { line: 1, values: { externalId: 'a', email: faker.internet.email() } },
        { line: 2, values: { externalId: 'b', email: faker.internet.email() } },
        { line: 3, values: { externalId: 'b', email: faker.internet.email() } },
      ],
      plan([alice, bob, bob], new Map([[alice, existing]])),
    );
    const records = written(batch.records.document);
    expect(records.map((record) => record.subject_id)).toEqual([alice, bob]);
    expect(records[0]?.id).toBe(existing);
    // One set of blind indexes per record: the earlier line's are gone with its values.
    expect(records[1]?.indexes).toHaveLength(1);
    expect(batch.records).toMatchObject({
      created: 1,
      updated: 1,
      replaced: { ids: [existing], subjectIds: [alice] },
    });
  });

  it('appends every line to a many-record collection, and replaces a record a line names', () => {
    const named = timeOrderedId();
    const batch = encodeBatch(
      setupFor(true),
      [
        { line: 1, values: { externalId: 'a', email: faker.internet.email() } },
        { line: 2, values: { externalId: 'a', email: faker.internet.email() } },
        {
          line: 3,
          values: { externalId: 'a', recordId: named.toUpperCase(), email: faker.internet.email() },
        },
      ],
      plan([alice, alice, alice]),
    );
    expect(written(batch.records.document)).toHaveLength(3);
    expect(batch.records).toMatchObject({
      created: 2,
      updated: 1,
      replaced: { ids: [named], subjectIds: [alice] },
    });
  });

  it('names the valid lines of erased subjects (no data key) instead of encoding them', () => {
    const erased = timeOrderedId();
    const batch = encodeBatch(
      setupFor(false),
      [{ line: 7, values: { externalId: 'gone', email: faker.internet.email() } }],
      plan([erased]),
    );
    expect(batch.erasedLines).toEqual([7]);
    expect(written(batch.records.document)).toEqual([]);
  });
});

describe('externalIdOf', () => {
  it('trims, and refuses what is not a usable external id', () => {
    expect(externalIdOf({ externalId: ' crm-1 ' })).toBe('crm-1');
    expect(externalIdOf({ externalId: '' })).toBeUndefined();
    expect(externalIdOf({ externalId: 42 })).toBeUndefined();
    expect(externalIdOf({ externalId: 'x'.repeat(201) })).toBeUndefined();
    expect(externalIdOf({ externalId: 'a', __malformed: true })).toBeUndefined();
  });
});
