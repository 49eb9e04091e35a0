import type { SealedBox } from '../../lib/sealed-box.js';
import type { SigningKey } from './webhook-signature.js';

/**
 * Signing keys at rest: sealed with AES-256-GCM under the webhook secrets key, bound to their endpoint
 * (associated data), so a sealed key copied to another endpoint's row does not open.
 */
export function endpointSecrets(box: SealedBox) {
  const aad = (endpointId: string) => `custos.webhook.secret:${endpointId}`;
  const bodyAad = (messageId: string) => `custos.webhook.body:${messageId}`;
  return {
    /** A message body that carries a secret, sealed and bound to its message. */
    sealBody: (messageId: string, body: string): Buffer =>
      box.seal(Buffer.from(body, 'utf8'), bodyAad(messageId)),
    openBody: (messageId: string, sealed: Buffer): string =>
      box.open(sealed, bodyAad(messageId)).toString('utf8'),
    seal: (endpointId: string, key: SigningKey): Buffer => box.seal(key, aad(endpointId)),
    open: (endpointId: string, sealed: Buffer): SigningKey => box.open(sealed, aad(endpointId)) as SigningKey,
    /** The keys to sign with at `at`: the current one, then the previous one while its grace period lasts. */
    signingKeys(
      endpoint: {
        endpoint_id: string;
        secret_sealed: Buffer;
        previous_secret_sealed: Buffer | null;
        previous_secret_expires_at: Date | null;
      },
      at: Date,
    ): SigningKey[] {
      const keys = [box.open(endpoint.secret_sealed, aad(endpoint.endpoint_id)) as SigningKey];
      const previous = endpoint.previous_secret_sealed;
      const until = endpoint.previous_secret_expires_at;
      if (previous && until && until.getTime() > at.getTime()) {
        keys.push(box.open(previous, aad(endpoint.endpoint_id)) as SigningKey);
      }
      return keys;
    },
  };
}

export type EndpointSecrets = ReturnType<typeof endpointSecrets>;
