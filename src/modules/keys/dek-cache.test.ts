import { randomBytes } from 'node:crypto';
import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.js';
import { dekCache } from './dek-cache.js';

faker.seed(41);

const minute = 60_000;

describe('the data key cache', () => {
  it('serves a key until its TTL has passed, then asks again', () => {
    const clock = fixedClock('2026-05-01T00:00:00Z');
    const cache = dekCache({ maxEntries: 10, ttlMs: 5 * minute }, clock);
    const subject = faker.string.uuid();
    const key = randomBytes(32);
    cache.set(subject, key);
    clock.advance(5 * minute - 1);
    expect(cache.get(subject)).toBe(key);
    clock.advance(1);
    expect(cache.get(subject)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('holds at most maxEntries keys and drops the least recently used first', () => {
    const cache = dekCache({ maxEntries: 3, ttlMs: minute }, fixedClock('2026-05-01T00:00:00Z'));
    const [a, b, c, d] = Array.from({ length: 4 }, () => faker.string.uuid()) as [
      string,
      string,
      string,
      string,
    ];
    cache.set(a, randomBytes(32));
    cache.set(b, randomBytes(32));
    cache.set(c, randomBytes(32));
    expect(cache.get(a)).toBeDefined(); // a is now the most recently used; b the least
    cache.set(d, randomBytes(32));
    expect(cache.size).toBe(3);
    expect(cache.get(b)).toBeUndefined();
    expect([a, c, d].every((subject) => cache.get(subject) !== undefined)).toBe(true);
  });

  it('forgets a shredded subject at once and keeps a late read from putting the key back for one TTL', () => {
    const clock = fixedClock('2026-05-01T00:00:00Z');
    const cache = dekCache({ maxEntries: 10, ttlMs: minute }, clock);
    const subject = faker.string.uuid();
    const key = randomBytes(32);
    cache.set(subject, key);
    cache.drop(subject);
    expect(cache.get(subject)).toBeUndefined();
    cache.set(subject, key); // a read that fetched the key just before the shred committed
    expect(cache.get(subject)).toBeUndefined();
    clock.advance(minute);
    cache.set(subject, key);
    expect(cache.get(subject)).toBe(key);
  });

  it('caches nothing when its size is 0', () => {
    const cache = dekCache({ maxEntries: 0, ttlMs: minute }, fixedClock('2026-05-01T00:00:00Z'));
    const subject = faker.string.uuid();
    cache.set(subject, randomBytes(32));
    expect(cache.get(subject)).toBeUndefined();
  });
});
