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
import { keyIdOf, signChainedCheckpoint, signCheckpoint } from './audit-keys.js';
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

/** Gives an entry another number and position, as someone covering up a removal or insertion would. */
function renumber(entry: AuditEntryRecord, seq: number): AuditEntryRecord {
  return { ...entry, seq, chainSeq: seq };
}

/**
 * A log of `count` entries spread over `chains` chains, as concurrent appends make it: each entry goes to a
 * random chain, global numbers skip now and then (rolled-back appends), and every chain signs a checkpoint
 * at every `every`-th position.
 */
function buildChainedLog(count: number, chains: number, every = 5) {
  const entries: AuditEntryRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  const heads = Array.from({ length: chains }, () => ({ hash: genesisHashHex, chainSeq: 0 }));
  let seq = 0;
  for (let index = 0; index < count; index += 1) {
    seq += faker.helpers.weightedArrayElement([
      { weight: 9, value: 1 },
      { weight: 1, value: 3 },
    ]);
    const chain = faker.number.int(chains - 1);
    const head = heads[chain] as { hash: string; chainSeq: number };
    const entry = sealEntry(head.hash, contentAt(seq), { chain, chainSeq: head.chainSeq + 1 });
    entries.push(entry);
    head.hash = entry.hash;
    head.chainSeq = entry.chainSeq;
    if (entry.chainSeq % every === 0) {
      checkpoints.push(signCheckpoint(signer, { seq, hash: entry.hash, at: entry.at }));
    }
  }
  return { entries, checkpoints };
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
    const report = await verifyAuditLog(itemsOf(log), { publicKeys });
    expect(report).toMatchObject({ ok: false, problem: 'sequence_gap', seq: 18 });
    expect(report.ok || report.message).toMatch(/missing an entry before entry 18 \(position 17\)/);
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
    expect(report.ok || report.message).toMatch(/after 10/);
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
    ).toMatchObject({ ok: false, problem: 'truncated_after_checkpoint', seq: 30 });
  });

  it('cannot see a cut after the last checkpoint unless the writer says where each chain ends', async () => {
    const log = buildLog(30);
    const items = itemsOf({ entries: log.entries.slice(0, 27), checkpoints: log.checkpoints });
    expect(await verifyAuditLog(items, { publicKeys })).toMatchObject({ ok: true, lastSeq: 27 });
    const expectedHeads = [{ chain: 0, seq: 30, chainSeq: 30 }];
    const report = await verifyAuditLog(items, { publicKeys, expectedHeads });
    expect(report).toMatchObject({ ok: false, problem: 'tail_missing', seq: 30 });
    expect(report.ok || report.message).toMatch(/Chain 0 ends at position 27 \(entry 27\)/);
  });

  describe('a log of several chains', () => {
    it('verifies, with gaps in the global numbers, and counts what no checkpoint covers yet', async () => {
      const log = buildChainedLog(200, 8);
      const last = log.entries.at(-1) as AuditEntryRecord;
      const report = await verifyAuditLog(itemsOf(log), { publicKeys });
      expect(report).toMatchObject({ ok: true, entries: 200, lastSeq: last.seq });
      const signed = new Set(log.checkpoints.map((checkpoint) => checkpoint.seq));
      const unsigned = new Map<number, number>();
      for (const entry of log.entries) {
        unsigned.set(entry.chain, signed.has(entry.seq) ? 0 : (unsigned.get(entry.chain) ?? 0) + 1);
      }
      expect(report.ok && report.unsignedEntries).toBe([...unsigned.values()].reduce((a, b) => a + b, 0));
    });

    it('finds an entry removed from one chain', async () => {
      const log = buildChainedLog(200, 8);
      const [removed] = log.entries.splice(120, 1) as [AuditEntryRecord];
      const next = log.entries.find((entry) => entry.seq > removed.seq && entry.chain === removed.chain);
      const report = await verifyAuditLog(itemsOf(log), { publicKeys });
      if (next) expect(report).toMatchObject({ ok: false, problem: 'sequence_gap', seq: next.seq });
      else expect(report.ok).toBe(false);
    });

    it('finds an entry moved to another chain', async () => {
      const log = buildChainedLog(200, 8);
      const moved = log.entries[90] as AuditEntryRecord;
      log.entries[90] = { ...moved, chain: (moved.chain + 1) % 8 };
      expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({ ok: false, seq: moved.seq });
    });

    it('finds the tail of one chain cut off, from its head', async () => {
      const log = buildChainedLog(200, 8);
      const chain = (log.entries.at(-1) as AuditEntryRecord).chain;
      const ofChain = log.entries.filter((entry) => entry.chain === chain);
      const last = ofChain.at(-1) as AuditEntryRecord;
      const cut = new Set(ofChain.slice(-2).map((entry) => entry.seq));
      const kept = {
        entries: log.entries.filter((entry) => !cut.has(entry.seq)),
        checkpoints: log.checkpoints.filter((checkpoint) => !cut.has(checkpoint.seq)),
      };
      const expectedHeads = [{ chain, seq: last.seq, chainSeq: last.chainSeq }];
      expect(await verifyAuditLog(itemsOf(kept), { publicKeys, expectedHeads })).toMatchObject({
        ok: false,
        problem: 'tail_missing',
        seq: last.seq,
      });
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

describe('chained checkpoints', () => {
  /** A one-chain log with a chained checkpoint over its head after every `every`-th entry. */
  function buildChained(count: number, every = 10) {
    const { entries } = buildLog(count, count + 1);
    const checkpoints: AuditCheckpoint[] = [];
    let prevHash = genesisHashHex;
    for (const entry of entries) {
      if (entry.seq % every !== 0) continue;
      const checkpoint = signChainedCheckpoint(signer, {
        seq: entry.seq,
        at: entry.at,
        checkpointSeq: checkpoints.length + 1,
        prevHash,
        heads: [{ chain: 0, chainSeq: entry.chainSeq, seq: entry.seq, hash: entry.hash }],
        every,
        intervalMs: 300_000,
      });
      checkpoints.push(checkpoint);
      prevHash = checkpoint.hash;
    }
    return { entries, checkpoints };
  }

  it('accepts an untouched chain of checkpoints', async () => {
    expect(await verifyAuditLog(itemsOf(buildChained(45)), { publicKeys })).toMatchObject({
      ok: true,
      checkpoints: 4,
      lastCheckpointSeq: 40,
      unsignedEntries: 5,
    });
  });

  it('names the missing checkpoint when one is deleted from the middle', async () => {
    const log = buildChained(45);
    log.checkpoints.splice(1, 1);
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'checkpoint_missing',
      checkpoint: 2,
      seq: 30,
    });
  });

  it('finds an older checkpoint replayed after a newer one', async () => {
    const log = buildChained(45);
    const items = itemsOf(log);
    const at = items.findIndex((item) => item.kind === 'checkpoint' && item.seq === 30);
    items.splice(at + 1, 0, { kind: 'checkpoint', ...(log.checkpoints[1] as AuditCheckpoint) });
    expect(await verifyAuditLog(items, { publicKeys })).toMatchObject({
      ok: false,
      problem: 'checkpoint_replayed',
      checkpoint: 2,
    });
  });

  it('finds a rewrite whose later checkpoints were all deleted by the span no checkpoint covers', async () => {
    const log = buildChained(80);
    let previous = (log.entries[11] as AuditEntryRecord).hash;
    for (let index = 12; index < log.entries.length; index += 1) {
      const entry = log.entries[index] as AuditEntryRecord;
      log.entries[index] = sealEntry(previous, index === 12 ? { ...entry, action: 'x.y.z' } : entry);
      previous = (log.entries[index] as AuditEntryRecord).hash;
    }
    log.checkpoints = log.checkpoints.filter((checkpoint) => checkpoint.seq < 13);
    expect(await verifyAuditLog(itemsOf(log), { publicKeys })).toMatchObject({
      ok: false,
      problem: 'unsigned_span',
      seq: 11,
    });
  });

  it('finds an unsigned tail older than the interval allows, given the time of reading', async () => {
    const log = buildChained(45);
    const newest = Math.max(...log.entries.map((entry) => new Date(entry.at).getTime()));
    const report = await verifyAuditLog(itemsOf(log), {
      publicKeys,
      now: new Date(newest + 3_600_000),
    });
    expect(report).toMatchObject({ ok: false, problem: 'unsigned_span', seq: 41 });
  });
});
