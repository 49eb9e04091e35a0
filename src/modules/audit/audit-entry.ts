import { hash } from 'node:crypto';
import { canonicalJson, quoteJson, quoteWord } from '../../lib/canonical-json.js';
import type { Actor, AuditOutcome } from './audit-types.js';

/**
 * An audit entry as stored, exported and verified. The log is several hash chains; an entry links into
 * one of them. Everything but `chain`, `chainSeq`, `prevHash` and `hash` is the entry's content;
 * `hash` = SHA-256 of the UTF-8 text `prevHash + canonicalJson(content)`, and `prevHash` is the hash of
 * the entry before it in its chain (64 zeros for a chain's first). Hashes are 64 lowercase hex digits.
 * `chain` and `chainSeq` are not hashed: the links fix each entry's place, and they only name it.
 */
export type AuditEntryRecord = {
  /** The global number: increasing in the order entries were appended, with gaps where appends rolled back. */
  seq: number;
  chain: number;
  /** Position in the chain: 1, 2, 3, … without gaps. */
  chainSeq: number;
  /** ISO-8601 UTC with milliseconds, e.g. `2025-01-31T09:00:00.000Z`. */
  at: string;
  actor: { type: Actor['type']; id: string | null };
  action: string;
  target: { type: string; id: string } | null;
  purpose: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  /** HMAC of the truncated client address (see client-ip.ts), never the address. */
  ipHash: string | null;
  details: Record<string, unknown>;
  prevHash: string;
  hash: string;
};

/** What an entry's hash covers. */
export type AuditEntryContent = Omit<AuditEntryRecord, 'chain' | 'chainSeq' | 'prevHash' | 'hash'>;

/** Where an entry sits: its chain and position there. */
export type ChainPosition = { chain: number; chainSeq: number };

/** A chain's last entry as a checkpoint signs it. */
export type CheckpointHead = { chain: number; chainSeq: number; seq: number; hash: string };

/**
 * A signed checkpoint. The old format (before migration 0022, no `checkpointSeq`) says "entry `seq` has
 * hash `hash`". The chained format says "checkpoint number `checkpointSeq`, following the checkpoint
 * whose hash is `prevHash`, covers exactly the entries numbered up to `seq`, and each chain ends at
 * `heads`; checkpoints are due every `every` entries of a chain or `intervalMs`": its `hash` is the
 * SHA-256 of that signed statement, which the next checkpoint links to.
 */
export type AuditCheckpoint = {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  /** Ed25519 signature over checkpointPayload(), base64url. */
  signature: string;
  checkpointSeq?: number;
  prevHash?: string;
  heads?: CheckpointHead[];
  every?: number;
  intervalMs?: number;
};

/** A checkpoint of the chained format, every field present. */
export type ChainedCheckpoint = Required<AuditCheckpoint>;

export function isChained(checkpoint: AuditCheckpoint): checkpoint is ChainedCheckpoint {
  return checkpoint.checkpointSeq !== undefined;
}

export const genesisHashHex = '0'.repeat(64);

const quote = quoteJson;
const quoteOrNull = (value: string | null) => (value === null ? 'null' : quoteJson(value));

/**
 * The canonical JSON of an entry's content split around the sequence number: `before + seq + after`.
 * The database computes the hash of a new entry while it assigns the number (one statement per append),
 * so it needs the text on both sides of it. Equal to canonicalJson(content), which a unit test checks;
 * written out by hand because verification runs it for every entry.
 */
export function canonicalEntryParts(content: Omit<AuditEntryContent, 'seq'>): {
  before: string;
  after: string;
} {
  return { before: canonicalBeforeSeq(content), after: canonicalAfterSeq(content) };
}

function canonicalBeforeSeq(content: Omit<AuditEntryContent, 'seq'>): string {
  const { actor } = content;
  // One template with the quotes written in: fewer pieces to join than quoting field by field, which
  // matters because verification runs this for every entry. Strings that need escaping take quoteJson.
  return `{"action":${quoteWord(content.action)},"actor":{"id":${quoteOrNull(actor.id)},"type":${quoteWord(actor.type)}},"at":${quote(content.at)},"details":${canonicalJson(content.details)},"ipHash":${quoteOrNull(content.ipHash)},"outcome":${quoteWord(content.outcome)},"purpose":${content.purpose === null ? 'null' : quoteWord(content.purpose)},"requestId":${quoteOrNull(content.requestId)},"seq":`;
}

function canonicalAfterSeq(content: Omit<AuditEntryContent, 'seq'>): string {
  const { target } = content;
  return target
    ? `,"target":{"id":${quote(target.id)},"type":${quoteWord(target.type)}}}`
    : ',"target":null}';
}

export function canonicalEntry(content: AuditEntryContent): string {
  return canonicalBeforeSeq(content) + content.seq + canonicalAfterSeq(content);
}

/**
 * The link every entry adds to the chain: SHA-256 over the UTF-8 text `prevHash + canonical`, the
 * previous hash as 64 lowercase hex digits followed by the entry's canonical JSON, as hex. Text in, text
 * out: anyone can recompute it in one line in any language, and it is the fastest form in Node, which
 * matters because verification of a long log spends most of its time here.
 */
export function chainHash(prevHashHex: string, canonical: string): string {
  return hash('sha256', prevHashHex + canonical, 'hex');
}

/** The statement a chained checkpoint signs (everything but its own hash and signature). */
export type ChainedStatement = Omit<ChainedCheckpoint, 'hash' | 'signature'>;

function chainedPayload(statement: ChainedStatement): Buffer {
  return Buffer.from(
    canonicalJson({
      at: statement.at,
      checkpointSeq: statement.checkpointSeq,
      every: statement.every,
      heads: statement.heads.map(({ chain, chainSeq, seq, hash }) => ({ chain, chainSeq, hash, seq })),
      intervalMs: statement.intervalMs,
      keyId: statement.keyId,
      prevHash: statement.prevHash,
      seq: statement.seq,
      version: 2,
    }),
    'utf8',
  );
}

/** A chained checkpoint's own hash: SHA-256 of the statement it signs, hex. The next one links to it. */
export function chainedCheckpointHash(statement: ChainedStatement): string {
  return hash('sha256', chainedPayload(statement), 'hex');
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointPayload(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  if (isChained(checkpoint as AuditCheckpoint)) return chainedPayload(checkpoint as ChainedStatement);
  return Buffer.from(
    canonicalJson({ at: checkpoint.at, hash: checkpoint.hash, keyId: checkpoint.keyId, seq: checkpoint.seq }),
    'utf8',
  );
}

/**
 * Links `content` after the entry whose hash is `previousHash` (hex): the record the log would hold. The
 * position defaults to chain 0 at the entry's number, as in a log with one chain.
 */
export function sealEntry(
  previousHash: string,
  content: AuditEntryContent,
  position: ChainPosition = { chain: 0, chainSeq: content.seq },
): AuditEntryRecord {
  const digest = chainHash(previousHash, canonicalEntry(content));
  const { seq, at, actor, action, target, purpose, outcome, requestId, ipHash, details } = content;
  return {
    seq,
    chain: position.chain,
    chainSeq: position.chainSeq,
    at,
    actor,
    action,
    target,
    purpose,
    outcome,
    requestId,
    ipHash,
    details,
    prevHash: previousHash,
    hash: digest,
  };
}
