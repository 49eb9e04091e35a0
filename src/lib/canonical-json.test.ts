import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { CanonicalJsonError, canonicalJson } from './canonical-json.js';

faker.seed(11);

function shuffled<T>(items: T[]): T[] {
  return faker.helpers.shuffle([...items]);
}

/** Rebuilds an object with its keys inserted in a random order, at every depth. */
function reordered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reordered);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      shuffled(Object.entries(value)).map(([key, item]) => [key, reordered(item)] as const),
    );
  }
  return value;
}

describe('canonical JSON', () => {
  it('sorts keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"y":null,"z":true}]},"b":1}',
    );
  });

  it('gives the same text whatever order the keys were inserted in', () => {
    for (let round = 0; round < 20; round += 1) {
      const value = {
        id: faker.string.uuid(),
        count: faker.number.int({ min: -1000, max: 1000 }),
        ratio: faker.number.float({ min: -1, max: 1, fractionDigits: 6 }),
        tags: faker.helpers.multiple(() => faker.word.noun(), { count: 3 }),
        nested: { flag: faker.datatype.boolean(), note: faker.lorem.words(3), empty: {} },
      };
      expect(canonicalJson(reordered(value))).toBe(canonicalJson(value));
    }
  });

  it('orders keys by UTF-16 code units, as RFC 8785 does', () => {
    expect(canonicalJson({ é: 1, z: 2, Z: 3, '€': 4, '😀': 5, '1': 6 })).toBe(
      '{"1":6,"Z":3,"z":2,"é":1,"€":4,"😀":5}',
    );
  });

  it('writes strings and numbers exactly as JSON.stringify does', () => {
    expect(canonicalJson('line\nbreak "quoted" \\ \u0001')).toBe(
      JSON.stringify('line\nbreak "quoted" \\ \u0001'),
    );
    expect(canonicalJson([1e21, 1e-7, -0, 0.1, 100, 2 ** 53])).toBe(
      '[1e+21,1e-7,0,0.1,100,9007199254740992]',
    );
  });

  it('round-trips: parsing the text and writing it again gives the same text', () => {
    const value = { a: [1, 'two', { three: 3 }], b: { c: null, d: false }, e: 'ünïcødé' };
    const text = canonicalJson(value);
    expect(canonicalJson(JSON.parse(text))).toBe(text);
  });

  it('leaves out properties that are undefined, like JSON does', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('refuses values that have no single JSON form and says where they are', () => {
    const cases: unknown[] = [
      { n: Number.NaN },
      { n: Number.POSITIVE_INFINITY },
      { big: 1n },
      { when: new Date(0) },
      { list: [1, undefined] },
      { fn: () => 1 },
      new Map(),
    ];
    for (const value of cases) expect(() => canonicalJson(value)).toThrow(CanonicalJsonError);
    expect(() => canonicalJson({ outer: { inner: [0, Number.NaN] } })).toThrow(/\$\.outer\.inner\[1\]/);
  });
});
