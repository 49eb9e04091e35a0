import { Worker } from 'node:worker_threads';
import type { BatchPlan, EncodedBatch, EncoderSetup, ImportLine } from './import-encoding.js';

export type ImportEncoder = {
  encode(lines: ImportLine[], plan: BatchPlan): Promise<EncodedBatch>;
  close(): Promise<void>;
};

/**
 * Starts the worker thread that validates and encrypts an import's lines, so that sealing values and
 * computing blind indexes run beside the thread that reads the file and talks to the database: on a
 * two-core machine that is most of the difference to 10,000 lines/s. Keys travel to the worker by
 * message, inside this process; nothing is written anywhere.
 */
export function startImportEncoder(setup: EncoderSetup): ImportEncoder {
  const worker = spawnWorker(setup);
  const pending = new Map<number, { resolve(batch: EncodedBatch): void; reject(error: Error): void }>();
  let nextId = 0;
  let failure: Error | undefined;
  const failAll = (error: Error) => {
    failure ??= error;
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  worker.on('message', (message: { id: number; batch?: EncodedBatch; error?: string }) => {
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if (message.batch) waiting?.resolve(message.batch);
    else waiting?.reject(new Error(`The import encoder failed: ${message.error}`));
  });
  worker.on('error', (error) => failAll(error));
  worker.on('exit', () => failAll(new Error('The import encoder stopped.')));
  return {
    encode(lines, plan) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker.postMessage({ id, lines, plan });
      });
    },
    async close() {
      await worker.terminate();
    },
  };
}

function spawnWorker(setup: EncoderSetup): Worker {
  const source = import.meta.url.endsWith('.ts');
  const entry = new URL(`./import-encoder-worker.${source ? 'ts' : 'js'}`, import.meta.url);
  // Everything a batch allocates is garbage once its result is posted: a small young generation will do.
  const resourceLimits = { maxYoungGenerationSizeMb: 32 };
  if (!source) return new Worker(entry, { workerData: setup, resourceLimits });
  // Running from TypeScript sources (tests, the dev server, benchmarks): load tsx in the worker first.
  return new Worker(
    `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry.href)}); })`,
    { eval: true, workerData: setup, resourceLimits },
  );
}
