import { createHash, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { unstorableStringPaths } from '../../lib/storable-text.js';
import { DrpError, drpVersion } from './drp-protocol.js';
import { signatureValid, splitSignedMessage } from './drp-signature.js';

/**
 * The signed messages agents send (§2.01 exercise, §2.04 revoke, §2.05 pairing), validated in the order of
 * §3.07: base64, signature, agent, business, issued-at, expires-at. Unknown claims are dropped on parsing,
 * so nothing Custos does not use is kept.
 */

/** Identifiers in the service directory and in URLs: letters, digits, `_ . -`. */
export const ZDrpId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,100}$/, 'must be 1 to 100 letters, digits, _ . or -');

const ZTimestamp = z.iso.datetime({ offset: true });
const ZClaimText = z.string().trim().min(1).max(200);

/** OpenID Connect Core 1.0 §5.1.1 address claim. */
const ZAddress = z
  .object({
    formatted: z.string().trim().min(1).max(500),
    street_address: ZClaimText,
    locality: ZClaimText,
    region: ZClaimText,
    postal_code: z.string().trim().min(1).max(20),
    country: ZClaimText,
  })
  .partial();

/** §3.04 identity claims (schema.org/Person). */
export const ZIdentityClaims = z.object({
  name: ZClaimText.optional(),
  email: z.email().max(254).optional(),
  email_verified: z.boolean().optional(),
  phone_number: z.string().trim().min(3).max(32).optional(),
  phone_number_verified: z.boolean().optional(),
  address: ZAddress.optional(),
  address_verified: z.boolean().optional(),
  power_of_attorney: z.string().trim().min(1).max(2000).optional(),
});
export type IdentityClaims = z.infer<typeof ZIdentityClaims>;
export const identityClaimNames = Object.keys(ZIdentityClaims.shape) as (keyof IdentityClaims)[];

/** The keys that root a message in one agent, one business and one moment (§2.01 group 1). */
const ZEnvelope = z.object({
  'agent-id': ZDrpId,
  'business-id': ZDrpId,
  'issued-at': ZTimestamp,
  'expires-at': ZTimestamp,
  'drp.version': z.string().max(20),
});

export const ZPairingMessage = ZEnvelope;

export const ZExerciseMessage = ZEnvelope.extend({
  'agent-request-id': z.string().min(1).max(200).optional(),
  exercise: z.string().min(1).max(50),
  regime: z.string().min(1).max(50).optional(),
  relationships: z.array(z.string().min(1).max(100)).max(20).optional(),
  status_callback: z.string().min(1).max(2000).optional(),
}).extend(ZIdentityClaims.shape);
export type ExerciseMessage = z.infer<typeof ZExerciseMessage>;

/** §2.04: `reason` only in the spec's example; the envelope keys are checked when an agent adds them. */
export const ZRevokeMessage = ZEnvelope.partial().extend({
  reason: z.string().trim().max(2000).optional(),
});
export type RevokeMessage = z.infer<typeof ZRevokeMessage>;

/** How far ahead of our clock `issued-at` may be: agents' clocks are never exactly ours. */
export const maxClockSkewMs = 60_000;

export type OpenedMessage<T> = {
  document: T;
  /** SHA-256 of the signature: the same message sent twice has the same digest (Ed25519 is deterministic). */
  digest: Buffer;
};

/** Decodes and verifies a signed message and parses its document; a DrpError names what failed. */
export function openSignedMessage<T>(body: unknown, key: KeyObject, schema: z.ZodType<T>): OpenedMessage<T> {
  const parts = typeof body === 'string' ? splitSignedMessage(body) : undefined;
  if (!parts) {
    throw new DrpError('malformed_message', 'The body must be a base64-encoded signed message.', {
      fatal: true,
    });
  }
  if (!signatureValid(key, parts)) {
    throw new DrpError('bad_signature', 'The signature does not verify with the agent’s key.', {
      fatal: true,
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(parts.document.toString('utf8'));
  } catch {
    throw new DrpError('malformed_message', 'The signed document is not JSON.', { fatal: true });
  }
  // The document is inside the body, where the HTTP check of every input does not reach: same rule here.
  const unstorable = unstorableStringPaths(json);
  if (unstorable.length > 0) {
    throw new DrpError(
      'malformed_message',
      `The signed document holds a NUL character or an unpaired surrogate at: ${unstorable.join(', ')}.`,
      { fatal: true },
    );
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))];
    throw new DrpError('malformed_message', `The signed document is invalid at: ${fields.join(', ')}.`, {
      fatal: true,
    });
  }
  return { document: parsed.data, digest: createHash('sha256').update(parts.signature).digest() };
}

type Envelope = Partial<z.infer<typeof ZEnvelope>>;

/**
 * The checks of §3.07 after the signature: the agent the token (or URL) names, this business, and the
 * message's validity window. Keys a revoke message leaves out are not checked.
 */
export function checkEnvelope(
  envelope: Envelope,
  expected: { agentId: string; businessId: string; now: Date },
  options: { required: boolean } = { required: true },
): void {
  const present = (key: keyof Envelope) => options.required || envelope[key] !== undefined;
  if (present('agent-id') && envelope['agent-id'] !== expected.agentId) {
    throw new DrpError('agent_mismatch', 'The message was issued by another agent.', { fatal: true });
  }
  if (present('business-id') && envelope['business-id'] !== expected.businessId) {
    throw new DrpError('business_mismatch', 'The message is addressed to another business.', { fatal: true });
  }
  const now = expected.now.getTime();
  const issuedAt = envelope['issued-at'];
  if (issuedAt !== undefined && Date.parse(issuedAt) > now + maxClockSkewMs) {
    throw new DrpError('not_yet_valid', 'The message was issued in the future; check your clock.', {
      fatal: true,
    });
  }
  const expiresAt = envelope['expires-at'];
  if (expiresAt !== undefined && Date.parse(expiresAt) <= now) {
    throw new DrpError('expired', 'The message has expired; sign a new one.', { fatal: true });
  }
  const version = envelope['drp.version'];
  if (present('drp.version') && version !== drpVersion) {
    throw new DrpError('unsupported_version', `This server speaks DRP ${drpVersion}.`, { fatal: true });
  }
}
