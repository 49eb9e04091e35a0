import { describe, expect, it } from 'vitest';
import { fixedClock } from './clock.js';
import { digestSecret } from './secrets.js';
import {
  endedSessionRetentionMs,
  idleDeadlineOf,
  type SessionKitStore,
  type SessionRecord,
  sessionKit,
  touchEveryMs,
} from './session-kit.js';

type Row = SessionRecord & { owner: string; revoked_at: Date | null };

/** The kit's store over a Map, recording every touch so tests see when the idle clock is written. */
function memoryStore() {
  const rows = new Map<string, Row>();
  const touches: Date[] = [];
  const store: SessionKitStore<'db', Omit<Row, 'revoked_at'>, Row> = {
    async insert(_tx, row) {
      rows.set(row.id, { ...row, revoked_at: null });
    },
    async findLive(_tx, id) {
      const row = rows.get(id);
      return row && row.revoked_at === null ? { ...row } : undefined;
    },
    async touch(_tx, id, at) {
      touches.push(at);
      const row = rows.get(id);
      if (row) row.last_seen_at = at;
    },
    async revoke(_tx, id, at) {
      const row = rows.get(id);
      if (row && row.revoked_at === null) row.revoked_at = at;
    },
    async deleteEnded(_tx, cutoff) {
      let deleted = 0;
      for (const [id, row] of rows) {
        const ended = row.expires_at < cutoff || (row.revoked_at !== null && row.revoked_at < cutoff);
        if (ended && rows.delete(id)) deleted += 1;
      }
      return deleted;
    },
  };
  return { store, rows, touches };
}

const minute = 60_000;
/** How a side presents its session: here, just whose it is and its CSRF token. */
const side = { present: (row: Row) => ({ owner: row.owner, csrfToken: row.csrf_token }) };
const timeouts = { idleTimeoutMs: 30 * minute, absoluteTimeoutMs: 12 * 60 * minute };

function setUp() {
  const clock = fixedClock('2026-12-07T09:00:00.000Z');
  const memory = memoryStore();
  const kit = sessionKit({ store: memory.store, clock, timeouts });
  return { clock, kit, ...memory };
}

describe('session kit', () => {
  it('issues a token and a CSRF token, storing only the token digest with the side’s own columns', async () => {
    const { kit, rows, clock } = setUp();
    const started = await kit.start('db', { owner: 'operator-1' });
    expect(started.token).not.toBe(started.csrfToken);
    const row = rows.get(digestSecret(started.token));
    expect(row).toMatchObject({ owner: 'operator-1', csrf_token: started.csrfToken });
    expect([...rows.keys()]).not.toContain(started.token);
    expect(started.expiresAt).toEqual(new Date(clock.now().getTime() + timeouts.absoluteTimeoutMs));
    expect(started.idleExpiresAt).toEqual(new Date(clock.now().getTime() + timeouts.idleTimeoutMs));
    expect(started.checkedAt).toEqual(clock.now());
  });

  it('caps the idle deadline at the absolute end', () => {
    const expiresAt = new Date('2026-12-07T10:00:00.000Z');
    expect(idleDeadlineOf(new Date('2026-12-07T09:50:00.000Z'), expiresAt, 30 * minute)).toEqual(expiresAt);
    expect(idleDeadlineOf(new Date('2026-12-07T09:00:00.000Z'), expiresAt, 30 * minute)).toEqual(
      new Date('2026-12-07T09:30:00.000Z'),
    );
  });

  it('answers a live session as its side presents it, with its deadlines', async () => {
    const { kit, clock } = setUp();
    const started = await kit.start('db', { owner: 'subject-1' });
    clock.advance(5 * minute);
    const result = await kit.authenticate('db', started.token, side);
    expect(result).toEqual({
      session: {
        owner: 'subject-1',
        csrfToken: started.csrfToken,
        expiresAt: started.expiresAt,
        idleExpiresAt: new Date(clock.now().getTime() + timeouts.idleTimeoutMs),
        checkedAt: clock.now(),
      },
    });
  });

  it('calls an unknown, revoked or refused session invalid', async () => {
    const { kit } = setUp();
    expect(await kit.authenticate('db', 'no-such-token', side)).toEqual({ problem: 'session_invalid' });
    const revoked = await kit.start('db', { owner: 'a' });
    await kit.revoke('db', digestSecret(revoked.token));
    expect(await kit.authenticate('db', revoked.token, side)).toEqual({ problem: 'session_invalid' });
    const refused = await kit.start('db', { owner: 'disabled' });
    expect(
      await kit.authenticate('db', refused.token, { ...side, usable: (row) => row.owner !== 'disabled' }),
    ).toEqual({
      problem: 'session_invalid',
    });
  });

  it('calls a session expired at its idle deadline and at its absolute end', async () => {
    const { kit, clock } = setUp();
    const idle = await kit.start('db', { owner: 'a' });
    clock.advance(timeouts.idleTimeoutMs);
    expect(await kit.authenticate('db', idle.token, side)).toEqual({ problem: 'session_expired' });

    const active = await kit.start('db', { owner: 'b' });
    // Kept busy every 20 minutes, it still ends at its absolute end.
    for (let at = 20 * minute; at < timeouts.absoluteTimeoutMs; at += 20 * minute) {
      clock.set(new Date(active.checkedAt.getTime() + at));
      expect(await kit.authenticate('db', active.token, side)).toHaveProperty('session');
    }
    clock.set(active.expiresAt);
    expect(await kit.authenticate('db', active.token, side)).toEqual({ problem: 'session_expired' });
  });

  it('touches the idle clock at most once a minute, and the deadline follows the touch', async () => {
    const { kit, clock, touches } = setUp();
    const started = await kit.start('db', { owner: 'a' });
    clock.advance(touchEveryMs - 1);
    const early = await kit.authenticate('db', started.token, side);
    expect(touches).toEqual([]);
    expect(early).toMatchObject({ session: { idleExpiresAt: started.idleExpiresAt } });

    clock.advance(1);
    const due = await kit.authenticate('db', started.token, side);
    expect(touches).toEqual([clock.now()]);
    expect(due).toMatchObject({
      session: { idleExpiresAt: new Date(clock.now().getTime() + timeouts.idleTimeoutMs) },
    });
  });

  it('prunes sessions only a day after they ended', async () => {
    const { kit, clock, rows } = setUp();
    const revoked = await kit.start('db', { owner: 'a' });
    await kit.revoke('db', digestSecret(revoked.token));
    await kit.start('db', { owner: 'b' });
    expect(await kit.prune('db')).toBe(0);
    clock.advance(endedSessionRetentionMs + 1);
    expect(await kit.prune('db')).toBe(1);
    expect([...rows.values()].map((row) => row.owner)).toEqual(['b']);
    expect(kit.pruneCutoff()).toEqual(new Date(clock.now().getTime() - endedSessionRetentionMs));
  });
});
