import type { KeyObject } from 'node:crypto';
import {
  type AuditCheckpoint,
  type AuditEntryRecord,
  canonicalEntry,
  chainHash,
  genesisHashHex,
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
  /** A checkpoint's signature is invalid or made with a key that is not trusted. */
  | 'checkpoint_signature_invalid'
  /** A validly signed checkpoint names another hash: the chain was rewritten up to it. */
  | 'checkpoint_mismatch'
  /** A signed checkpoint vouches for entries the log no longer has. */
  | 'truncated_after_checkpoint'
  /** A chain's head row says more entries were written to it than the log holds. */
  | 'tail_missing'
  /** A line of an export file is not an entry or a checkpoint. */
  | 'malformed';

type Counts = {
  entries: number;
  checkpoints: number;
  lastSeq: number;
  lastCheckpointSeq: number | null;
};

export type AuditVerifyReport =
  | ({ ok: true; unsignedEntries: number } & Counts)
  | ({ ok: false; problem: AuditProblem; seq: number; message: string } & Counts);

/** A chain's last entry, as its head row records it. */
export type ChainHead = { chain: number; seq: number; chainSeq: number };

export type AuditVerifyOptions = {
  /** Trusted public keys by key id. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** Where the writer says each chain ends (the database heads); a chain found shorter is `tail_missing`. */
  expectedHeads?: readonly ChainHead[];
  onProgress?: (entriesChecked: number) => void;
};

type Failure = { problem: AuditProblem; seq: number; message: string };

/** What the verifier keeps of each chain: its position, and its last two hashes with the last number. */
type ChainState = {
  chainSeq: number;
  lastSeq: number;
  lastHex: string;
  beforeLastHex: string | null;
  /** The position of the chain's last entry a checkpoint vouches for. */
  signedChainSeq: number;
};

/** The verifier as a state machine fed one item at a time; `verifyAuditLog` drives it over a stream. */
export function createAuditVerifier(options: AuditVerifyOptions) {
  const counts: Counts = { entries: 0, checkpoints: 0, lastSeq: 0, lastCheckpointSeq: null };
  const chains = new Map<number, ChainState>();
  let lastEntryHex = genesisHashHex;
  let lastEntryChain: ChainState | null = null;
  let previousCheckpointSeq = 0;
  const ahead: AuditCheckpoint[] = [];

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

  function settleCheckpoint(checkpoint: AuditCheckpoint): Failure | undefined {
    if (checkpoint.hash !== lastEntryHex) {
      return {
        problem: 'checkpoint_mismatch',
        seq: checkpoint.seq,
        message: `The checkpoint signed at ${checkpoint.at} vouches for another hash of entry ${checkpoint.seq}: entries up to it (after ${previousCheckpointSeq}) were rewritten and rehashed after it was signed.`,
      };
    }
    previousCheckpointSeq = checkpoint.seq;
    counts.lastCheckpointSeq = checkpoint.seq;
    if (lastEntryChain) lastEntryChain.signedChainSeq = lastEntryChain.chainSeq;
    return undefined;
  }

  function entry(item: AuditEntryRecord): Failure | undefined {
    if (item.seq <= counts.lastSeq) {
      return {
        problem: 'chain_broken',
        seq: item.seq,
        message: `Entry ${item.seq} appears again or out of order, after entry ${counts.lastSeq}.`,
      };
    }
    let state = chains.get(item.chain);
    if (!state) {
      state = { chainSeq: 0, lastSeq: 0, lastHex: genesisHashHex, beforeLastHex: null, signedChainSeq: 0 };
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
    lastEntryHex = item.hash;
    lastEntryChain = state;
    counts.lastSeq = item.seq;
    counts.entries += 1;
    while (ahead.length > 0 && (ahead[0] as AuditCheckpoint).seq === item.seq) {
      const failure = settleCheckpoint(ahead.shift() as AuditCheckpoint);
      if (failure) return failure;
    }
    return undefined;
  }

  function checkpoint(item: AuditCheckpoint): Failure | undefined {
    const key = options.publicKeys.get(item.keyId);
    if (!key || !checkpointSignatureValid(item, key)) {
      return {
        problem: 'checkpoint_signature_invalid',
        seq: item.seq,
        message: key
          ? `The checkpoint for entry ${item.seq} has an invalid signature: it was forged or altered.`
          : `The checkpoint for entry ${item.seq} is signed with key ${item.keyId}, which is not among the trusted public keys.`,
      };
    }
    counts.checkpoints += 1;
    if (item.seq === counts.lastSeq) return settleCheckpoint(item);
    if (item.seq < counts.lastSeq) {
      return {
        problem: 'checkpoint_mismatch',
        seq: item.seq,
        message: `The checkpoint for entry ${item.seq} comes after entry ${counts.lastSeq}; each checkpoint must follow its entry.`,
      };
    }
    const at = ahead.findIndex((pending) => pending.seq > item.seq);
    ahead.splice(at === -1 ? ahead.length : at, 0, item);
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

  function finish(failure?: Failure): AuditVerifyReport {
    if (failure) return { ok: false, ...failure, ...counts };
    const cut = ahead[0];
    if (cut) {
      return {
        ok: false,
        problem: 'truncated_after_checkpoint',
        seq: cut.seq,
        message: `The log has no entry ${cut.seq}, but a checkpoint signed at ${cut.at} vouches for it: entries were cut off.`,
        ...counts,
      };
    }
    const short = shortChain();
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

  return {
    add,
    finish,
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
