/**
 * Group commit: concurrent writes that arrive while the writers are busy wait, and the ones that waited
 * are written together by one `write` call (one transaction, set-based statements, one audit batch, one
 * commit). Under load many writes share a commit instead of queueing for one commit each; alone, a write
 * goes at once. Nothing is acknowledged before its commit: a write's promise resolves only after `write`
 * (which commits) and `committed` returned.
 *
 * Writes with the same `key` (a subject, say) are written one after another in the order they were made,
 * never two at once. A write holds its place while its `prepare` runs (checks, building rows), so later
 * writes of its key wait for it; a failing `prepare` fails that write alone.
 *
 * If a batch's `write` fails, nothing of it was committed (it is one transaction): each write of the
 * batch is then tried alone, so one bad write fails alone. What follows a commit must never throw, so
 * nothing committed is ever written twice.
 */
export type GroupCommitSettings = {
  /** Batches written at once (1 on PGlite, which has one connection). */
  writers: number;
  /** Most writes one batch carries. */
  maxBatch: number;
};

export type GroupCommitDeps<I, O> = {
  settings: GroupCommitSettings;
  /**
   * Writes the items and commits (one transaction, or one statement for one item); answers each item's
   * outcome in order, or `undefined` for an item refused with nothing of it written.
   */
  write(items: I[]): Promise<(O | undefined)[]>;
  /** After the commit, before the answers (announcing the change to other processes). Never throws. */
  committed?(items: I[], outcomes: O[]): Promise<void>;
  /** Why refused items were refused, after the commit: an error per item, in order. May throw. */
  refusals(items: I[]): Promise<unknown[]>;
};

type Job<I, O> = {
  key: string | undefined;
  /** Undefined while the write is still preparing it; the write holds its place meanwhile. */
  item: I | undefined;
  resolve: (outcome: O | undefined) => void;
  reject: (error: unknown) => void;
};
type ReadyJob<I, O> = Job<I, O> & { item: I };

export function groupCommit<I, O>({ settings, write, committed, refusals }: GroupCommitDeps<I, O>) {
  const queue: Job<I, O>[] = [];
  const keysInFlight = new Set<string>();
  let active = 0;

  /**
   * The next batch: prepared writes in order, one per key, skipping keys being written and keys with an
   * earlier write still preparing (it keeps its place).
   */
  function take(): ReadyJob<I, O>[] {
    const batch: ReadyJob<I, O>[] = [];
    const waiting = new Set<string>();
    for (let index = 0; index < queue.length && batch.length < settings.maxBatch; ) {
      const job = queue[index] as Job<I, O>;
      const { key } = job;
      if (job.item === undefined || (key !== undefined && (keysInFlight.has(key) || waiting.has(key)))) {
        if (key !== undefined) waiting.add(key);
        index += 1;
        continue;
      }
      if (key !== undefined) keysInFlight.add(key);
      batch.push(job as ReadyJob<I, O>);
      queue.splice(index, 1);
    }
    return batch;
  }

  function pump() {
    while (active < settings.writers && queue.length > 0) {
      const batch = take();
      if (batch.length === 0) return;
      active += 1;
      let released = false;
      // The writer is free for the next batch as soon as this one committed (or failed for good); the
      // `committed` step and the answers follow meanwhile.
      const release = () => {
        if (released) return;
        released = true;
        for (const job of batch) if (job.key !== undefined) keysInFlight.delete(job.key);
        active -= 1;
        pump();
      };
      void run(batch, release).finally(release);
    }
  }

  async function run(batch: ReadyJob<I, O>[], release: () => void): Promise<void> {
    let wrote = false;
    try {
      await writeTogether(batch, () => {
        wrote = true;
        release();
      });
    } catch (error) {
      // A failure after the commit: the batch is written and must not be written again.
      if (wrote) {
        for (const job of batch) job.reject(error);
        return;
      }
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      for (const job of batch) {
        await writeTogether([job], () => {}).catch((alone: unknown) => job.reject(alone));
      }
    }
  }

  async function writeTogether(batch: ReadyJob<I, O>[], release: () => void): Promise<void> {
    const outcomes = await write(batch.map((job) => job.item));
    release();
    const written: [ReadyJob<I, O>, O][] = [];
    const refused: ReadyJob<I, O>[] = [];
    for (const [index, job] of batch.entries()) {
      const outcome = outcomes[index];
      if (outcome === undefined) refused.push(job);
      else written.push([job, outcome]);
    }
    if (written.length > 0 && committed) {
      await committed(
        written.map(([job]) => job.item),
        written.map(([, outcome]) => outcome),
      );
    }
    for (const [job, outcome] of written) job.resolve(outcome);
    if (refused.length > 0) await refuse(refused);
  }

  /** Writes refused: nothing of theirs was written. Never throws. */
  async function refuse(jobs: ReadyJob<I, O>[]): Promise<void> {
    let errors: unknown[];
    try {
      errors = await refusals(jobs.map((job) => job.item));
    } catch (error) {
      for (const job of jobs) job.reject(error);
      return;
    }
    for (const [index, job] of jobs.entries()) job.reject(errors[index]);
  }

  function remove(job: Job<I, O>) {
    const index = queue.indexOf(job);
    if (index >= 0) queue.splice(index, 1);
  }

  return {
    /**
     * Takes its place at once, runs `prepare` meanwhile, and writes what it prepared with whatever else
     * is waiting; resolves once committed. `prepare` answering `undefined` means nothing to write: the
     * write resolves `undefined` at once.
     */
    submit(key: string | undefined, prepare: () => Promise<I | undefined>): Promise<O | undefined> {
      return new Promise((resolve, reject) => {
        const job: Job<I, O> = { key, item: undefined, resolve, reject };
        queue.push(job);
        prepare().then(
          (item) => {
            if (item === undefined) {
              remove(job);
              resolve(undefined);
            } else {
              job.item = item;
            }
            pump();
          },
          (error: unknown) => {
            remove(job);
            reject(error);
            pump();
          },
        );
      });
    },
  };
}

export type GroupCommit<I, O> = ReturnType<typeof groupCommit<I, O>>;
