import { describe, expect, it } from 'vitest';
import type { Logger } from '../../logger.js';
import { auditPruneJob } from './audit-jobs.js';
import type { PruneResult } from './audit-prune.js';

function quietLogger(lines: string[]): Logger {
  return {
    info: (_: unknown, message: string) => lines.push(message),
    error: (_: unknown, message: string) => lines.push(message),
  } as unknown as Logger;
}

function pruned(more: boolean): PruneResult {
  return {
    status: 'pruned',
    plan: { cutSeq: 1, entries: 10, byClass: { access: 10 }, chains: [], more },
    file: 'audit-segment-000000000001.ndjson',
    cut: { cutSeq: 1, hash: '0'.repeat(64) },
  };
}

describe('the audit.prune job', () => {
  it('cuts again while a run left more due, as the system actor, on its schedule', async () => {
    const results = [pruned(true), pruned(false)];
    const actors: string[] = [];
    const lines: string[] = [];
    const job = auditPruneJob(
      {
        prune: async ({ context }) => {
          actors.push(`${context.actor.type}:${context.actor.id}`);
          return results.shift() as PruneResult;
        },
      },
      quietLogger(lines),
      '45 2 * * *',
    );
    expect(job.schedule).toBe('45 2 * * *');
    await job.handler({}, { id: 'job-1' });
    expect(actors).toEqual(['system:audit.prune', 'system:audit.prune']);
    expect(lines).toEqual([
      'audit log pruned into an archive segment',
      'audit log pruned into an archive segment',
    ]);
  });

  it('stops and logs an error when the log failed verification', async () => {
    const lines: string[] = [];
    const job = auditPruneJob(
      { prune: async () => ({ status: 'refused', problem: 'hash_mismatch', seq: 7, message: 'changed' }) },
      quietLogger(lines),
      undefined,
    );
    expect(job.schedule).toBeUndefined();
    await job.handler({}, { id: 'job-2' });
    expect(lines).toEqual(['audit log not pruned: it failed verification']);
  });
});
