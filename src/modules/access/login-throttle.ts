import type { Executor } from '../../db/database.js';
import { digestSecret } from '../../lib/secrets.js';
import { truncateIp } from '../audit/client-ip.js';
import type { SessionStore } from './session-store.js';

const windowMs = 15 * 60_000;
const baseBackoffMs = 30_000;
const maxBackoffMs = 15 * 60_000;
/** Never reached: the account-wide counter counts, it does not block. */
const countOnly = Number.MAX_SAFE_INTEGER;

export type ThrottleKey = { key: string; maxFailures: number };

/**
 * The keys of one login attempt: the account with the client's network (blocks that pair), the client
 * address (blocks it across accounts), and the account alone (counts; never refuses).
 */
export type LoginKeys = { pair: ThrottleKey; client: ThrottleKey | undefined; account: ThrottleKey };

export type LoginLimits = { loginMaxFailures: number; loginMaxFailuresPerIp: number };

/** Throttle keys never hold the e-mail address or IP itself, only digests of them. */
export function ipThrottleKey(ip: string, maxFailures: number): ThrottleKey {
  return { key: `ip:${digestSecret(ip)}`, maxFailures };
}
export function mfaThrottleKey(operatorId: string, maxFailures: number): ThrottleKey {
  return { key: `mfa:${operatorId}`, maxFailures };
}

/** The client's network: IPv4 /24, IPv6 /64 (one household or office line, not one device). */
export function clientNetworkOf(ip: string | null): string {
  return (ip && truncateIp(ip, 4)) ?? 'unknown';
}

/** The keys of a login attempt on an account (`scope` separates operators from data subjects). */
export function loginKeysFor(
  scope: 'account' | 'subject',
  email: string,
  ip: string | null,
  limits: LoginLimits,
): LoginKeys {
  const account = email.trim().toLowerCase();
  return {
    pair: {
      key: `${scope}-net:${digestSecret(`${account}\n${clientNetworkOf(ip)}`)}`,
      maxFailures: limits.loginMaxFailures,
    },
    client: ip ? ipThrottleKey(ip, limits.loginMaxFailuresPerIp) : undefined,
    account: { key: `${scope}:${digestSecret(account)}`, maxFailures: countOnly },
  };
}

/**
 * Exponential backoff after repeated failures: once a key has `maxFailures` failures within 15 minutes,
 * each further failure blocks it for 30 s, 60 s, 120 s … up to 15 minutes. Kept in the database, so every
 * instance sees the same counts.
 *
 * Logins are throttled per (account, client network), never per account alone: failures from one network
 * cannot lock the owner out from another (ASVS 2.2.1, NIST SP 800-63B 5.2.2). The account-wide count
 * slows the account instead: once it passes twice the per-network allowance (failures from several
 * networks), every network gets one failure before its backoff starts, so spreading guesses over networks
 * buys one guess per network per backoff, while the first attempt from a network is always checked.
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

  /** Counts a failure against one key; returns whether it is blocked now. */
  async function countFailure(tx: Executor, throttleKey: ThrottleKey, now: Date) {
    const { key, maxFailures } = throttleKey;
    const row = await store.findThrottle(tx, key);
    const fresh = !row || now.getTime() - row.window_started_at.getTime() > windowMs;
    const failures = fresh ? 1 : row.failures + 1;
    const over = failures - maxFailures;
    const blockedUntil =
      over >= 0 ? new Date(now.getTime() + Math.min(baseBackoffMs * 2 ** over, maxBackoffMs)) : null;
    await store.saveThrottle(tx, {
      key,
      failures,
      window_started_at: fresh ? now : row.window_started_at,
      blocked_until: blockedUntil,
    });
    return { failures, blocked: blockedUntil !== null };
  }

  /** Counts a failure against each key; returns true when this failure blocked one of them. */
  async function recordFailure(tx: Executor, keys: ThrottleKey[], now: Date): Promise<boolean> {
    let blocked = false;
    for (const key of keys) blocked = (await countFailure(tx, key, now)).blocked || blocked;
    return blocked;
  }

  /** Milliseconds until this login attempt may be checked: its (account, network) pair or its client. */
  function loginBlockedFor(tx: Executor, keys: LoginKeys, now: Date): Promise<number> {
    return blockedFor(tx, [keys.pair, ...(keys.client ? [keys.client] : [])], now);
  }

  /**
   * Counts a failed login. `blocked`: this attempt's pair or client is now backed off (`pairBlocked`,
   * `clientBlocked`); `accountSlowed`: this failure put the account into its slowed state (once per window).
   */
  async function recordLoginFailure(tx: Executor, keys: LoginKeys, now: Date) {
    const slowAfter = keys.pair.maxFailures * 2;
    const { failures } = await countFailure(tx, keys.account, now);
    const pair = failures > slowAfter ? { ...keys.pair, maxFailures: 1 } : keys.pair;
    const pairBlocked = (await countFailure(tx, pair, now)).blocked;
    const clientBlocked = keys.client ? (await countFailure(tx, keys.client, now)).blocked : false;
    return {
      blocked: pairBlocked || clientBlocked,
      pairBlocked,
      clientBlocked,
      accountSlowed: failures === slowAfter + 1,
    };
  }

  async function clear(tx: Executor, key: ThrottleKey) {
    await store.clearThrottle(tx, key.key);
  }

  return { blockedFor, recordFailure, loginBlockedFor, recordLoginFailure, clear };
}

export type LoginThrottle = ReturnType<typeof loginThrottle>;
