import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { isSensitiveKey, looksPersonal, redacted, sanitizeDetails } from './audit-details.js';

faker.seed(7);

describe('audit details sanitizer', () => {
  it('redacts values under keys that name personal data or secrets', () => {
    const details = sanitizeDetails({
      email: faker.internet.email(),
      phoneNumber: faker.phone.number(),
      fullName: faker.person.fullName(),
      name: faker.person.firstName(),
      password: faker.internet.password(),
      api_key: faker.string.alphanumeric(30),
      refreshToken: faker.string.alphanumeric(30),
      clientIp: faker.internet.ipv4(),
      home_address: faker.location.streetAddress(),
      dateOfBirth: faker.date.birthdate().toISOString(),
    });
    for (const value of Object.values(details)) expect(value).toBe(redacted);
  });

  it('keeps facts: reason codes, counts, field names, flags and pseudonymous ids', () => {
    const details = {
      reason: 'wrong_password',
      count: 3,
      fields: ['email', 'phone'],
      fieldName: 'email',
      collectionName: 'customers',
      subjectId: faker.string.uuid(),
      rehashed: false,
      nested: { purposeKey: 'marketing', at: '2025-01-31T09:00:00.000Z', version: 2 },
    };
    expect(sanitizeDetails(details)).toEqual(details);
  });

  it('redacts values shaped like personal data or credentials under any key', () => {
    const values = [
      faker.internet.email(),
      `contact me at ${faker.internet.email()} please`,
      faker.internet.ipv4(),
      faker.internet.ipv6(),
      `from [${faker.internet.ipv4()}]`,
      '+44 20 7946 0958',
      '(555) 123-4567',
      '4111 1111 1111 1111',
      'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.abc',
      'Bearer abcdefghijklmnop',
      `cst_${faker.string.alphanumeric(32)}`,
      '-----BEGIN PRIVATE KEY-----\nMIIB...',
    ];
    for (const value of values) {
      expect(sanitizeDetails({ note: value }).note, value).toBe(redacted);
      expect(sanitizeDetails({ list: [value] }).list, value).toEqual([redacted]);
    }
  });

  it('does not mistake timestamps, uuids, versions or small numbers for personal data', () => {
    for (const text of [
      '2025-01-31T09:00:00.000Z',
      '2025-01-31',
      faker.string.uuid(),
      'v1.2.3',
      '10:30',
      '12345',
      'operator.login.failed',
    ]) {
      expect(looksPersonal(text), text).toBe(false);
    }
  });

  it('drops keys that are themselves personal data', () => {
    const email = faker.internet.email();
    const details = sanitizeDetails({ [email]: true, ok: 1 });
    expect(JSON.stringify(details)).not.toContain(email);
    expect(details).toEqual({ ok: 1, _droppedKeys: 1 });
  });

  it('bounds size and depth and turns non-JSON values into JSON', () => {
    const details = sanitizeDetails({
      long: 'x'.repeat(10_000),
      many: Array.from({ length: 500 }, (_, index) => index),
      deep: { a: { b: { c: { d: { e: 1 } } } } },
      when: new Date('2025-01-31T09:00:00Z'),
      big: 2n ** 70n,
      nan: Number.NaN,
      nul: 'a\u0000b',
      lone: 'a\ud800b',
      skip: undefined,
      fn: () => 1,
    });
    expect((details.long as string).length).toBeLessThanOrEqual(256);
    expect(details.many).toHaveLength(50);
    expect(JSON.stringify(details.deep)).toContain('[too deep]');
    expect(details.when).toBe('2025-01-31T09:00:00.000Z');
    expect(details.big).toBe('1180591620717411303424');
    expect(details.nan).toBeNull();
    expect(details.nul).toBe('ab');
    expect(details.lone).toBe('a\ufffdb');
    expect(details).not.toHaveProperty('skip');
    expect(details).not.toHaveProperty('fn');
  });

  it('recognizes sensitive key spellings in camelCase, snake_case and kebab-case', () => {
    for (const key of ['email', 'userEmail', 'e_mail', 'ip-address', 'IPAddress', 'x_api_key', 'user_name']) {
      expect(isSensitiveKey(key), key).toBe(true);
    }
    for (const key of ['reason', 'fieldName', 'keyId', 'purposeKey', 'count', 'nextStep', 'scope']) {
      expect(isSensitiveKey(key), key).toBe(false);
    }
  });
});
