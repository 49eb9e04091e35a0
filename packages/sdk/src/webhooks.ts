/**
 * Standard Webhooks verification (https://www.standardwebhooks.com) with Web Crypto only, so it runs in
 * Node 20+, browsers, Deno, Bun and edge runtimes. The signed content is `${id}.${timestamp}.${body}`,
 * HMAC-SHA256 under the base64-decoded part of the `whsec_` secret.
 */

/** A message Custos sent to a webhook endpoint. */
export type WebhookMessage<T = Record<string, unknown>> = {
  /** `webhook-id`: the same on every attempt; drop duplicates by it. */
  id: string;
  type: string;
  /** When the event happened (ISO 8601). */
  timestamp: string;
  data: T;
};

export type WebhookHeaders =
  | Headers
  | Record<string, string | string[] | undefined>
  | { get(name: string): string | null };

/** Thrown when a message's signature or timestamp does not verify. */
export class WebhookVerificationError extends Error {
  override readonly name = 'WebhookVerificationError';
  readonly code = 'invalid_webhook_signature';
}

const secretPrefix = 'whsec_';
const encoder = new TextEncoder();
type HmacKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;
const keys = new Map<string, Promise<HmacKey>>();

function headerOf(headers: WebhookHeaders, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name];
  return Array.isArray(value) ? value.join(' ') : value;
}

function bytesOfBase64(encoded: string): Uint8Array<ArrayBuffer> {
  const binary = atob(encoded);
  const bytes = new Uint8Array(binary.length);
  for (let index = 0; index < binary.length; index++) bytes[index] = binary.charCodeAt(index);
  return bytes;
}

function keyFor(secret: string): Promise<HmacKey> {
  let key = keys.get(secret);
  if (!key) {
    const encoded = secret.startsWith(secretPrefix) ? secret.slice(secretPrefix.length) : secret;
    key = crypto.subtle.importKey('raw', bytesOfBase64(encoded), { name: 'HMAC', hash: 'SHA-256' }, false, [
      'verify',
    ]);
    keys.set(secret, key);
  }
  return key;
}

/**
 * Verifies a message's signature (any `v1` entry, for secret rotations) and that its timestamp lies
 * within `toleranceSeconds` (default 300) of now, then returns the parsed message. `body` is the raw
 * body exactly as received, before any JSON parsing. Throws WebhookVerificationError otherwise.
 */
export async function verifyWebhook<T = Record<string, unknown>>(
  secret: string,
  headers: WebhookHeaders,
  body: string | Uint8Array,
  options: { toleranceSeconds?: number; now?: Date } = {},
): Promise<WebhookMessage<T>> {
  const id = headerOf(headers, 'webhook-id');
  const timestamp = headerOf(headers, 'webhook-timestamp');
  const signature = headerOf(headers, 'webhook-signature');
  if (!id || !timestamp || !signature) throw new WebhookVerificationError('missing webhook headers');
  if (!/^\d{1,12}$/.test(timestamp)) throw new WebhookVerificationError('invalid timestamp');
  const now = (options.now ?? new Date()).getTime() / 1000;
  if (Math.abs(now - Number(timestamp)) > (options.toleranceSeconds ?? 300)) {
    throw new WebhookVerificationError('timestamp outside the tolerance');
  }
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  const signed = encoder.encode(`${id}.${timestamp}.${text}`);
  const key = await keyFor(secret);
  for (const entry of signature.split(' ')) {
    const [version, encoded] = entry.split(',', 2);
    if (version !== 'v1' || !encoded) continue;
    let presented: Uint8Array<ArrayBuffer>;
    try {
      presented = bytesOfBase64(encoded);
    } catch {
      continue;
    }
    // Web Crypto's verify compares in constant time.
    if (await crypto.subtle.verify('HMAC', key, presented, signed)) {
      const payload = JSON.parse(text) as Omit<WebhookMessage<T>, 'id'>;
      return { id, type: payload.type, timestamp: payload.timestamp, data: payload.data };
    }
  }
  throw new WebhookVerificationError('no signature matches');
}
