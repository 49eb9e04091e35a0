import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { isCanonicalUuid, timeOrderedId } from './ids.js';

describe('timeOrderedId', () => {
  it('makes RFC 9562 version 7 UUIDs that carry their millisecond', () => {
    const at = Date.UTC(2026, 11, 6, 19, 30, 0, 123);
    const id = timeOrderedId(at);
    expect(z.uuid().safeParse(id).success).toBe(true);
    expect(isCanonicalUuid(id)).toBe(true);
    expect(isCanonicalUuid(id.toUpperCase())).toBe(false);
    expect(id[14]).toBe('7');
    expect(['8', '9', 'a', 'b']).toContain(id[19]);
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(at);
  });

  it('sorts ids of later milliseconds after earlier ones', () => {
    const ids = Array.from({ length: 1000 }, (_, index) => timeOrderedId(1_700_000_000_000 + index));
    expect([...ids].sort()).toEqual(ids);
  });

  it('never repeats an id within one millisecond', () => {
    const ids = Array.from({ length: 100_000 }, () => timeOrderedId(1_700_000_000_000));
    expect(new Set(ids).size).toBe(ids.length);
  });
});
