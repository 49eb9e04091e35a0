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
 * the last two hashes and the checkpoints not yet reached, so memory stays flat however long the log.
 *
 * Items must come in sequence order with each checkpoint after the entry it vouches for (the database
 * reader and the NDJSON export both produce that order).
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
  /** A sequence number is missing. */
  | 'sequence_gap'
  /** An entry was slipped in and the entries after it renumbered. */
  | 'entry_inserted'
  /** A checkpoint's signature is invalid or made with a key that is not trusted. */
  | 'checkpoint_signature_invalid'
  /** A validly signed checkpoint names another hash: the chain was rewritten up to it. */
  | 'checkpoint_mismatch'
  /** A signed checkpoint vouches for entries the log no longer has. */
  | 'truncated_after_checkpoint'
  /** The database head says more entries were written than the log holds. */
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

export type AuditVerifyOptions = {
  /** Trusted public keys by key id. */
  publicKeys: ReadonlyMap<string, KeyObject>;
  /** How many entries the writer says it wrote (the database head); more than found is `tail_missing`. */
  expectedLastSeq?: number;
  onProgress?: (entriesChecked: number) => void;
};

type Failure = { problem: AuditProblem; seq: number; message: string };

function hashHex(prevHashHex: string, entry: AuditEntryRecord, seq: number): string {
  return chainHash(prevHashHex, canonicalEntry({ ...entry, seq }));
}

/** The verifier as a state machine fed one item at a time; `verifyAuditLog` drives it over a stream. */
export function createAuditVerifier(options: AuditVerifyOptions) {
  const counts: Counts = { entries: 0, checkpoints: 0, lastSeq: 0, lastCheckpointSeq: null };
  let previousHex = genesisHashHex;
  let beforePreviousHex: string | null = null;
  let previousCheckpointSeq = 0;
  const ahead: AuditCheckpoint[] = [];

  function chainBroken(entry: AuditEntryRecord): Failure {
    const n = entry.seq;
    if (beforePreviousHex !== null && entry.prevHash === beforePreviousHex && n > 1) {
      if (hashHex(entry.prevHash, entry, n - 1) === entry.hash) {
        return {
          problem: 'entry_inserted',
          seq: n - 1,
          message: `Entry ${n - 1} was inserted: the entry now numbered ${n} was written as ${n - 1}, right after entry ${n - 2}.`,
        };
      }
    }
    const renumbered = hashHex(entry.prevHash, entry, n + 1) === entry.hash;
    return {
      problem: 'chain_broken',
      seq: n,
      message: renumbered
        ? `Entry ${n} was written as entry ${n + 1}: an entry before it was removed and the rest renumbered, or entries were swapped.`
        : `Entry ${n} does not follow entry ${n - 1} (its previous-hash is not entry ${n - 1}'s hash): an entry was removed, inserted or moved here, or entry ${n - 1} was rewritten.`,
    };
  }

  function settleCheckpoint(checkpoint: AuditCheckpoint): Failure | undefined {
    if (checkpoint.hash !== previousHex) {
      return {
        problem: 'checkpoint_mismatch',
        seq: checkpoint.seq,
        message: `The checkpoint signed at ${checkpoint.at} vouches for another hash of entry ${checkpoint.seq}: entries ${previousCheckpointSeq + 1} to ${checkpoint.seq} were rewritten and rehashed after it was signed.`,
      };
    }
    previousCheckpointSeq = checkpoint.seq;
    counts.lastCheckpointSeq = checkpoint.seq;
    return undefined;
  }

  function entry(item: AuditEntryRecord): Failure | undefined {
    const expected = counts.lastSeq + 1;
    if (item.seq > expected) {
      return {
        problem: 'sequence_gap',
        seq: expected,
        message: `Entry ${expected} is missing${expected === item.seq - 1 ? '' : ` (and up to ${item.seq - 1})`}: the log goes from entry ${expected - 1} to entry ${item.seq}.`,
      };
    }
    if (item.seq < expected) {
      return {
        problem: 'chain_broken',
        seq: item.seq,
        message: `Entry ${item.seq} appears again or out of order, after entry ${counts.lastSeq}.`,
      };
    }
    if (item.prevHash !== previousHex) return chainBroken(item);
    if (chainHash(previousHex, canonicalEntry(item)) !== item.hash) {
      return {
        problem: 'hash_mismatch',
        seq: item.seq,
        message: `Entry ${item.seq}'s content does not match its hash: it was changed after it was written.`,
      };
    }
    beforePreviousHex = previousHex;
    previousHex = item.hash;
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

  function finish(failure?: Failure): AuditVerifyReport {
    if (failure) return { ok: false, ...failure, ...counts };
    const cut = ahead.at(-1);
    if (cut) {
      return {
        ok: false,
        problem: 'truncated_after_checkpoint',
        seq: counts.lastSeq + 1,
        message: `The log ends at entry ${counts.lastSeq}, but a checkpoint signed at ${cut.at} vouches for entry ${cut.seq}: entries from ${counts.lastSeq + 1} on were cut off.`,
        ...counts,
      };
    }
    if (options.expectedLastSeq !== undefined && options.expectedLastSeq > counts.lastSeq) {
      return {
        ok: false,
        problem: 'tail_missing',
        seq: counts.lastSeq + 1,
        message: `The log ends at entry ${counts.lastSeq}, but ${options.expectedLastSeq} entries were written: the entries after it were removed.`,
        ...counts,
      };
    }
    return { ok: true, unsignedEntries: counts.lastSeq - (counts.lastCheckpointSeq ?? 0), ...counts };
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
