import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { aadOf, decryptOrThrow, encrypt } from '../../src/lib/aead.js';
import type { BenchScenario } from '../types.js';

const rounds = 5;
const roundMs = 1000;
const warmupMs = 1000;

type Field = { subjectId: string; collection: string; field: string; value: Buffer };

/** Typical personal-data field values: e-mail addresses, names, phone numbers, street addresses. */
function sampleFields(count: number): Field[] {
  faker.seed(2024);
  const makers = [
    () => faker.internet.email(),
    () => faker.person.fullName(),
    () => faker.phone.number({ style: 'international' }),
    () => faker.location.streetAddress({ useFullAddress: true }),
  ];
  return Array.from({ length: count }, (_, index) => ({
    subjectId: faker.string.uuid(),
    collection: 'customers',
    field: ['email', 'name', 'phone', 'address'][index % 4] as string,
    value: Buffer.from((makers[index % 4] as () => string)(), 'utf8'),
  }));
}

/** Seal + open of one field through aead.ts, with the AAD built for it as the vault does. */
function throughAead(key: Buffer, fields: Field[]): (index: number) => void {
  return (index) => {
    const field = fields[index % fields.length] as Field;
    const aad = aadOf(['custos.field.v1', field.subjectId, field.collection, field.field, 1]);
    const sealed = encrypt(key, field.value, aad);
    if (decryptOrThrow(key, sealed, aad).length !== field.value.length) throw new Error('round trip failed');
  };
}

/**
 * The floor: node:crypto AES-256-GCM by hand with the AAD computed once in advance. With `freshIv`, a
 * randomBytes(12) per seal, as correct code must; without, one fixed IV (never valid use: it only
 * measures the cipher calls themselves).
 */
function bareNodeCrypto(key: Buffer, fields: Field[], freshIv: boolean): (index: number) => void {
  const aads = fields.map((field) =>
    aadOf(['custos.field.v1', field.subjectId, field.collection, field.field, 1]),
  );
  const fixedIv = randomBytes(12);
  return (index) => {
    const field = fields[index % fields.length] as Field;
    const aad = aads[index % fields.length] as Buffer;
    const iv = freshIv ? randomBytes(12) : fixedIv;
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(aad);
    const ciphertext = Buffer.concat([cipher.update(field.value), cipher.final()]);
    const tag = cipher.getAuthTag();
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    decipher.setAAD(aad);
    decipher.setAuthTag(tag);
    const plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    if (plaintext.length !== field.value.length) throw new Error('round trip failed');
  };
}

/** Operations per second of `operation` over `ms` milliseconds. */
function opsPerSecond(operation: (index: number) => void, ms: number): number {
  let done = 0;
  const started = performance.now();
  let elapsed = 0;
  while (elapsed < ms) {
    for (let i = 0; i < 256; i += 1) operation(done + i);
    done += 256;
    elapsed = performance.now() - started;
  }
  return (done / elapsed) * 1000;
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;

export const scenario: BenchScenario = {
  name: 'vault-crypto',
  description: `field encrypt+decrypt through aead.ts (with AAD) vs. a bare node:crypto AES-256-GCM loop, same data, ${rounds} alternating rounds of ${roundMs} ms`,
  async run() {
    const key = randomBytes(32);
    const fields = sampleFields(1000);
    const ours = throughAead(key, fields);
    const bare = bareNodeCrypto(key, fields, true);
    const cipherOnly = bareNodeCrypto(key, fields, false);
    for (const operation of [bare, cipherOnly, ours]) opsPerSecond(operation, warmupMs);
    const rates = { ours: [] as number[], bare: [] as number[], cipherOnly: [] as number[] };
    // Alternating rounds, so drift in machine load hits all three alike; medians resist outliers.
    for (let round = 0; round < rounds; round += 1) {
      rates.bare.push(opsPerSecond(bare, roundMs));
      rates.cipherOnly.push(opsPerSecond(cipherOnly, roundMs));
      rates.ours.push(opsPerSecond(ours, roundMs));
    }
    const meanBytes = fields.reduce((sum, field) => sum + field.value.length, 0) / fields.length;
    const extra = {
      rounds,
      roundMs,
      fields: fields.length,
      meanValueBytes: Math.round(meanBytes * 10) / 10,
      rates: Object.fromEntries(
        Object.entries(rates).map(([name, values]) => [name, values.map(Math.round)]),
      ),
    };
    const value = Math.round(median(rates.ours));
    return [
      {
        name: 'field encrypt+decrypt/s',
        value,
        unit: 'ops/s',
        baseline: Math.round(median(rates.bare)),
        baselineName: 'bare node:crypto AES-256-GCM, randomBytes IV per seal, AAD precomputed',
        targetRatio: 0.5,
        extra,
      },
      {
        name: 'field encrypt+decrypt/s vs. cipher calls only',
        value,
        unit: 'ops/s',
        baseline: Math.round(median(rates.cipherOnly)),
        baselineName: 'bare node:crypto AES-256-GCM calls, fixed IV (a floor, not valid use)',
        targetRatio: 0.5,
        extra,
      },
    ];
  },
};
