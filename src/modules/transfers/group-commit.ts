/**
 * Group commit: callers hand in items and wait until the batch holding theirs is written. Up to
 * `writers` writes run at once (the audit log has several chains, so they do not wait on each other);
 * whatever arrives while they run goes in the next batches, so under load many items share one
 * transaction and when idle an item is written at once. No caller is answered before its item is committed.
 */
export function groupCommit<T>(
  write: (items: T[]) => Promise<void>,
  options: { writers?: number; maxBatch?: number } = {},
) {
  const writers = options.writers ?? 4;
  const maxBatch = options.maxBatch ?? 200;
  let queue: { item: T; done: () => void; failed: (error: unknown) => void }[] = [];
  let active = 0;

  async function drain(): Promise<void> {
    active += 1;
    while (queue.length > 0) {
      const batch = queue.slice(0, maxBatch);
      queue = queue.slice(batch.length);
      try {
        await write(batch.map((entry) => entry.item));
        for (const entry of batch) entry.done();
      } catch (error) {
        for (const entry of batch) entry.failed(error);
      }
    }
    active -= 1;
  }

  return (item: T): Promise<void> =>
    new Promise<void>((done, failed) => {
      queue.push({ item, done, failed });
      if (active < writers) void drain();
    });
}
