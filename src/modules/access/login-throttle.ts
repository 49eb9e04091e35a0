import type { Executor } from '../../db/database.js';
import { digestSecret } from '../../lib/secrets.js';
import type { SessionStore } from './session-store.js';

const windowMs = 15 * 60_000;
const baseBackoffMs = 30_000;
const maxBackoffMs = 15 * 60_000;

export type ThrottleKey = { key: string; maxFailures: number };

/** Throttle keys never hold the e-mail address or IP itself, only digests of them. */
export function accountThrottleKey(email: string, maxFailures: number): ThrottleKey {
  return { key: `account:${digestSecret(email.trim().toLowerCase())}`, maxFailures };
}
export function ipThrottleKey(ip: string, maxFailures: number): ThrottleKey {
  return { key: `ip:${digestSecret(ip)}`, maxFailures };
}
export function mfaThrottleKey(operatorId: string, maxFailures: number): ThrottleKey {
  return { key: `mfa:${operatorId}`, maxFailures };
}

/**
 * Exponential backoff after repeated failures: once a key has `maxFailures` failures within 15 minutes,
 * each further failure blocks it for 30 s, 60 s, 120 s … up to 15 minutes. Kept in the database, so every
 * instance sees the same counts.
 */
export function loginThrottle(store: SessionStore) {
  /** Milliseconds until the earliest of the keys is unblocked, or 0 when none is blocked. */
  async function blockedFor(tx: Executor, keys: ThrottleKey[], now: Date): Promise<number> {
    let longest = 0;
    for (const { key } of keys) {
      const row = await store.findThrottle(tx, key);
      const until = row?.blocked_until?.getTime() ?? 0;
      longest = Math.max(longest, until - now.getTime());
    }
    return longest;
  }

  /** Counts a failure against each key; returns true when this failure blocked one of them. */
  async function recordFailure(tx: Executor, keys: ThrottleKey[], now: Date): Promise<boolean> {
    return (await recordFailures(tx, keys, now)).length > 0;
  }

  /** Counts a failure against each key; returns the keys this failure blocked (or kept blocked). */
  async function recordFailures(tx: Executor, keys: ThrottleKey[], now: Date): Promise<ThrottleKey[]> {
    const blocked: ThrottleKey[] = [];
    for (const throttleKey of keys) {
      const { key, maxFailures } = throttleKey;
      const row = await store.findThrottle(tx, key);
      const fresh = !row || now.getTime() - row.window_started_at.getTime() > windowMs;
      const failures = fresh ? 1 : row.failures + 1;
      const over = failures - maxFailures;
      const blockedUntil =
        over >= 0 ? new Date(now.getTime() + Math.min(baseBackoffMs * 2 ** over, maxBackoffMs)) : null;
      if (blockedUntil !== null) blocked.push(throttleKey);
      await store.saveThrottle(tx, {
        key,
        failures,
        window_started_at: fresh ? now : row.window_started_at,
        blocked_until: blockedUntil,
      });
    }
    return blocked;
  }

  async function clear(tx: Executor, key: ThrottleKey) {
    await store.clearThrottle(tx, key.key);
  }

  return { blockedFor, recordFailure, recordFailures, clear };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
