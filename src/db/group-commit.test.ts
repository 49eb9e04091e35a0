import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

type Item = { key: string; value: number };

/** A writer that records its batches and commits after a tick; values below zero fail their batch. */
function recordingWriter(settings = { writers: 1, maxBatch: 100 }) {
  const batches: number[][] = [];
  const committed: number[][] = [];
  const writes = groupCommit<Item, number>({
    settings,
    async write(items) {
      batches.push(items.map((item) => item.value));
      await new Promise((resolve) => setTimeout(resolve, 5));
      if (items.some((item) => item.value < 0)) throw new Error('bad value');
      return items.map((item) => (item.value === 0 ? undefined : item.value * 10));
    },
    async committed(items) {
      committed.push(items.map((item) => item.value));
    },
    refusals: async (items) => items.map((item) => new Error(`refused ${item.value}`)),
  });
  const submit = (key: string, value: number) => writes.submit(key, async () => ({ key, value }));
  return { batches, committed, submit, writes };
}

describe('group commit', () => {
  it('writes a lone call at once and the calls that waited together', async () => {
    const { batches, submit } = recordingWriter();
    const results = await Promise.all([1, 2, 3, 4].map((value) => submit(`k${value}`, value)));
    expect(results).toEqual([10, 20, 30, 40]);
    expect(batches).toEqual([[1], [2, 3, 4]]);
  });

  it('writes one key’s calls one after another, in the order they were made', async () => {
    const { batches, submit } = recordingWriter({ writers: 4, maxBatch: 100 });
    await Promise.all([submit('a', 1), submit('a', 2), submit('b', 3), submit('a', 4)]);
    const order = batches.flat().filter((value) => value !== 3);
    expect(order).toEqual([1, 2, 4]);
    for (const batch of batches) expect(batch.filter((value) => value !== 3).length).toBeLessThanOrEqual(1);
  });

  it('fails a bad call alone, refuses what the writer refused, and answers the rest', async () => {
    const { submit, committed } = recordingWriter();
    const results = await Promise.allSettled([
      submit('a', 1),
      submit('b', 2),
      submit('c', -1),
      submit('d', 0),
    ]);
    expect(results.map((result) => result.status)).toEqual([
      'fulfilled',
      'fulfilled',
      'rejected',
      'rejected',
    ]);
    expect((results[2] as PromiseRejectedResult).reason.message).toBe('bad value');
    expect((results[3] as PromiseRejectedResult).reason.message).toBe('refused 0');
    // Each written call was announced once, after its commit.
    expect(committed.flat().sort()).toEqual([1, 2]);
  });

  it('fails a call whose preparation fails, and resolves one with nothing to write at once', async () => {
    const { writes, batches } = recordingWriter();
    const failing = writes.submit('a', async () => {
      throw new Error('invalid');
    });
    await expect(failing).rejects.toThrow('invalid');
    await expect(writes.submit('a', async () => undefined)).resolves.toBeUndefined();
    expect(batches).toEqual([]);
  });
});
