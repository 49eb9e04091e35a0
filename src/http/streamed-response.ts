import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import { type Problem, problemFor, toAppError } from './problem.js';

/** How a streamed body of each kind says, after its last good chunk, that it stopped on an error. */
export type StreamedFormat = 'ndjson' | 'csv' | 'json';

/** The CSV trailer row that ends a failed export: `#error` in the first column, then code, request id, detail. */
export const csvErrorMarker = '#error';

/**
 * The last line of a stream that failed after its first byte. NDJSON gets one more JSON line,
 * `{"error":<problem>}`; CSV a row starting with `#error`; a streamed JSON document stays unclosed (so no
 * parser takes it as complete) and gets the same error line after a line break.
 */
export function streamErrorLine(format: StreamedFormat, problem: Problem): string {
  if (format === 'csv') {
    const detail = `"${problem.detail.replaceAll('"', '""')}"`;
    return `${csvErrorMarker},${problem.code},${problem.requestId},${detail}\r\n`;
  }
  const line = `${JSON.stringify({ error: problem })}\n`;
  return format === 'json' ? `\n${line}` : line;
}

async function* withErrorTrailer(
  reply: FastifyReply,
  first: string,
  rest: AsyncIterator<string>,
  format: StreamedFormat,
): AsyncGenerator<string> {
  yield first;
  try {
    for (let next = await rest.next(); !next.done; next = await rest.next()) yield next.value;
  } catch (error) {
    const appError = toAppError(error);
    reply.request.log.error(
      { err: appError.cause ?? error },
      'streamed response failed after its first byte',
    );
    yield streamErrorLine(format, problemFor(appError, reply.request));
  } finally {
    // A client that went away stops this generator; the source must hear it too (its cleanup runs).
    await rest.return?.();
  }
}

/**
 * Sends a streamed body, the one way every streamed response goes out. The first chunk is produced before
 * the status line, so anything that fails up to then (validation, access, a missing subject, the first
 * query) is an ordinary problem response; a failure after it ends the body with an explicit error line
 * ({@link streamErrorLine}) and a complete response, never a dropped connection that looks like the end.
 */
export async function sendStreamed(
  reply: FastifyReply,
  chunks: AsyncIterable<string>,
  format: StreamedFormat,
): Promise<FastifyReply> {
  const iterator = chunks[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done) return reply.send('');
  // A stream is sent as is (Fastify skips serialization); route schemas document what it carries.
  return reply.send(
    Readable.from(withErrorTrailer(reply, first.value, iterator, format)) as unknown as string,
  );
}
