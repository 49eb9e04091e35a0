import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * One-time codes that prove a requester controls the contact e-mail address. A six-digit code has only a
 * million values, so a plain or salted hash could be reversed by trying them all; the digest is therefore
 * an HMAC under a server-side key (never stored in the database) over a fresh per-code salt, the request
 * id and the code. A stolen table row alone reveals nothing, and a digest cannot be replayed on another
 * request or code row.
 */
export const codeDigits = 6;
export const codeTtlMs = 15 * 60_000;
/** Wrong guesses before a code is burnt and a new one must be sent. */
export const maxCodeAttempts = 5;
/** Codes one request may be sent in a rolling day (limits mail bombing through a request). */
export const maxCodesPerDay = 5;

const saltBytes = 16;

export type CodeRandom = { code(): string; salt(): Buffer };

export const systemCodeRandom: CodeRandom = {
  code: () => String(randomInt(0, 10 ** codeDigits)).padStart(codeDigits, '0'),
  salt: () => randomBytes(saltBytes),
};

export type HashedCode = { salt: Buffer; digest: Buffer };

export function digestCode(key: Buffer, salt: Buffer, requestId: string, code: string): Buffer {
  return createHmac('sha256', key)
    .update(salt)
    .update('\u0000')
    .update(requestId, 'utf8')
    .update('\u0000')
    .update(code, 'utf8')
    .digest();
}

/** A fresh code (to send) and what is stored of it (to check). */
export function issueCode(
  key: Buffer,
  requestId: string,
  random: CodeRandom = systemCodeRandom,
): { code: string; stored: HashedCode } {
  const code = random.code();
  const salt = random.salt();
  return { code, stored: { salt, digest: digestCode(key, salt, requestId, code) } };
}

/** Whether a presented code matches the stored digest, compared in constant time. */
export function codeMatches(key: Buffer, stored: HashedCode, requestId: string, presented: string): boolean {
  const normalized = presented.replaceAll(/[\s-]/g, '');
  const candidate = digestCode(key, stored.salt, requestId, normalized);
  return candidate.length === stored.digest.length && timingSafeEqual(candidate, stored.digest);
}
