import { describe, expect, it } from 'vitest';
import { isStorableText, unstorableStringPaths } from './storable-text.js';

describe('storable text', () => {
  it('accepts ordinary text, emoji and other paired surrogates', () => {
    expect(isStorableText('Zoë 👩‍💻 𝄞 日本')).toBe(true);
  });

  it('refuses NUL, a lone high surrogate, a lone low surrogate and a reversed pair', () => {
    for (const text of ['a\u0000b', 'a\uD800', '\uDC00b', 'x\uDC00\uD800y']) {
      expect(isStorableText(text)).toBe(false);
    }
  });

  it('names every unstorable string and key in a nested input, never its value', () => {
    const input = {
      name: 'fine',
      contact: { note: 'bad\u0000' },
      items: ['ok', '\uD83D'],
      metadata: { 'k\u0000': 'v' },
    };
    expect(unstorableStringPaths(input)).toEqual(['contact.note', 'items.1', 'metadata (a key)']);
    expect(unstorableStringPaths('\u0000')).toEqual(['(root)']);
    expect(unstorableStringPaths(Object.assign(Object.create(null), { q: '\u0000' }))).toEqual(['q']);
    const dictionary = Object.create(Object.create(null));
    dictionary.q = '\u0000';
    expect(unstorableStringPaths(dictionary)).toEqual(['q']);
  });

  it('walks nesting deeper than the call stack allows', () => {
    let deep: unknown = 'bad\u0000';
    for (let i = 0; i < 200_000; i += 1) deep = [deep];
    expect(unstorableStringPaths(deep)).toHaveLength(1);
  });

  it('leaves streams and buffers alone', () => {
    expect(unstorableStringPaths(Buffer.from('\u0000'))).toEqual([]);
  });
});
