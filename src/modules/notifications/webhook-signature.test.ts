import { createHmac } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import {
  formatSecret,
  newMessageId,
  newSigningKey,
  parseSecret,
  signatureOf,
  verifyWebhook,
  webhookHeaders,
} from './webhook-signature.js';

faker.seed(808);

/** The spec's formula, written out independently of the module under test. */
function specSignature(secret: string, id: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
}

describe('Standard Webhooks signatures', () => {
  it('matches the example in the Standard Webhooks specification', () => {
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const id = 'msg_p5jXN8AQM9LWM0D4loKWxJek';
    const body = '{"test": 2432232314}';
    const headers = webhookHeaders([parseSecret(secret)], { id, body }, new Date(1614265330 * 1000));
    expect(headers).toEqual({
      'webhook-id': id,
      'webhook-timestamp': '1614265330',
      'webhook-signature': 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
    });
  });

  it('signs id, timestamp and body exactly as the spec formula does, for a fixed vector', () => {
    const secret = 'whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=';
    const id = 'msg_fixedVector0000000000001';
    const body = '{"type":"consent.withdrawn","timestamp":"2024-05-01T12:00:00.000Z","data":{"n":1}}';
    const expected = specSignature(secret, id, 1714564800, body);
    expect(signatureOf(parseSecret(secret), id, 1714564800, body)).toBe(expected);
    expect(expected).toBe(
      createHmac('sha256', Buffer.from(Array.from({ length: 32 }, (_, i) => i)))
        .update(`${id}.1714564800.${body}`)
        .digest('base64'),
    );
  });

  it('uses whole seconds for the timestamp and signs with every key, newest first, space-separated', () => {
    const current = newSigningKey();
    const previous = newSigningKey();
    const id = newMessageId();
    const body = JSON.stringify({ type: 'consent.granted', data: { subjectId: faker.string.uuid() } });
    const headers = webhookHeaders([current, previous], { id, body }, new Date('2024-05-01T12:00:00.999Z'));
    expect(headers['webhook-timestamp']).toBe('1714564800');
    expect(headers['webhook-signature']).toBe(
      [current, previous]
        .map((key) => `v1,${specSignature(formatSecret(key), id, 1714564800, body)}`)
        .join(' '),
    );
  });

  it('formats secrets as whsec_ and base64 of 32 random bytes, and reads them back', () => {
    const key = newSigningKey();
    const secret = formatSecret(key);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(parseSecret(secret).equals(key)).toBe(true);
    expect(formatSecret(newSigningKey())).not.toBe(secret);
    expect(() => parseSecret('whsec_c2hvcnQ=')).toThrow(/24 to 64 bytes/);
    expect(() => parseSecret('whsec_not base64!')).toThrow();
  });

  it('makes unique message ids in the msg_ form', () => {
    const ids = new Set(Array.from({ length: 1000 }, newMessageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(id).toMatch(/^msg_[A-Za-z0-9_-]{24}$/);
  });

  it('verifies as a receiver would: any matching v1 signature, within the timestamp tolerance', () => {
    const key = newSigningKey();
    const secret = formatSecret(key);
    const other = newSigningKey();
    const message = { id: newMessageId(), body: JSON.stringify({ n: faker.number.int() }) };
    const at = faker.date.recent();
    const signed = webhookHeaders([other, key], message, at);
    const presented = {
      id: signed['webhook-id'],
      timestamp: signed['webhook-timestamp'],
      signature: signed['webhook-signature'],
    };
    expect(verifyWebhook(secret, presented, message.body, { now: at })).toBe(true);
    expect(verifyWebhook(secret, presented, `${message.body} `, { now: at })).toBe(false);
    expect(verifyWebhook(formatSecret(newSigningKey()), presented, message.body, { now: at })).toBe(false);
    const late = new Date(at.getTime() + 301_000);
    expect(verifyWebhook(secret, presented, message.body, { now: late })).toBe(false);
    expect(
      verifyWebhook(
        secret,
        { ...presented, signature: presented.signature.replaceAll('v1,', 'v2,') },
        message.body,
        {
          now: at,
        },
      ),
    ).toBe(false);
  });
});
