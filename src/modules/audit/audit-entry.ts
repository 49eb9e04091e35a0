import { createHash } from 'node:crypto';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { Actor, AuditOutcome } from './audit-types.js';

/**
 * An audit entry as stored, exported and verified. Everything but `prevHash` and `hash` is the entry's
 * content; `hash` = SHA-256(prevHash bytes || UTF-8 canonical JSON of the content), and `prevHash` is the
 * hash of the entry before (32 zero bytes for the first). Hashes are lowercase hex.
 */
export type AuditEntryRecord = {
  seq: number;
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

export type AuditEntryContent = Omit<AuditEntryRecord, 'prevHash' | 'hash'>;

/** A signed statement "entry `seq` has hash `hash`", made at `at` with the key `keyId`. */
export type AuditCheckpoint = {
  seq: number;
  hash: string;
  at: string;
  keyId: string;
  /** Ed25519 signature over checkpointPayload(), base64url. */
  signature: string;
};

export const genesisHash = Buffer.alloc(32);
export const genesisHashHex = genesisHash.toString('hex');

const quote = JSON.stringify;
const quoteOrNull = (value: string | null) => (value === null ? 'null' : JSON.stringify(value));

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
  const { actor, target } = content;
  const before =
    `{"action":${quote(content.action)},` +
    `"actor":{"id":${quoteOrNull(actor.id)},"type":${quote(actor.type)}},` +
    `"at":${quote(content.at)},` +
    `"details":${canonicalJson(content.details)},` +
    `"ipHash":${quoteOrNull(content.ipHash)},` +
    `"outcome":${quote(content.outcome)},` +
    `"purpose":${quoteOrNull(content.purpose)},` +
    `"requestId":${quoteOrNull(content.requestId)},` +
    `"seq":`;
  const after = `,"target":${target ? `{"id":${quote(target.id)},"type":${quote(target.type)}}` : 'null'}}`;
  return { before, after };
}

export function canonicalEntry(content: AuditEntryContent): string {
  const { before, after } = canonicalEntryParts(content);
  return `${before}${content.seq}${after}`;
}

/** SHA-256(prevHash || canonical), the link every entry adds to the chain. */
export function chainHash(prevHash: Buffer, canonical: string): Buffer {
  return createHash('sha256').update(prevHash).update(canonical, 'utf8').digest();
}

/** The content of a record (what its hash covers). */
export function contentOf(record: AuditEntryRecord): AuditEntryContent {
  const { prevHash: _prev, hash: _hash, ...content } = record;
  return content;
}

/** The exact bytes a checkpoint signature covers. */
export function checkpointPayload(checkpoint: Omit<AuditCheckpoint, 'signature'>): Buffer {
  return Buffer.from(
    canonicalJson({ at: checkpoint.at, hash: checkpoint.hash, keyId: checkpoint.keyId, seq: checkpoint.seq }),
    'utf8',
  );
}

/** Links `content` after the entry whose hash is `previousHash` (hex): the record the log would hold. */
export function sealEntry(previousHash: string, content: AuditEntryContent): AuditEntryRecord {
  const hash = chainHash(Buffer.from(previousHash, 'hex'), canonicalEntry(content)).toString('hex');
  return { ...content, prevHash: previousHash, hash };
}
