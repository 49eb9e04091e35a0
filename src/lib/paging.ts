import { AppError } from './app-error.js';

/**
 * Opaque keyset-paging cursors. A page is asked for with the cursor of the last item of the previous one;
 * the cursor is that item's sort key, base64url-encoded so that clients treat it as a token. A cursor this
 * server could not have issued is refused with 400, never passed on to SQL.
 */

const foreign = () => new AppError('invalid_query_parameter', 'The cursor is not one this server issued.');
const encode = (text: string) => Buffer.from(text, 'utf8').toString('base64url');
const decode = (cursor: string) => Buffer.from(cursor, 'base64url').toString('utf8');
const uuidPattern = /^[0-9a-f-]{36}$/;

/** Cursors over a positive sequence number (audit entries, webhook deliveries). */
export const sequenceCursor = {
  encode: (seq: number): string => encode(String(seq)),
  decode(cursor: string): number {
    const seq = Number(decode(cursor));
    if (!Number.isSafeInteger(seq) || seq < 1) throw foreign();
    return seq;
  },
};

/** Cursors over a (time, id) pair, for lists ordered by a timestamp with the id as tie-breaker. */
export const timeIdCursor = {
  encode: (at: Date, id: string): string => encode(`${at.toISOString()}|${id}`),
  decode(cursor: string): { at: Date; id: string } {
    const [text, id] = decode(cursor).split('|');
    const at = new Date(text ?? '');
    if (!id || Number.isNaN(at.getTime()) || !uuidPattern.test(id)) throw foreign();
    return { at, id };
  },
};

/** Cursors over a (text, id) pair, for lists ordered by a name or title with the id as tie-breaker. */
export const textIdCursor = {
  encode: (text: string, id: string): string => encode(`${id}|${text}`),
  decode(cursor: string): { text: string; id: string } {
    const decoded = decode(cursor);
    const id = decoded.slice(0, 36);
    if (decoded[36] !== '|' || !uuidPattern.test(id)) throw foreign();
    return { text: decoded.slice(37), id };
  },
};

/**
 * The page of a keyset query that asked for `limit + 1` rows: the first `limit` items, and the cursor of the
 * last one when the extra row shows that more follow.
 */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  present: (row: Row) => Item,
  cursorOf: (row: Row) => string,
): { items: Item[]; nextCursor: string | null } {
  const shown = rows.slice(0, limit);
  const last = shown.at(-1);
  return { items: shown.map(present), nextCursor: rows.length > limit && last ? cursorOf(last) : null };
}
