import { generateKeyPairSync } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../lib/canonical-json.js';
import {
  type AuditCheckpoint,
  type AuditEntryContent,
  type AuditEntryRecord,
  canonicalEntry,
  canonicalEntryParts,
  genesisHashHex,
  sealEntry,
} from './audit-entry.js';
import { keyIdOf, signCheckpoint } from './audit-keys.js';
import { type AuditLogItem, verifyAuditLog } from './audit-verify.js';

faker.seed(3);

const signer = (() => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return { privateKey, publicKey, keyId: keyIdOf(publicKey) };
})();
const publicKeys = new Map([[signer.keyId, signer.publicKey]]);

function contentAt(seq: number): AuditEntryContent {
  return {
    seq,
    at: faker.date.recent().toISOString(),
    actor: { type: 'operator', id: faker.string.uuid() },
    action: faker.helpers.arrayElement([
      'operator.login.succeeded',
      'vault.record.read',
      'consent.withdrawn',
    ]),
    target: faker.datatype.boolean() ? { type: 'subject', id: faker.string.uuid() } : null,
    purpose: faker.helpers.arrayElement([null, 'support_ticket']),
    outcome: faker.helpers.arrayElement(['success', 'failure', 'denied'] as const),
    requestId: faker.string.uuid(),
    ipHash: faker.string.hexadecimal({ length: 32, casing: 'lower', prefix: '' }),
    details: { count: faker.number.int(100), fields: ['email'] },
  };
}

/** A log of `count` entries with a signed checkpoint after every `every`-th entry. */
function buildLog(
  count: number,
  every = 10,
): { entries: AuditEntryRecord[]; checkpoints: AuditCheckpoint[] } {
  const entries: AuditEntryRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  let previous = genesisHashHex;
  for (let seq = 1; seq <= count; seq += 1) {
    const entry = sealEntry(previous, contentAt(seq));
    entries.push(entry);
    previous = entry.hash;
    if (seq % every === 0) {
      checkpoints.push(signCheckpoint(signer, { seq, hash: entry.hash, at: entry.at }));
    }
  }
  return { entries, checkpoints };
}

/** Entries and checkpoints in log order: each checkpoint right after its entry. */
function itemsOf(log: { entries: AuditEntryRecord[]; checkpoints: AuditCheckpoint[] }): AuditLogItem[] {
  const bySeq = new Map(log.checkpoints.map((checkpoint) => [checkpoint.seq, checkpoint]));
  return log.entries.flatMap((entry): AuditLogItem[] => {
    const checkpoint = bySeq.get(entry.seq);
    return checkpoint
      ? [
          { kind: 'entry', ...entry },
          { kind: 'checkpoint', ...checkpoint },
        ]
      : [{ kind: 'entry', ...entry }];
  });
}

function renumber(entry: AuditEntryRecord, seq: number): AuditEntryRecord {
  return { ...entry, seq };
}

describe('the canonical form of an entry', () => {
  it('is the canonical JSON of its content, and splits around the sequence number', () => {
    const content = contentAt(42);
    expect(canonicalEntry(content)).toBe(canonicalJson(content));
    const { before, after } = canonicalEntryParts(content);
    expect(`${before}42${after}`).toBe(canonicalJson(content));
  });

  it('holds for entries without target, actor id, purpose or address', () => {
    const content: AuditEntryContent = {
      ...contentAt(7),
      actor: { type: 'anonymous', id: null },
      target: null,
      purpose: null,
      ipHash: null,
      requestId: null,
      details: {},
    };
    expect(canonicalEntry(content)).toBe(canonicalJson(content));
  });
});

