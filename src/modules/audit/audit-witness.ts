import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuditCheckpoint } from './audit-entry.js';
import { ZCheckpointFields } from './audit-export.js';

/**
 * Checkpoints kept outside the database, by a witness: a directory the checkpoint job writes each chained
 * checkpoint to (one file each, never overwritten), or a file of JSON lines (`custos audit checkpoints
 * export`). `custos audit verify --witness` then proves the database still holds what was witnessed.
 */
const filePattern = /^checkpoint-(\d{12})\.json$/;

export function witnessFileName(checkpointSeq: number): string {
  return `checkpoint-${String(checkpointSeq).padStart(12, '0')}.json`;
}

/** One JSON line per checkpoint, as exported and as a witness file holds them. */
export function checkpointLine(checkpoint: AuditCheckpoint): string {
  return `${JSON.stringify({ kind: 'checkpoint', ...checkpoint })}\n`;
}

/** The highest checkpoint number already in a witness directory (0 when none). */
export function lastWitnessed(dir: string): number {
  let last = 0;
  for (const name of readdirSync(dir)) {
    const match = filePattern.exec(name);
    if (match) last = Math.max(last, Number(match[1]));
  }
  return last;
}

/**
 * Writes chained checkpoints to a witness directory, a file each. A file that exists is left as it is
 * (another instance wrote it, or the witness keeps it): the witness's copy is never replaced.
 */
export function writeToWitnessDir(dir: string, checkpoints: readonly AuditCheckpoint[]): number {
  let written = 0;
  for (const checkpoint of checkpoints) {
    if (checkpoint.checkpointSeq === undefined) continue;
    try {
      writeFileSync(join(dir, witnessFileName(checkpoint.checkpointSeq)), checkpointLine(checkpoint), {
        flag: 'wx',
        mode: 0o644,
      });
      written += 1;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return written;
}

function parseCheckpoint(text: string, where: string): AuditCheckpoint {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`${where} is not JSON`);
  }
  const { kind: _kind, ...fields } = (value ?? {}) as Record<string, unknown>;
  const parsed = ZCheckpointFields.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(
      `${where} is not a checkpoint: ${issue?.path.join('.') || 'line'} ${issue?.message ?? ''}`,
    );
  }
  return parsed.data as AuditCheckpoint;
}

/** Reads witnessed checkpoints: a witness directory, or a file of JSON lines. */
export function readWitness(path: string): AuditCheckpoint[] {
  if (statSync(path).isDirectory()) {
    return readdirSync(path)
      .filter((name) => filePattern.test(name))
      .sort()
      .map((name) => parseCheckpoint(readFileSync(join(path, name), 'utf8').trim(), name));
  }
  return readFileSync(path, 'utf8')
    .split('\n')
    .map((line, index) => ({ line: line.trim(), number: index + 1 }))
    .filter(({ line }) => line !== '')
    .map(({ line, number }) => parseCheckpoint(line, `line ${number} of ${path}`));
}
