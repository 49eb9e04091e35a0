import type { Clock } from './clock.js';
import { digestSecret, randomSecret } from './secrets.js';

/** The columns every session table has (operators' sessions add MFA state, subjects' add nothing). */
export type SessionRecord = {
  /** SHA-256 of the session token; the token itself is only in the browser's cookie. */
  id: string;
  csrf_token: string;
  created_at: Date;
  last_seen_at: Date;
  expires_at: Date;
};

/**
 * What the kit needs of one side's session table. `X` is the executor (database or transaction), `New` a
 * new session's row (the shared columns and that side's own), `Live` the row `findLive` answers (a live,
 * unrevoked session joined with whatever its side needs to decide).
 */
export type SessionKitStore<X, New extends SessionRecord, Live extends SessionRecord> = {
  insert(tx: X, row: New): Promise<void>;
  findLive(tx: X, id: string): Promise<Live | undefined>;
  touch(tx: X, id: string, at: Date): Promise<void>;
  revoke(tx: X, id: string, at: Date): Promise<unknown>;
  deleteEnded(tx: X, cutoff: Date): Promise<number>;
};

/** When a session ends: absolutely, if left idle, and the instant (of the service's clock) both were worked out. */
export type SessionDeadlines = {
  expiresAt: Date;
  /** When the session ends unless another request comes first (idle timeout, capped at `expiresAt`). */
  idleExpiresAt: Date;
  /** The instant (of the service's clock) the deadlines were worked out at. */
  checkedAt: Date;
};

/** A session just opened: the token for the cookie, the CSRF token for the client, and its deadlines. */
export type StartedSession = SessionDeadlines & { token: string; csrfToken: string };

export type SessionProblem = 'session_expired' | 'session_invalid';

export type SessionTimeouts = { idleTimeoutMs: number; absoluteTimeoutMs: number };

/** Sessions are touched at most this often, so an active client does not write on every request. */
export const touchEveryMs = 60_000;
/** Ended (expired or revoked) sessions are kept this long before pruning deletes them. */
export const endedSessionRetentionMs = 24 * 3_600_000;

/** The instant an idle session ends: its last touch plus the idle timeout, never after its absolute end. */
export function idleDeadlineOf(lastSeenAt: Date, expiresAt: Date, idleTimeoutMs: number): Date {
  return new Date(Math.min(lastSeenAt.getTime() + idleTimeoutMs, expiresAt.getTime()));
}

/**
 * The session lifecycle both operators and data subjects share: issuing a token and CSRF token (only the
 * token's digest is stored), the idle and absolute timeouts, touching the idle clock at most once a minute,
 * revocation and pruning. Each side keeps its own table, audit entries and what a session means.
 */
export function sessionKit<X, New extends SessionRecord, Live extends SessionRecord>({
  store,
  clock,
  timeouts,
}: {
  store: SessionKitStore<X, New, Live>;
  clock: Clock;
  timeouts: SessionTimeouts;
}) {
  /** Opens a fresh session (new token, new CSRF token) with the side's own columns. */
  async function start(tx: X, owner: Omit<New, keyof SessionRecord>): Promise<StartedSession> {
    const now = clock.now();
    const token = randomSecret(32);
    const csrfToken = randomSecret(24);
    const expiresAt = new Date(now.getTime() + timeouts.absoluteTimeoutMs);
    await store.insert(tx, {
      ...(owner as New),
      id: digestSecret(token),
      csrf_token: csrfToken,
      created_at: now,
      last_seen_at: now,
      expires_at: expiresAt,
    } as New);
    return {
      token,
      csrfToken,
      expiresAt,
      idleExpiresAt: idleDeadlineOf(now, expiresAt, timeouts.idleTimeoutMs),
      checkedAt: now,
    };
  }

  /**
   * The live session for a cookie token, as its side `present`s it with its deadlines, or why there is
   * none: `session_invalid` when unknown, revoked or not `usable` (its owner disabled), `session_expired`
   * past the idle or absolute timeout. Refreshes the idle clock when the last touch is a minute old or more.
   */
  async function authenticate<S>(
    db: X,
    token: string,
    side: { present: (row: Live) => S; usable?: (row: Live) => boolean },
  ): Promise<{ session: S & SessionDeadlines } | { problem: SessionProblem }> {
    const now = clock.now();
    const row = await store.findLive(db, digestSecret(token));
    if (!row || side.usable?.(row) === false) return { problem: 'session_invalid' };
    const idleDeadline = row.last_seen_at.getTime() + timeouts.idleTimeoutMs;
    if (row.expires_at.getTime() <= now.getTime() || idleDeadline <= now.getTime()) {
      return { problem: 'session_expired' };
    }
    const touched = now.getTime() - row.last_seen_at.getTime() >= touchEveryMs;
    if (touched) await store.touch(db, row.id, now);
    const lastSeenAt = touched ? now : row.last_seen_at;
    return {
      session: {
        ...side.present(row),
        expiresAt: row.expires_at,
        idleExpiresAt: idleDeadlineOf(lastSeenAt, row.expires_at, timeouts.idleTimeoutMs),
        checkedAt: now,
      },
    };
  }

  /** Ends one session now. */
  async function revoke(tx: X, id: string): Promise<void> {
    await store.revoke(tx, id, clock.now());
  }

  /** The instant before which ended sessions (and what else is pruned with them) may be deleted. */
  function pruneCutoff(): Date {
    return new Date(clock.now().getTime() - endedSessionRetentionMs);
  }

  /** Deletes sessions that ended (expired or revoked) more than a day ago. */
  function prune(db: X): Promise<number> {
    return store.deleteEnded(db, pruneCutoff());
  }

  return { start, authenticate, revoke, pruneCutoff, prune };
}
