import { describe, expect, it } from 'vitest';
import { groupCommit } from './group-commit.js';

describe('groupCommit', () => {
  it('writes an item alone when idle, and what arrives during a write together in the next (one writer)', async () => {
    const batches: number[][] = [];
    const commit = groupCommit<number>(
      async (items) => {
        batches.push(items);
        await new Promise((resolve) => setImmediate(resolve));
      },
      { writers: 1 },
    );
    await Promise.all([commit(1), commit(2), commit(3)]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('rejects every caller of a batch whose write failed, and goes on with the next', async () => {
    let calls = 0;
    const commit = groupCommit<number>(async () => {
      calls += 1;
      if (calls === 1) throw new Error('down');
    });
    await expect(commit(1)).rejects.toThrow('down');
    await expect(commit(2)).resolves.toBeUndefined();
  });
});
