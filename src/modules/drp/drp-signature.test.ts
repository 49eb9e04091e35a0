import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { checkEnvelope, openSignedMessage, ZPairingMessage } from './drp-messages.js';
import { DrpError } from './drp-protocol.js';
import {
  decodeBase64,
  signatureValid,
  signCombined,
  splitSignedMessage,
  verifyKeyFrom,
  verifyKeyOf,
} from './drp-signature.js';

// RFC 8032 §7.1, TEST 2: a one-byte message, as libsodium's combined mode lays it out (signature first).
const rfcPublicKey = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const rfcSignature =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';

function refusalOf(action: () => unknown): string | undefined {
  try {
    action();
  } catch (error) {
    if (error instanceof DrpError) return error.refusal;
    throw error;
  }
  return undefined;
}

describe('DRP signatures', () => {
  it('verifies the RFC 8032 test vector in combined mode with a base64 verify key', () => {
    const key = verifyKeyFrom(Buffer.from(rfcPublicKey, 'hex').toString('base64'));
    expect(key).toBeDefined();
    const message = Buffer.concat([Buffer.from(rfcSignature, 'hex'), Buffer.from([0x72])]).toString('base64');
    const parts = splitSignedMessage(message);
    expect(parts?.document).toEqual(Buffer.from([0x72]));
    expect(signatureValid(key as NonNullable<typeof key>, parts as NonNullable<typeof parts>)).toBe(true);
    const tampered = Buffer.concat([Buffer.from(rfcSignature, 'hex'), Buffer.from([0x73])]).toString(
      'base64',
    );
    expect(
      signatureValid(
        key as NonNullable<typeof key>,
        splitSignedMessage(tampered) as NonNullable<typeof parts>,
      ),
    ).toBe(false);
  });

  it('round-trips a key pair: verify key out, signature in', () => {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    const verifyKey = verifyKeyOf(publicKey);
    expect(Buffer.from(verifyKey, 'base64')).toHaveLength(32);
    expect(verifyKeyOf(privateKey)).toBe(verifyKey);
    const parts = splitSignedMessage(signCombined(privateKey, '{"a":1}'));
    expect(
      signatureValid(
        verifyKeyFrom(verifyKey) as NonNullable<ReturnType<typeof verifyKeyFrom>>,
        parts as never,
      ),
    ).toBe(true);
  });

  it('refuses what is not a verify key or not base64', () => {
    expect(verifyKeyFrom(Buffer.alloc(31, 1).toString('base64'))).toBeUndefined();
    expect(verifyKeyFrom('not base64!')).toBeUndefined();
    expect(verifyKeyFrom(rfcPublicKey)).toBeUndefined(); // hex, the pre-0.9.1 encoding
    expect(decodeBase64('QUJD\nREVG')).toEqual(Buffer.from('ABCDEF'));
    expect(decodeBase64('A')).toBeUndefined();
    expect(splitSignedMessage(Buffer.alloc(64).toString('base64'))).toBeUndefined();
  });
});

describe('DRP message checks (§3.07)', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const now = new Date('2026-05-04T12:00:00Z');
  const envelope = {
    'agent-id': 'AGENT_ONE',
    'business-id': 'ACME',
    'issued-at': '2026-05-04T11:59:00.123456+00:00',
    'expires-at': '2026-05-04T12:09:00Z',
    'drp.version': '1.0',
  };
  const signed = (document: object) =>
    Buffer.concat([
      sign(null, Buffer.from(JSON.stringify(document)), privateKey),
      Buffer.from(JSON.stringify(document)),
    ]).toString('base64');
  const expected = { agentId: 'AGENT_ONE', businessId: 'ACME', now };

  it('opens a well-signed message and accepts its envelope', () => {
    const opened = openSignedMessage(signed(envelope), publicKey, ZPairingMessage);
    expect(opened.document).toEqual(envelope);
    expect(opened.digest).toHaveLength(32);
    expect(() => checkEnvelope(opened.document, expected)).not.toThrow();
  });

  it('names each failure in the order of §3.07', () => {
    const other = generateKeyPairSync('ed25519').publicKey;
    expect(refusalOf(() => openSignedMessage('%%%', publicKey, ZPairingMessage))).toBe('malformed_message');
    expect(refusalOf(() => openSignedMessage(signed(envelope), other, ZPairingMessage))).toBe(
      'bad_signature',
    );
    expect(
      refusalOf(() =>
        openSignedMessage(signed({ ...envelope, 'issued-at': 'yesterday' }), publicKey, ZPairingMessage),
      ),
    ).toBe('malformed_message');
    const check = (changes: object) => refusalOf(() => checkEnvelope({ ...envelope, ...changes }, expected));
    expect(check({ 'agent-id': 'AGENT_TWO' })).toBe('agent_mismatch');
    expect(check({ 'business-id': 'OTHER' })).toBe('business_mismatch');
    expect(check({ 'issued-at': '2026-05-04T12:05:00Z' })).toBe('not_yet_valid');
    expect(check({ 'expires-at': '2026-05-04T12:00:00Z' })).toBe('expired');
    expect(check({ 'drp.version': '0.9.4' })).toBe('unsupported_version');
  });
});
