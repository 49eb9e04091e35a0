import { describe, expect, it } from 'vitest';
import { isKnownCategory, validateRecordValues, ZCollectionDefinition } from './collection-schema.js';

const customers = ZCollectionDefinition.parse({
  name: 'customers',
  fields: [
    {
      name: 'email',
      type: 'email',
      category: 'user.contact.email',
      classification: 'confidential',
      required: true,
      indexed: true,
    },
    {
      name: 'phone',
      type: 'phone',
      category: 'user.contact.phone_number',
      classification: 'confidential',
      indexed: true,
    },
    {
      name: 'birth_date',
      type: 'date',
      category: 'user.demographic.date_of_birth',
      classification: 'restricted',
    },
    { name: 'plan', type: 'string', category: 'user.account', classification: 'public' },
    { name: 'address', type: 'address', category: 'user.contact.address', classification: 'confidential' },
    { name: 'score', type: 'number', category: 'user.behavior', classification: 'internal' },
  ],
});

describe('collection definitions and record validation', () => {
  it('accepts taxonomy keys and custom keys beneath them, nothing else', () => {
    expect(isKnownCategory('user.contact.email')).toBe(true);
    expect(isKnownCategory('user.contact.email.work')).toBe(true);
    expect(isKnownCategory('made.up')).toBe(false);
  });

  it('refuses a blind index on a type or classification that cannot have one', () => {
    const result = ZCollectionDefinition.safeParse({
      name: 'bad',
      fields: [{ name: 'tags', type: 'json', category: 'user', classification: 'internal', indexed: true }],
    });
    expect(result.success).toBe(false);
  });

  it('normalizes e-mail and phone values and reports one error per bad field without the value', () => {
    const ok = validateRecordValues(
      customers,
      { email: ' Jane@Example.org ', phone: '+44 20 7946 0958', plan: 'pro' },
      { partial: false },
    );
    expect(ok.errors).toEqual([]);
    expect(ok.values).toMatchObject({ email: 'Jane@Example.org', phone: '+442079460958', plan: 'pro' });

    const secret = 'definitely-not-an-email-0x51';
    const bad = validateRecordValues(
      customers,
      {
        email: secret,
        phone: '12',
        birth_date: '1999-02-30',
        score: 'high',
        address: { city: 'Leeds' },
        nickname: 'x',
      },
      { partial: false },
    );
    expect(bad.errors.map((error) => error.path).sort()).toEqual(
      [
        'fields.address',
        'fields.birth_date',
        'fields.email',
        'fields.nickname',
        'fields.phone',
        'fields.score',
      ].sort(),
    );
    expect(JSON.stringify(bad.errors)).not.toContain(secret);
  });

  it('requires required fields on create but not on a partial update', () => {
    expect(validateRecordValues(customers, { plan: 'basic' }, { partial: false }).errors).toEqual([
      { in: 'body', path: 'fields.email', message: 'is required' },
    ]);
    expect(validateRecordValues(customers, { plan: 'basic' }, { partial: true }).errors).toEqual([]);
    expect(validateRecordValues(customers, { email: null }, { partial: true }).errors).toHaveLength(1);
  });
});
