import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../lib/clock.js';
import { consentCache } from './consent-cache.js';

describe('consentCache', () => {
  it('does not keep a load that started before an invalidation of its key', () => {
    const cache = consentCache<string>({ maxEntries: 10, ttlMs: 60_000 }, fixedClock('2026-01-01'));
    const ticket = cache.ticket();
    cache.invalidate(['a']);
    cache.set('a', 'stale', ticket);
    expect(cache.get('a')).toBeUndefined();
    cache.set('a', 'fresh', cache.ticket());
    expect(cache.get('a')).toBe('fresh');
  });

  it('keeps a load whose key was not invalidated, even when others were', () => {
    const cache = consentCache<string>({ maxEntries: 10, ttlMs: 60_000 }, fixedClock('2026-01-01'));
    const ticket = cache.ticket();
    cache.invalidate(['b']);
    cache.set('a', 'value', ticket);
    expect(cache.get('a')).toBe('value');
  });

  it('refuses every load started before a clear', () => {
    const cache = consentCache<string>({ maxEntries: 10, ttlMs: 60_000 }, fixedClock('2026-01-01'));
    cache.set('a', 'kept', cache.ticket());
    const ticket = cache.ticket();
    cache.clear();
    cache.set('b', 'stale', ticket);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('b')).toBeUndefined();
  });

  it('refuses old loads once the invalidations it tracks overflow, rather than risk a stale one', () => {
    const cache = consentCache<string>({ maxEntries: 10, ttlMs: 60_000 }, fixedClock('2026-01-01'));
    const ticket = cache.ticket();
    cache.invalidate(['a']);
    cache.invalidate(Array.from({ length: 1000 }, (_, index) => `key-${index}`));
    cache.set('a', 'stale', ticket);
    expect(cache.get('a')).toBeUndefined();
  });

  it('evicts the least recently used entry and expires entries after the TTL', () => {
    const clock = fixedClock('2026-01-01');
    const cache = consentCache<number>({ maxEntries: 2, ttlMs: 1000 }, clock);
    cache.set('a', 1, cache.ticket());
    cache.set('b', 2, cache.ticket());
    cache.get('a');
    cache.set('c', 3, cache.ticket());
    expect(cache.get('b')).toBeUndefined();
    expect(cache.get('a')).toBe(1);
    clock.advance(1000);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.size).toBe(1);
  });

  it('holds nothing when its size is 0', () => {
    const cache = consentCache<number>({ maxEntries: 0, ttlMs: 1000 }, fixedClock('2026-01-01'));
    cache.set('a', 1, cache.ticket());
    expect(cache.get('a')).toBeUndefined();
  });
});
