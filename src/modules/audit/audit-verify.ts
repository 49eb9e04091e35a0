import type { KeyObject } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import {
  type AuditCheckpoint,
  type AuditEntryRecord,
  type ChainedCheckpoint,
  type CheckpointHead,
  canonicalEntry,
  chainHash,
  genesisHashHex,
  isChained,
} from './audit-entry.js';
import { checkpointSignatureValid } from './audit-keys.js';

/**
 * Verification of an audit log, the same for the database (`custos audit verify`, GET /v1/audit/verify)
 * and for an exported file checked offline. It reads entries and checkpoints once, in order, keeping only
 * the last two hashes of each chain and the checkpoints not yet reached, so memory stays flat however long
 * the log.
 *
 * Items must come in order of their global number with each checkpoint after the entry it vouches for
 * (the database reader and the NDJSON export both produce that order). Global numbers may have gaps (an
 * append that rolled back); positions within a chain may not.
 */
export type AuditLogItem =
  | ({ kind: 'entry' } & AuditEntryRecord)
  | ({ kind: 'checkpoint' } & AuditCheckpoint)
  | { kind: 'malformed'; line: number; reason: string };

export type AuditProblem =
  /** The entry's content does not match its hash: it was changed after it was written. */
  | 'hash_mismatch'
  /** The entry does not follow the one before: something was removed, inserted, moved or rehashed. */
  | 'chain_broken'
  /** A chain is missing entries: positions jump. */
  | 'sequence_gap'
  /** An entry was slipped into a chain. */
  | 'entry_inserted'
  /** An entry lies beyond its chain's head: it was written around Custos, not appended by it. */
  | 'entry_beyond_head'
  /** A checkpoint's signature is invalid or made with a key that is not trusted. */
  | 'checkpoint_signature_invalid'
  /** A validly signed checkpoint names other hashes or positions: the log was rewritten up to it. */
  | 'checkpoint_mismatch'
  /** Chained checkpoints are missing: their numbers jump (or the first is not number 1). */
  | 'checkpoint_missing'
  /** A chained checkpoint appears again or out of order: an older one was re-inserted. */
  | 'checkpoint_replayed'
  /** A chained checkpoint does not link to the one before it. */
  | 'checkpoint_chain_broken'
  /** More entries of a chain than the checkpoint policy allows are covered by no checkpoint. */
  | 'unsigned_span'
  /** A signed checkpoint vouches for entries the log no longer has. */
  | 'truncated_after_checkpoint'
  /** A chain's head row says more entries were written to it than the log holds. */
  | 'tail_missing'
  /** A checkpoint held by a witness is not in the log, though the entries it covers are intact. */
  | 'witness_checkpoint_missing'
  /** A checkpoint held by a witness differs from the log's copy, or the log's entries no longer match it. */
  | 'witness_mismatch'
  /** A line of an export file is not an entry or a checkpoint. */
  | 'malformed'
  /** A cut (where pruning left the log) has an invalid signature or one by an untrusted key. */
  | 'cut_signature_invalid'
  /** Cuts are missing, replayed or reordered, or one moves a chain's start backwards. */
  | 'cut_chain_broken'
  /** An archive segment does not end where its signed cut says, or archived an entry before its time. */
  | 'segment_mismatch';

/** Every problem verification can report, in the order of the type above. */
export const auditProblems = [
  'hash_mismatch',
  'chain_broken',
  'sequence_gap',
  'entry_inserted',
  'entry_beyond_head',
  'checkpoint_signature_invalid',
  'checkpoint_mismatch',
  'checkpoint_missing',
  'checkpoint_replayed',
  'checkpoint_chain_broken',
  'unsigned_span',
  'truncated_after_checkpoint',
  'tail_missing',
  'witness_checkpoint_missing',
  'witness_mismatch',
  'malformed',
  'cut_signature_invalid',
  'cut_chain_broken',
  'segment_mismatch',
] as const satisfies readonly AuditProblem[];

type Counts = {
  entries: number;
  checkpoints: number;
  lastSeq: number;
  lastCheckpointSeq: number | null;
};

export type AuditVerifyReport =
  | ({ ok: true; unsignedEntries: number; fromCut?: { cutSeq: number; hash: string } } & Counts)
  | ({ ok: false; problem: AuditProblem; seq: number; checkpoint?: number; message: string } & Counts);

