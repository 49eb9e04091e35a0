import { hash, type KeyObject, sign, verify } from 'node:crypto';
import { z } from 'zod';
import { canonicalJson } from '../../lib/canonical-json.js';
import type { CheckpointHead } from './audit-entry.js';
import type { AuditKeyRing } from './audit-keys.js';

/**
 * A signed cut of the audit log: "cut number `cutSeq`, following the cut whose hash is `prevHash`, made
 * at `at`: every chain now starts after `heads` (the position, number and hash of its last archived
 * entry); the `entries` archived by this cut were checked against chained checkpoint `checkpointSeq`
 * and were past the `retention` period of their class". Its `hash` is the SHA-256 of that statement, which
 * the next cut links to; the same statement ends the cut's archive segment file.
 */
export type AuditCut = {
  cutSeq: number;
  prevHash: string;
  at: string;
  keyId: string;
  heads: CheckpointHead[];
  checkpointSeq: number;
  entries: number;
  retention: Record<string, string>;
  hash: string;
  /** Ed25519 over the statement, base64url. */
  signature: string;
};

const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
/** A cut as a segment file or an export header carries it (the signature check catches a change). */
export const ZCut = z.object({
  cutSeq: z.number().int().positive(),
  prevHash: hex64,
  at: z.string(),
  keyId: z.string(),
  heads: z.array(
    z.object({
      chain: z.number().int().min(0),
      chainSeq: z.number().int().min(0),
      seq: z.number().int().min(0),
      hash: hex64,
    }),
  ),
  checkpointSeq: z.number().int().min(0),
  entries: z.number().int().min(0),
  retention: z.record(z.string(), z.string()),
  hash: hex64,
  signature: z.string(),
});
export type CutStatement = Omit<AuditCut, 'hash' | 'signature'>;

function cutPayload(statement: CutStatement): Buffer {
  return Buffer.from(
    canonicalJson({
      at: statement.at,
      checkpointSeq: statement.checkpointSeq,
      cutSeq: statement.cutSeq,
      entries: statement.entries,
      heads: [...statement.heads]
        .sort((a, b) => a.chain - b.chain)
        .map(({ chain, chainSeq, seq, hash }) => ({ chain, chainSeq, hash, seq })),
      keyId: statement.keyId,
      prevHash: statement.prevHash,
      retention: statement.retention,
      type: 'custos.audit.cut',
      version: 1,
    }),
    'utf8',
  );
}

export function cutHash(statement: CutStatement): string {
  return hash('sha256', cutPayload(statement), 'hex');
}

export function signCut(
  ring: Pick<AuditKeyRing, 'keyId' | 'privateKey'>,
  statement: Omit<CutStatement, 'keyId'>,
): AuditCut {
  const unsigned = { ...statement, keyId: ring.keyId };
  const signature = sign(null, cutPayload(unsigned), ring.privateKey).toString('base64url');
  return { ...unsigned, hash: cutHash(unsigned), signature };
}

/** Whether a trusted key signed this cut, and its hash is its statement's. */
export function cutSignatureValid(cut: AuditCut, keys: ReadonlyMap<string, KeyObject>): boolean {
  const key = keys.get(cut.keyId);
  if (!key || cut.hash !== cutHash(cut)) return false;
  try {
    return verify(null, cutPayload(cut), key, Buffer.from(cut.signature, 'base64url'));
  } catch {
    return false;
  }
}

/** The newest entry a cut archived, over all chains (0 for none). */
export function lastCutSeq(cut: Pick<AuditCut, 'heads'>): number {
  return Math.max(0, ...cut.heads.map((head) => head.seq));
}

export type CutProblem = {
  problem: 'cut_signature_invalid' | 'cut_chain_broken';
  cut: number;
  message: string;
};

/**
 * Checks the cuts of a log in order: each validly signed, numbered one after the other, linked to the one
 * before, and never moving a chain's start backwards. A deleted cut in the middle breaks the chain; a
 * deleted last cut leaves the entries it archived missing, which entry verification reports as a gap.
 */
export function checkCutChain(
  cuts: readonly AuditCut[],
  keys: ReadonlyMap<string, KeyObject>,
): CutProblem | undefined {
  let previous: AuditCut | undefined;
  for (const cut of cuts) {
    if (!cutSignatureValid(cut, keys)) {
      return {
        problem: 'cut_signature_invalid',
        cut: cut.cutSeq,
        message: `Cut ${cut.cutSeq} has an invalid signature, or one made with a key that is not trusted: it was forged or altered.`,
      };
    }
    const wantSeq = (previous?.cutSeq ?? 0) + 1;
    const wantHash = previous?.hash ?? '0'.repeat(64);
    const backwards = previous?.heads.find(
      (head) => (cut.heads.find((other) => other.chain === head.chain)?.chainSeq ?? 0) < head.chainSeq,
    );
    if (cut.cutSeq !== wantSeq || cut.prevHash !== wantHash || backwards) {
      return {
        problem: 'cut_chain_broken',
        cut: cut.cutSeq,
        message: `Cut ${cut.cutSeq} does not follow cut ${wantSeq - 1}: cuts were deleted, replayed or reordered.`,
      };
    }
    previous = cut;
  }
  return undefined;
}
