import { faker } from '@faker-js/faker';
import { describe, expect, it } from 'vitest';
import { subjectIdBatches, subjectIdOnLine } from './filter-input.js';

faker.seed(11);

async function collect(chunks: (string | Buffer)[], size: number) {
  async function* source() {
    yield* chunks;
  }
  const batches = [];
  for await (const batch of subjectIdBatches(source(), size)) batches.push(batch);
  return batches;
}

describe('subjectIdOnLine', () => {
  it('reads a quoted id, an object with subjectId or id, or a bare id', () => {
    const id = faker.string.uuid();
    expect(subjectIdOnLine(`"${id}"`)).toBe(id);
    expect(subjectIdOnLine(JSON.stringify({ subjectId: id, extra: 1 }))).toBe(id);
    expect(subjectIdOnLine(JSON.stringify({ id }))).toBe(id);
    expect(subjectIdOnLine(`${id.toUpperCase()}\r`)).toBe(id);
    expect(subjectIdOnLine('   ')).toBeNull();
    for (const bad of ['"nope"', '{"subjectId": 42}', '{broken', '[1,2]', 'x'.repeat(36)]) {
      expect(subjectIdOnLine(bad)).toBeUndefined();
    }
  });
});

describe('subjectIdBatches', () => {
  it('splits a stream into batches whatever the chunk boundaries, counting lines without an id', async () => {
    const ids = Array.from({ length: 7 }, () => faker.string.uuid());
    const text = `${ids.map((id) => `"${id}"`).join('\n')}\nnot-an-id\n\n`;
    const chunks = Buffer.from(text).reduce<Buffer[]>((parts, _byte, index, bytes) => {
      if (index % 13 === 0) parts.push(bytes.subarray(index, index + 13));
      return parts;
    }, []);
    const batches = await collect(chunks, 3);
    expect(batches.map((batch) => batch.ids.length)).toEqual([3, 3, 1]);
    expect(batches.flatMap((batch) => batch.ids)).toEqual(ids);
    expect(batches.reduce((sum, batch) => sum + batch.invalid, 0)).toBe(1);
  });

  it('keeps a multi-byte character split across chunks intact and reads a last line without newline', async () => {
    const id = faker.string.uuid();
    const line = Buffer.from(`{"note":"ü","subjectId":"${id}"}`);
    const split = line.indexOf(Buffer.from('ü')) + 1;
    const batches = await collect([line.subarray(0, split), line.subarray(split)], 10);
    expect(batches).toEqual([{ ids: [id], invalid: 0 }]);
  });

  it('counts an overlong line once without holding it in memory', async () => {
    const id = faker.string.uuid();
    const batches = await collect(['x'.repeat(3000), 'y'.repeat(3000), `\n"${id}"\n`], 10);
    expect(batches).toEqual([{ ids: [id], invalid: 1 }]);
  });
});