/** A chain's last entry, as its head row records it. */
export type ChainHead = { chain: number; seq: number; chainSeq: number };

/** How often checkpoints are due: every `every` entries of a chain, and `intervalMs` after the last. */
export type CheckpointPolicy = { every: number; intervalMs: number };

/**
 * How long an unsigned span may be. A checkpoint is signed after an append reaches a multiple of `every`
 * in its chain; appends to the chain while it waits for the chains' locks, and a batch crossing the
 * multiple, can stretch a span, never to three times `every`. The scheduled job signs within a minute
 * of the interval passing: an unsigned entry older than the interval and this slack means checkpointing
 * stopped or checkpoints were removed.
 */
export const unsignedSpanFactor = 3;
export const unsignedTailSlackMs = 2 * 60_000;

export type AuditVerifyOptions = {
  /** Trusted public keys by key id. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /**
   * Where the writer says each chain ends (the database heads); a chain found shorter is `tail_missing`,
   * one found longer `entry_beyond_head`. With `allHeads`, a chain not among them has no entries.
   */
  expectedHeads?: readonly ChainHead[];
  allHeads?: boolean;
  /** The policy the tail is held to until a chained checkpoint states the one it was signed under. */
  policy?: CheckpointPolicy;
  /** When the log was read: unsigned entries older than the policy allows are `unsigned_span`. */
  now?: Date;
  /** Checkpoints kept outside the database: each must be in the log, identical, and match its entries. */
  witnessed?: readonly AuditCheckpoint[];
  /**
   * Where each chain starts when the log was pruned: the heads of the last (signed) cut. Each chain then
   * continues from its cut head, and checkpoints are held only to the part of each chain after the cut.
   */
  start?: { heads: readonly CheckpointHead[] };
  onProgress?: (entriesChecked: number) => void;
};

type Failure = { problem: AuditProblem; seq: number; checkpoint?: number; message: string };

/** What the verifier keeps of each chain: its position, and its last two hashes with the last number. */
type ChainState = {
  chainSeq: number;
  lastSeq: number;
  lastHex: string;
  beforeLastHex: string | null;
  /** The position of the chain's last entry a checkpoint vouches for. */
  signedChainSeq: number;
  /** The first entry after it: its number and time, while there is one. */
  firstUnsigned: { seq: number; at: string } | null;
};

/** A checkpoint waiting for the log to pass the entry it covers; `witnessed` when only a witness had it. */
type Pending = { checkpoint: AuditCheckpoint; witnessed: boolean };

/** The same checkpoint, field by field (a log item carries `kind` besides). */
function sameCheckpoint(a: AuditCheckpoint, b: AuditCheckpoint): boolean {
  const fields = ({ kind: _kind, ...checkpoint }: AuditCheckpoint & { kind?: string }) =>
    canonicalJson(checkpoint);
  return fields(a) === fields(b);
}