describe('audit log verification', () => {
  it('accepts an untouched log and says how many entries no checkpoint covers yet', async () => {
    const log = buildLog(35);
    const report = await verifyAuditLog(itemsOf(log), { publicKeys });
    expect(report).toEqual({
      ok: true,
      entries: 35,
      checkpoints: 3,
      lastSeq: 35,
      lastCheckpointSeq: 30,
      unsignedEntries: 5,
    });
  });

  it('accepts an empty log', async () => {
    expect(await verifyAuditLog([], { publicKeys })).toMatchObject({ ok: true, entries: 0, lastSeq: 0 });
  });

  it('finds an entry whose content was changed', async () => {
    const log = buildLog(30);
    log.entries[11] = { ...(log.entries[11] as AuditEntryRecord), outcome: 'success', action: 'x.y.z' };
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'hash_mismatch',
      seq: 12,
    });
  });

  it('finds a changed entry even when its hash was recomputed, at the entry after it', async () => {
    const log = buildLog(30);
    const original = log.entries[11] as AuditEntryRecord;
    log.entries[11] = sealEntry(original.prevHash, { ...original, details: { count: 0 } });
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'chain_broken',
      seq: 13,
    });
  });

  it('finds a removed entry', async () => {
    const log = buildLog(30);
    log.entries.splice(16, 1);
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'sequence_gap',
      seq: 17,
    });
  });

  it('finds a removed entry when the entries after it were renumbered', async () => {
    const log = buildLog(30);
    log.entries.splice(16, 1);
    log.entries = log.entries.map((entry, index) => renumber(entry, index + 1));
    const report = await verifyAuditLog(itemsOf({ entries: log.entries, checkpoints: [] }), { publicKeys });
    expect(report).toMatchObject({ ok: false, problem: 'chain_broken', seq: 17 });
    expect(report.ok || report.message).toMatch(/removed/);
  });

  it('finds an inserted entry and names its sequence number', async () => {
    const log = buildLog(30);
    const before = log.entries[8] as AuditEntryRecord;
    const forged = sealEntry(before.hash, { ...contentAt(10), action: 'operator.login.succeeded' });
    log.entries.splice(9, 0, forged);
    log.entries = log.entries.map((entry, index) => renumber(entry, index + 1));
    expect(
      await verifyAuditLog(itemsOf({ entries: log.entries, checkpoints: [] }), { publicKeys }),
    ).toMatchObject({
      ok: false,
      problem: 'entry_inserted',
      seq: 10,
    });
  });

  it('finds two entries that swapped places', async () => {
    const log = buildLog(30);
    const a = log.entries[4] as AuditEntryRecord;
    const b = log.entries[20] as AuditEntryRecord;
    log.entries[4] = renumber(b, 5);
    log.entries[20] = renumber(a, 21);
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'chain_broken',
      seq: 5,
    });
  });

  it('finds a rewritten chain through the first checkpoint that no longer matches', async () => {
    const log = buildLog(30);
    // Change entry 14 and recompute every hash after it: the chain alone looks whole again.
    let previous = (log.entries[12] as AuditEntryRecord).hash;
    for (let index = 13; index < log.entries.length; index += 1) {
      const entry = log.entries[index] as AuditEntryRecord;
      const content = index === 13 ? { ...entry, outcome: 'success' as const } : entry;
      log.entries[index] = sealEntry(previous, content);
      previous = (log.entries[index] as AuditEntryRecord).hash;
    }
    const report = await verifyAuditLog(itemsOf(log), { publicKeys });
    expect(report).toMatchObject({ ok: false, problem: 'checkpoint_mismatch', seq: 20 });
    expect(report.ok || report.message).toMatch(/entries 11 to 20/);
  });

  it('finds entries cut off after a signed checkpoint', async () => {
    const log = buildLog(30);
    const kept = log.entries.slice(0, 24);
    expect(
      await verifyAuditLog(
        [
          ...itemsOf({ entries: kept, checkpoints: log.checkpoints.slice(0, 2) }),
          { kind: 'checkpoint', ...(log.checkpoints[2] as AuditCheckpoint) },
        ],
        { publicKeys },
      ),
    ).toMatchObject({ ok: false, problem: 'truncated_after_checkpoint', seq: 25 });
  });

  it('cannot see a cut after the last checkpoint unless the writer says how many entries it wrote', async () => {
    const log = buildLog(30);
    const items = itemsOf({ entries: log.entries.slice(0, 27), checkpoints: log.checkpoints });
    expect(await verifyAuditLog(items, { publicKeys })).toMatchObject({ ok: true, lastSeq: 27 });
    expect(await verifyAuditLog(items, { publicKeys, expectedLastSeq: 30 })).toMatchObject({
      ok: false,
      problem: 'tail_missing',
      seq: 28,
    });
  });

  it('finds a forged checkpoint, and one signed by a key that is not trusted', async () => {
    const log = buildLog(30);
    const real = log.checkpoints[1] as AuditCheckpoint;
    const forged = { ...real, at: new Date().toISOString() };
    log.checkpoints[1] = forged;
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'checkpoint_signature_invalid',
      seq: 20,
    });

    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const stranger = { privateKey, keyId: keyIdOf(publicKey) };
    log.checkpoints[1] = signCheckpoint(stranger, real);
    const report = await verifyAuditLog(itemsOf(log), { publicKeys });
    expect(report).toMatchObject({ ok: false, problem: 'checkpoint_signature_invalid', seq: 20 });
    expect(report.ok || report.message).toContain(stranger.keyId);
  });

  it('verifies checkpoints of a retired key when its public key is given too', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const retired = { privateKey, keyId: keyIdOf(publicKey) };
    const log = buildLog(30);
    log.checkpoints[0] = signCheckpoint(retired, log.checkpoints[0] as AuditCheckpoint);
    const both = new Map([...publicKeys, [retired.keyId, publicKey]]);
    expect(await verifyAuditLog(itemsOf(log), { publicKeys: both })).toMatchObject({
      ok: true,
      checkpoints: 3,
    });
  });

  it('reports a line that is not an entry or a checkpoint', async () => {
    const log = buildLog(5);
    const items: AuditLogItem[] = [...itemsOf(log), { kind: 'malformed', line: 7, reason: 'not JSON' }];
    expect(await verifyAuditLog(items, { publicKeys })).toMatchObject({
      ok: false,
      problem: 'malformed',
      seq: 6,
    });
  });

  it('reads batches from an async stream and reports progress', async () => {
    const log = buildLog(25);
    const items = itemsOf(log);
    async function* pages() {
      for (let start = 0; start < items.length; start += 10) yield items.slice(start, start + 10);
    }
    const progress: number[] = [];
    const report = await verifyAuditLog(pages(), { publicKeys, onProgress: (done) => progress.push(done) });
    expect(report).toMatchObject({ ok: true, entries: 25 });
    expect(progress.at(-1)).toBe(25);
  });
});
