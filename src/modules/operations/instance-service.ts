import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Kysely } from 'kysely';
import type { DB } from '../../db/schema.js';
import type { Clock } from '../../lib/clock.js';
import type { InstanceRow, InstanceStore } from './instance-store.js';

export const heartbeatIntervalMs = 15_000;
/** An instance silent for this long is considered gone. */
export const staleAfterMs = 5 * 60_000;

/**
 * Tracks the Custos processes running against this database: each registers at start, heartbeats while
 * it runs and deregisters on a clean shutdown; the maintenance job prunes those that died.
 */
export function instanceService(deps: {
  db: Kysely<DB>;
  store: InstanceStore;
  clock: Clock;
  version: string;
}) {
  const { db, store, clock, version } = deps;

  /** Registers this process and heartbeats until the returned stop function is called. */
  async function register(role: InstanceRow['role']): Promise<{ id: string; stop(): Promise<void> }> {
    const id = randomUUID();
    await store.upsert(db, { id, role, hostname: hostname(), pid: process.pid, version }, clock.now());
    const timer = setInterval(() => {
      store.touch(db, id, clock.now()).catch(() => {});
    }, heartbeatIntervalMs);
    timer.unref();
    return {
      id,
      async stop() {
        clearInterval(timer);
        await store.remove(db, id).catch(() => {});
      },
    };
  }

  async function list(): Promise<(InstanceRow & { stale: boolean })[]> {
    const cutoff = clock.now().getTime() - staleAfterMs;
    return (await store.list(db)).map((row) => ({ ...row, stale: row.last_seen_at.getTime() < cutoff }));
  }

  /** Deletes instances that stopped heartbeating; returns how many. */
  async function pruneStale(): Promise<number> {
    return store.deleteNotSeenSince(db, new Date(clock.now().getTime() - staleAfterMs));
  }

  return { register, list, pruneStale };
}

export type InstanceService = ReturnType<typeof instanceService>;