/** The verifier as a state machine fed one item at a time; `verifyAuditLog` drives it over a stream. */
export function createAuditVerifier(options: AuditVerifyOptions) {
  const counts: Counts = { entries: 0, checkpoints: 0, lastSeq: 0, lastCheckpointSeq: null };
  const chains = new Map<number, ChainState>();
  const expected = options.expectedHeads
    ? new Map(options.expectedHeads.map((head) => [head.chain, head]))
    : undefined;
  let lastEntryHex = genesisHashHex;
  let lastEntryChain: ChainState | null = null;
  let previousCheckpointSeq = 0;
  /** The last chained checkpoint read from the log (its number and hash continue the chain)... */
  let lastChained: ChainedCheckpoint | null = null;
  /** ...and the last one found to match the entries: its policy bounds unsigned spans from then on. */
  let lastSettled: ChainedCheckpoint | null = null;
  const witnessed = new Map<number, AuditCheckpoint>();
  const ahead: Pending[] = [];
  const startHeads = options.start?.heads ?? [];
  const cutHeads = new Map(startHeads.map((head) => [head.chain, head]));
  const lastPrunedSeq = Math.max(0, ...startHeads.map((head) => head.seq));
  for (const head of startHeads) {
    chains.set(head.chain, {
      chainSeq: head.chainSeq,
      lastSeq: head.seq,
      lastHex: head.hash,
      beforeLastHex: null,
      signedChainSeq: head.chainSeq,
      firstUnsigned: null,
    });
  }
  /** Where a chain starts: its cut head's position, 0 when it was never pruned. */
  const cutPosition = (chain: number) => cutHeads.get(chain)?.chainSeq ?? 0;

  function queue(pending: Pending) {
    const at = ahead.findIndex((other) => other.checkpoint.seq > pending.checkpoint.seq);
    ahead.splice(at === -1 ? ahead.length : at, 0, pending);
  }

  for (const checkpoint of options.witnessed ?? []) {
    if (!isChained(checkpoint)) continue;
    witnessed.set(checkpoint.checkpointSeq, checkpoint);
    queue({ checkpoint, witnessed: true });
  }

  function chainBroken(entry: AuditEntryRecord, state: ChainState): Failure {
    if (state.beforeLastHex !== null && entry.prevHash === state.beforeLastHex) {
      return {
        problem: 'entry_inserted',
        seq: state.lastSeq,
        message: `Entry ${state.lastSeq} was inserted: entry ${entry.seq} was written right after the entry before it in chain ${entry.chain}.`,
      };
    }
    if (entry.chainSeq > state.chainSeq + 1) {
      const missing = entry.chainSeq - state.chainSeq - 1;
      return {
        problem: 'sequence_gap',
        seq: entry.seq,
        message: `Chain ${entry.chain} is missing ${missing === 1 ? 'an entry' : `${missing} entries`} before entry ${entry.seq} (position ${state.chainSeq + 1}${missing === 1 ? '' : ` to ${entry.chainSeq - 1}`}): they were removed.`,
      };
    }
    return {
      problem: 'chain_broken',
      seq: entry.seq,
      message: `Entry ${entry.seq} does not follow the entry before it in chain ${entry.chain} (entry ${state.lastSeq}): an entry was removed, inserted or moved here, or that entry was rewritten.`,
    };
  }

  function markSigned(state: ChainState) {
    state.signedChainSeq = state.chainSeq;
    state.firstUnsigned = null;
  }

  /** An old-format checkpoint: the last entry read is the one it names, with the hash it names. */
  function settleSingle(checkpoint: AuditCheckpoint): Failure | undefined {
    if (checkpoint.hash !== lastEntryHex) {
      return {
        problem: 'checkpoint_mismatch',
        seq: checkpoint.seq,
        message: `The checkpoint signed at ${checkpoint.at} vouches for another hash of entry ${checkpoint.seq}: entries up to it (after ${previousCheckpointSeq}) were rewritten and rehashed after it was signed.`,
      };
    }
    previousCheckpointSeq = checkpoint.seq;
    counts.lastCheckpointSeq = checkpoint.seq;
    if (lastEntryChain) markSigned(lastEntryChain);
    return undefined;
  }

  /** Where the entries read so far (exactly those numbered up to its `seq`) differ from its heads. */
  function headsDiffer(checkpoint: ChainedCheckpoint): { head: CheckpointHead; reached: number } | undefined {
    const named = new Set<number>();
    for (const head of checkpoint.heads) {
      named.add(head.chain);
      const state = chains.get(head.chain);
      // A head the pruning archived: the chain must not have gone past its cut yet at this checkpoint.
      if (head.chainSeq <= cutPosition(head.chain)) {
        if (state?.chainSeq === cutPosition(head.chain)) continue;
        return { head, reached: state?.chainSeq ?? 0 };
      }
      if (
        !state ||
        state.chainSeq !== head.chainSeq ||
        state.lastHex !== head.hash ||
        state.lastSeq !== head.seq
      ) {
        return { head, reached: state?.chainSeq ?? 0 };
      }
    }
    for (const [chain, state] of chains) {
      if (!named.has(chain) && state.chainSeq > cutPosition(chain)) {
        return {
          head: { chain, chainSeq: 0, seq: state.lastSeq, hash: genesisHashHex },
          reached: state.chainSeq,
        };
      }
    }
    return undefined;
  }

  /** A chained checkpoint, once every entry it covers has been read: the chains end where it says. */
  function settleChained(pending: Pending, atEnd: boolean): Failure | undefined {
    const checkpoint = pending.checkpoint as ChainedCheckpoint;
    const differ = headsDiffer(checkpoint);
    const number = checkpoint.checkpointSeq;
    if (differ) {
      const { head, reached } = differ;
      const where = `chain ${head.chain} at position ${head.chainSeq} (entry ${head.seq})`;
      if (pending.witnessed) {
        return {
          problem: 'witness_mismatch',
          seq: head.seq,
          checkpoint: number,
          message: `Witnessed checkpoint ${number} (signed at ${checkpoint.at}) ends ${where}, but the log reaches position ${reached} there with other hashes: entries it covers were rewritten or removed after it was witnessed.`,
        };
      }
      if (atEnd && reached < head.chainSeq) {
        return {
          problem: 'truncated_after_checkpoint',
          seq: head.seq,
          checkpoint: number,
          message: `Checkpoint ${number} (signed at ${checkpoint.at}) vouches for ${where}, but the log ends at position ${reached} of that chain: entries were cut off.`,
        };
      }
      return {
        problem: 'checkpoint_mismatch',
        seq: head.seq,
        checkpoint: number,
        message: `Checkpoint ${number} (signed at ${checkpoint.at}) vouches for ${where}, but the log has other entries or hashes up to there: the chain was rewritten and rehashed after it was signed.`,
      };
    }
    if (pending.witnessed) {
      return {
        problem: 'witness_checkpoint_missing',
        seq: checkpoint.seq,
        checkpoint: number,
        message: `Checkpoint ${number} (signed at ${checkpoint.at}, covering entries up to ${checkpoint.seq}) was witnessed but is not in the log: it was deleted.`,
      };
    }
    for (const state of chains.values()) markSigned(state);
    lastSettled = checkpoint;
    previousCheckpointSeq = checkpoint.seq;
    counts.lastCheckpointSeq = checkpoint.seq;
    return undefined;
  }

  function settle(pending: Pending, atEnd = false): Failure | undefined {
    return isChained(pending.checkpoint) ? settleChained(pending, atEnd) : settleSingle(pending.checkpoint);
  }

  /** Settles the chained checkpoints whose entries have all been read, before an entry after them. */
  function settlePassed(seq: number): Failure | undefined {
    while (ahead.length > 0) {
      const next = ahead[0] as Pending;
      if (next.checkpoint.seq >= seq || !isChained(next.checkpoint)) return undefined;
      ahead.shift();
      const failure = settle(next);
      if (failure) return failure;
    }
    return undefined;
  }

  function spanTooLong(state: ChainState, chain: number, policy: CheckpointPolicy): Failure | undefined {
    const first = state.firstUnsigned;
    if (!first) return undefined;
    const unsigned = state.chainSeq - state.signedChainSeq;
    const limit = unsignedSpanFactor * policy.every;
    const tooMany = unsigned > limit;
    const oldest = new Date(first.at).getTime();
    const tooOld =
      options.now !== undefined && options.now.getTime() - oldest > policy.intervalMs + unsignedTailSlackMs;
    if (!tooMany && !tooOld) return undefined;
    return {
      problem: 'unsigned_span',
      seq: first.seq,
      message: tooMany
        ? `Chain ${chain} has ${unsigned} entries from entry ${first.seq} on (positions ${state.signedChainSeq + 1} to ${state.chainSeq}) that no checkpoint covers, more than the ${limit} a checkpoint every ${policy.every} entries allows: checkpoints were deleted, or checkpointing stopped.`
        : `Entry ${first.seq} (chain ${chain}, written at ${first.at}) is covered by no checkpoint, though one is due within ${Math.round(policy.intervalMs / 1000)} s: checkpoints were deleted, or checkpointing stopped.`,
    };
  }

  function entry(item: AuditEntryRecord): Failure | undefined {
    if (item.seq <= counts.lastSeq) {
      return {
        problem: 'chain_broken',
        seq: item.seq,
        message: `Entry ${item.seq} appears again or out of order, after entry ${counts.lastSeq}.`,
      };
    }
    const passed = settlePassed(item.seq);
    if (passed) return passed;
    const head = expected?.get(item.chain);
    if (expected && (head || options.allHeads) && item.chainSeq > (head?.chainSeq ?? 0)) {
      return {
        problem: 'entry_beyond_head',
        seq: item.seq,
        message: `Entry ${item.seq} is at position ${item.chainSeq} of chain ${item.chain}, beyond the chain's head (position ${head?.chainSeq ?? 0}): it was written into the table around Custos, not appended.`,
      };
    }
    let state = chains.get(item.chain);
    if (!state) {
      state = {
        chainSeq: 0,
        lastSeq: 0,
        lastHex: genesisHashHex,
        beforeLastHex: null,
        signedChainSeq: 0,
        firstUnsigned: null,
      };
      chains.set(item.chain, state);
    }
    if (item.prevHash !== state.lastHex) return chainBroken(item, state);
    if (item.chainSeq !== state.chainSeq + 1) {
      return {
        problem: 'chain_broken',
        seq: item.seq,
        message: `Entry ${item.seq} follows position ${state.chainSeq} of chain ${item.chain} but is numbered position ${item.chainSeq}: positions were rewritten.`,
      };
    }
    if (chainHash(state.lastHex, canonicalEntry(item)) !== item.hash) {
      return {
        problem: 'hash_mismatch',
        seq: item.seq,
        message: `Entry ${item.seq}'s content does not match its hash: it was changed after it was written.`,
      };
    }
    state.beforeLastHex = state.lastHex;
    state.lastHex = item.hash;
    state.lastSeq = item.seq;
    state.chainSeq = item.chainSeq;
    state.firstUnsigned ??= { seq: item.seq, at: item.at };
    lastEntryHex = item.hash;
    lastEntryChain = state;
    counts.lastSeq = item.seq;
    counts.entries += 1;
    while (
      ahead.length > 0 &&
      (ahead[0] as Pending).checkpoint.seq === item.seq &&
      !isChained((ahead[0] as Pending).checkpoint)
    ) {
      const failure = settle(ahead.shift() as Pending);
      if (failure) return failure;
    }
    // Spans are held to a policy only from the first chained checkpoint on: older logs were signed
    // under policies nobody signed.
    if (lastSettled) {
      const span = spanTooLong(state, item.chain, { ...lastSettled, intervalMs: Number.POSITIVE_INFINITY });
      if (span) return span;
    }
    return undefined;
  }

  /** A chained checkpoint read from the log: the next number, linked to the one before. */
  function continuesChain(item: ChainedCheckpoint): Failure | undefined {
    const number = item.checkpointSeq;
    const last = lastChained;
    const want = last ? last.checkpointSeq + 1 : 1;
    const fromWitness = witnessed.get(number);
    if (fromWitness) {
      if (!sameCheckpoint(fromWitness, item)) {
        return {
          problem: 'witness_mismatch',
          seq: item.seq,
          checkpoint: number,
          message: `Checkpoint ${number} in the log differs from the copy a witness holds: it was replaced.`,
        };
      }
      const index = ahead.findIndex((pending) => pending.witnessed && pending.checkpoint === fromWitness);
      if (index !== -1) ahead.splice(index, 1);
    }
    if (number < want) {
      return {
        problem: 'checkpoint_replayed',
        seq: item.seq,
        checkpoint: number,
        message: `Checkpoint ${number} (covering entries up to ${item.seq}) appears after checkpoint ${want - 1}: an older checkpoint was re-inserted or the checkpoints were reordered.`,
      };
    }
    if (number > want) {
      return {
        problem: 'checkpoint_missing',
        seq: item.seq,
        checkpoint: want,
        message: `Checkpoint${number - want === 1 ? ` ${want} is` : `s ${want} to ${number - 1} are`} missing${last ? ` between checkpoint ${last.checkpointSeq} (entry ${last.seq})` : ' before the first one found'} and checkpoint ${number} (entry ${item.seq}): they were deleted.`,
      };
    }
    if (item.prevHash !== (last?.hash ?? genesisHashHex)) {
      return {
        problem: 'checkpoint_chain_broken',
        seq: item.seq,
        checkpoint: number,
        message: `Checkpoint ${number} does not link to checkpoint ${want - 1}: the checkpoints were tampered with.`,
      };
    }
    lastChained = item;
    return undefined;
  }

  function checkpoint(item: AuditCheckpoint): Failure | undefined {
    const key = options.publicKeys.get(item.keyId);
    if (!key || !checkpointSignatureValid(item, key)) {
      return {
        problem: 'checkpoint_signature_invalid',
        seq: item.seq,
        ...(isChained(item) ? { checkpoint: item.checkpointSeq } : {}),
        message: key
          ? `The checkpoint for entry ${item.seq} has an invalid signature: it was forged or altered.`
          : `The checkpoint for entry ${item.seq} is signed with key ${item.keyId}, which is not among the trusted public keys.`,
      };
    }
    counts.checkpoints += 1;
    // An old-format checkpoint names a single entry; when pruning archived it, the cut vouches for it.
    if (!isChained(item) && item.seq <= lastPrunedSeq && item.seq !== counts.lastSeq) return undefined;
    if (isChained(item)) {
      const broken = continuesChain(item);
      if (broken) return broken;
    }
    if (item.seq === counts.lastSeq) return settle({ checkpoint: item, witnessed: false });
    if (item.seq < counts.lastSeq) {
      return {
        problem: 'checkpoint_mismatch',
        seq: item.seq,
        ...(isChained(item) ? { checkpoint: item.checkpointSeq } : {}),
        message: `The checkpoint for entry ${item.seq} comes after entry ${counts.lastSeq}; each checkpoint must follow its entry.`,
      };
    }
    queue({ checkpoint: item, witnessed: false });
    return undefined;
  }

  /** The first chain that ends before its head says it does. */
  function shortChain(): Failure | undefined {
    for (const head of options.expectedHeads ?? []) {
      const state = chains.get(head.chain);
      const reached = state?.chainSeq ?? 0;
      if (reached < head.chainSeq) {
        return {
          problem: 'tail_missing',
          seq: head.seq,
          message: `Chain ${head.chain} ends at position ${reached}${state ? ` (entry ${state.lastSeq})` : ''}, but ${head.chainSeq} entries were written to it, the last as entry ${head.seq}: the entries after it were removed.`,
        };
      }
    }
    return undefined;
  }

  /** The first chain whose unsigned tail is longer, or older, than the policy allows. */
  function unsignedTail(): Failure | undefined {
    const policy = lastSettled ?? options.policy;
    if (!policy) return undefined;
    for (const [chain, state] of chains) {
      const span = spanTooLong(state, chain, policy);
      if (span) return span;
    }
    return undefined;
  }

  function finish(failure?: Failure): AuditVerifyReport {
    if (failure) return { ok: false, ...failure, ...counts };
    while (ahead.length > 0) {
      const pending = ahead.shift() as Pending;
      if (isChained(pending.checkpoint)) {
        const settled = settle(pending, true);
        if (settled) return { ok: false, ...settled, ...counts };
        continue;
      }
      const cut = pending.checkpoint;
      return {
        ok: false,
        problem: 'truncated_after_checkpoint',
        seq: cut.seq,
        message: `The log has no entry ${cut.seq}, but a checkpoint signed at ${cut.at} vouches for it: entries were cut off.`,
        ...counts,
      };
    }
    const short = shortChain() ?? unsignedTail();
    if (short) return { ok: false, ...short, ...counts };
    return { ok: true, unsignedEntries: unsignedEntries(), ...counts };
  }

  /** Entries no checkpoint vouches for yet: those after each chain's last checkpointed entry. */
  function unsignedEntries(): number {
    let unsigned = 0;
    for (const state of chains.values()) unsigned += state.chainSeq - state.signedChainSeq;
    return unsigned;
  }

  function add(item: AuditLogItem): Failure | undefined {
    if (item.kind === 'entry') return entry(item);
    if (item.kind === 'checkpoint') return checkpoint(item);
    return {
      problem: 'malformed',
      seq: counts.lastSeq + 1,
      message: `Line ${item.line} is not an audit entry or checkpoint: ${item.reason}.`,
    };
  }

  /** Where each chain stands: position, number and hash of the last entry read (or its cut head). */
  function heads(): CheckpointHead[] {
    return [...chains].map(([chain, state]) => ({
      chain,
      chainSeq: state.chainSeq,
      seq: state.lastSeq,
      hash: state.lastHex,
    }));
  }

  return {
    add,
    finish,
    heads,
    get entriesChecked() {
      return counts.entries;
    },
  };
}

/**
 * Verifies a whole log: every entry's hash, every link, the numbering, and every checkpoint's signature
 * and hash. Stops at the first problem and says which sequence number and what is wrong.
 */
export async function verifyAuditLog(
  items:
    | AsyncIterable<AuditLogItem | readonly AuditLogItem[]>
    | Iterable<AuditLogItem | readonly AuditLogItem[]>,
  options: AuditVerifyOptions,
): Promise<AuditVerifyReport> {
  const verifier = createAuditVerifier(options);
  for await (const batch of items) {
    const list = (Array.isArray(batch) ? batch : [batch]) as readonly AuditLogItem[];
    for (const item of list) {
      const failure = verifier.add(item);
      if (failure) return verifier.finish(failure);
    }
    options.onProgress?.(verifier.entriesChecked);
  }
  return verifier.finish();
}
