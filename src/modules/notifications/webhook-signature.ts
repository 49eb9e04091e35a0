import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Standard Webhooks signatures (https://www.standardwebhooks.com): the signed content is
 * `${webhook-id}.${webhook-timestamp}.${body}`, signed with HMAC-SHA256 under the base64-decoded part of a
 * `whsec_` secret, and sent as `webhook-signature: v1,<base64>`. Several signatures (during a secret
 * rotation) are separated by spaces; a receiver accepts the message when any one of them verifies.
 */
export const secretPrefix = 'whsec_';
/** Random bytes in a new signing secret (the spec allows 24 to 64). */
export const secretBytes = 32;

/** The key bytes of a signing secret, kept apart from the `whsec_` text form shown to the operator. */
export type SigningKey = Buffer & { readonly __brand: 'SigningKey' };

export function newSigningKey(): SigningKey {
  return randomBytes(secretBytes) as SigningKey;
}

/** The form an operator copies into the receiver: `whsec_<base64 of the key bytes>`. */
export function formatSecret(key: SigningKey): string {
  return `${secretPrefix}${key.toString('base64')}`;
}

/** The key bytes of a `whsec_…` secret; throws when it is not one. */
export function parseSecret(secret: string): SigningKey {
  const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64 || key.toString('base64') !== encoded) {
    throw new TypeError('a signing secret is whsec_ followed by the base64 of 24 to 64 bytes');
  }
  return key as SigningKey;
}

/** A message id as sent in `webhook-id`: `msg_` and 24 URL-safe characters (144 random bits). */
export function newMessageId(): string {
  return `msg_${randomBytes(18).toString('base64url')}`;
}

/** The base64 HMAC-SHA256 of `${id}.${timestamp}.${body}` under `key`. */
export function signatureOf(key: SigningKey, id: string, timestampSeconds: number, body: string): string {
  return createHmac('sha256', key).update(`${id}.${timestampSeconds}.${body}`, 'utf8').digest('base64');
}

/** The three Standard Webhooks headers for one attempt, signed with every key given (newest first). */
export function webhookHeaders(
  keys: readonly SigningKey[],
  message: { id: string; body: string },
  at: Date,
): Record<'webhook-id' | 'webhook-timestamp' | 'webhook-signature', string> {
  const timestamp = Math.floor(at.getTime() / 1000);
  return {
    'webhook-id': message.id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': keys
      .map((key) => `v1,${signatureOf(key, message.id, timestamp, message.body)}`)
      .join(' '),
  };
}

/**
 * A receiver's check, as the spec describes it: true when one `v1` signature in the header matches and
 * the timestamp lies within `toleranceSeconds` of `now` (replay protection).
 */
export function verifyWebhook(
  secret: string,
  headers: { id: string; timestamp: string; signature: string },
  body: string,
  options: { now: Date; toleranceSeconds?: number },
): boolean {
  const timestamp = Number(headers.timestamp);
  if (!/^\d{1,12}$/.test(headers.timestamp)) return false;
  const tolerance = options.toleranceSeconds ?? 300;
  if (Math.abs(options.now.getTime() / 1000 - timestamp) > tolerance) return false;
  const expected = Buffer.from(signatureOf(parseSecret(secret), headers.id, timestamp, body), 'base64');
  return headers.signature.split(' ').some((entry) => {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || !encoded) return false;
    const presented = Buffer.from(encoded, 'base64');
    return presented.length === expected.length && timingSafeEqual(presented, expected);
  });
}
