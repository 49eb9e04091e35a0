import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { pageOf, sequenceCursor, timeIdCursor } from './paging.js';

describe('paging cursors', () => {
  it('round-trips a sequence number and a (time, id) pair', () => {
    expect(sequenceCursor.decode(sequenceCursor.encode(42))).toBe(42);
    const at = new Date('2026-12-07T10:00:00.000Z');
    const id = randomUUID();
    expect(timeIdCursor.decode(timeIdCursor.encode(at, id))).toEqual({ at, id });
  });

  it('refuses cursors this server could not have issued with 400', () => {
    for (const cursor of [
      '',
      'abc',
      Buffer.from('0').toString('base64url'),
      Buffer.from('1.5').toString('base64url'),
    ])
      expect(() => sequenceCursor.decode(cursor)).toThrow(/not one this server issued/);
    const forged = Buffer.from(`2026-12-07T10:00:00Z|'; drop table x`).toString('base64url');
    expect(() => timeIdCursor.decode(forged)).toThrow(/not one this server issued/);
  });

  it('pages a query that asked for one row more than the limit', () => {
    const cursorOf = (row: number) => sequenceCursor.encode(row);
    expect(pageOf([5, 4, 3], 2, (row) => row * 10, cursorOf)).toEqual({
      items: [50, 40],
      nextCursor: sequenceCursor.encode(4),
    });
    expect(pageOf([5, 4], 2, (row) => row, cursorOf).nextCursor).toBeNull();
  });
});
