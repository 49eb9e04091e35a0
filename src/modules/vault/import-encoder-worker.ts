import { parentPort, workerData } from 'node:worker_threads';
import { type BatchPlan, type EncoderSetup, encodeBatch, type ImportLine } from './import-encoding.js';

// The worker thread of one import: it encodes the batches its writer sends, one at a time, in order.
const setup = workerData as EncoderSetup;
setup.blindIndexKey = Buffer.from(setup.blindIndexKey);

parentPort?.on('message', (message: { id: number; lines: ImportLine[]; plan: BatchPlan }) => {
  try {
    const batch = encodeBatch(setup, message.lines, message.plan);
    parentPort?.postMessage({ id: message.id, batch }, [batch.records.document.buffer as ArrayBuffer]);
  } catch (error) {
    parentPort?.postMessage({ id: message.id, error: error instanceof Error ? error.message : 'failed' });
  }
});
