import { StringDecoder } from 'node:string_decoder';

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The subject id on one NDJSON line: a JSON string (`"…"`), an object with `subjectId` (or `id`), or a
 * bare id. Undefined when the line holds no well-formed subject id; null for a blank line.
 */
export function subjectIdOnLine(line: string): string | undefined | null {
  const text = line.trim();
  if (text === '') return null;
  let candidate: unknown = text;
  // The common shape, a quoted id, without the cost of JSON.parse.
  if (text.length === 38 && text.startsWith('"') && text.endsWith('"')) candidate = text.slice(1, -1);
  else if (text.startsWith('"') || text.startsWith('{')) {
    try {
      const parsed: unknown = JSON.parse(text);
      candidate =
        typeof parsed === 'object' && parsed !== null
          ? ((parsed as { subjectId?: unknown; id?: unknown }).subjectId ?? (parsed as { id?: unknown }).id)
          : parsed;
    } catch {
      return undefined;
    }
  }
  return typeof candidate === 'string' && uuidPattern.test(candidate) ? candidate.toLowerCase() : undefined;
}

export type IdBatch = { ids: string[]; invalid: number };

/** A line longer than this holds no subject id; it is counted invalid without being kept in memory. */
const maxLineLength = 4096;

/**
 * Splits an NDJSON byte stream into batches of `size` subject ids (the last one smaller), counting the
 * lines that held none. Memory stays bounded by one batch and one chunk, whatever the stream's length.
 */
export async function* subjectIdBatches(
  input: AsyncIterable<Buffer | string>,
  size: number,
): AsyncGenerator<IdBatch> {
  const decoder = new StringDecoder('utf8');
  let rest = '';
  let ids: string[] = [];
  let invalid = 0;
  /** Inside an overlong line: everything up to the next newline is dropped. */
  let skipping = false;
  const take = (line: string) => {
    if (skipping) {
      skipping = false;
      return;
    }
    const id = subjectIdOnLine(line);
    if (id) ids.push(id);
    else if (id === undefined) invalid += 1;
  };
  for await (const chunk of input) {
    const text = rest + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    let start = 0;
    for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', start)) {
      take(text.slice(start, end));
      start = end + 1;
      if (ids.length === size) {
        yield { ids, invalid };
        ids = [];
        invalid = 0;
      }
    }
    rest = text.slice(start);
    if (rest.length > maxLineLength) {
      if (!skipping) invalid += 1;
      skipping = true;
      rest = '';
    }
  }
  take(rest + decoder.end());
  if (ids.length > 0 || invalid > 0) yield { ids, invalid };
}
