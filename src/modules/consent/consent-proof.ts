import { createHmac } from 'node:crypto';

/** What a caller may send as proof of how and where a subject acted. */
export type ProofInput = {
  formId?: string | undefined;
  /** The subject's IP address and user agent: hashed at once, never stored or logged. */
  ip?: string | undefined;
  userAgent?: string | undefined;
};

export type ProofHashes = { ipHash: string | null; userAgentHash: string | null };

function keyedHash(key: Buffer, kind: string, value: string): string {
  return createHmac('sha256', key).update(kind).update('\u0000').update(value, 'utf8').digest('hex');
}

/**
 * Keyed hashes (HMAC-SHA256 under a key derived for consent proof only) of the subject's IP address and
 * user agent. Without the key they reveal nothing; with it, a claimed address can be checked against a
 * consent ("was it given from 203.0.113.7?"). The kind is hashed in, so equal strings of different
 * kinds never share a hash.
 */
export function proofHashes(key: Buffer, proof: ProofInput | undefined): ProofHashes {
  const ip = proof?.ip?.trim().toLowerCase();
  const userAgent = proof?.userAgent?.trim();
  return {
    ipHash: ip ? keyedHash(key, 'ip', ip) : null,
    userAgentHash: userAgent ? keyedHash(key, 'user_agent', userAgent) : null,
  };
}
