import { describe, expect, it } from 'vitest';
import {
  applyMasking,
  generalizeDate,
  generalizeNumber,
  generalizePostcode,
  keyedHash,
  maskChars,
  maskEmail,
  randomReplace,
  redact,
  shiftDate,
  ZMasking,
} from './masking.js';

const hashKey = Buffer.alloc(32, 7);
const counter = () => {
  let next = 0;
  return (max: number) => next++ % max;
};

describe('masking and anonymization operators', () => {
  it('redacts to a fixed marker', () => {
    expect(redact('Jane Doe')).toBe('[redacted]');
    expect(redact('Jane Doe', '***')).toBe('***');
  });

  it('masks all but n characters from either end, never revealing more than half', () => {
    expect(maskChars('4111111111111111', 4)).toBe('••••••••••••1111');
    expect(maskChars('4111111111111111', 4, 'start', '*')).toBe('4111************');
    expect(maskChars('abc', 4)).toBe('••c');
  });

  it('masks the local part of an e-mail address', () => {
    expect(maskEmail('jane.doe@example.org')).toBe('j•••••••@example.org');
    expect(maskEmail('not-an-email')).toBe('••••••••••••');
  });

  it('hashes with a key: stable, different under another key', () => {
    expect(keyedHash('jane@example.org', hashKey)).toBe(keyedHash('jane@example.org', hashKey));
    expect(keyedHash('jane@example.org', hashKey)).not.toBe(
      keyedHash('jane@example.org', Buffer.alloc(32, 8)),
    );
    expect(keyedHash('x', hashKey, 32)).toHaveLength(32);
  });

  it('generalizes dates to year or month, numbers to ranges, postcodes to prefixes', () => {
    expect(generalizeDate('1984-07-21', 'year')).toBe('1984');
    expect(generalizeDate('1984-07-21T10:00:00Z', 'month')).toBe('1984-07');
    expect(generalizeDate('yesterday', 'year')).toBeNull();
    expect(generalizeNumber(37, 10)).toBe('30-39');
    expect(generalizeNumber(0.3, 0.5)).toBe('0-0.5');
    expect(generalizePostcode('sw1a 1aa', 3)).toBe('SW1');
  });

  it('replaces with random characters of the same length', () => {
    const replaced = randomReplace('secret', counter(), 'xy');
    expect(replaced).toBe('xyxyxy');
  });

  it('shifts dates within the allowed window and keeps the format', () => {
    expect(shiftDate('2020-01-10', 5, () => 0)).toBe('2020-01-05');
    expect(shiftDate('2020-01-10', 5, () => 10)).toBe('2020-01-15');
    expect(shiftDate('2020-01-10T12:00:00.000Z', 1, () => 2)).toBe('2020-01-11T12:00:00.000Z');
    expect(shiftDate('soon', 5, () => 0)).toBeNull();
  });

  it('applies an operator from its declaration, and null stays null', () => {
    const context = { hashKey, random: counter() };
    expect(applyMasking('jane@example.org', ZMasking.parse({ op: 'email' }), context)).toBe(
      'j•••@example.org',
    );
    expect(applyMasking(42, ZMasking.parse({ op: 'generalize_number', bucket: 10 }), context)).toBe('40-49');
    expect(applyMasking('x', ZMasking.parse({ op: 'null' }), context)).toBeNull();
    expect(applyMasking(null, ZMasking.parse({ op: 'redact' }), context)).toBeNull();
    expect(applyMasking('07700900123', ZMasking.parse({ op: 'mask' }), context)).toBe('•••••••0123');
  });
});
