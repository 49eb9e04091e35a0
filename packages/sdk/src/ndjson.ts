/** The lines of a UTF-8 NDJSON stream, without empty ones, as they arrive. */
export async function* ndjsonLines(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<string, void, undefined> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  let rest = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      rest += decoder.decode(value, { stream: true });
      const lines = rest.split('\n');
      rest = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) yield line;
    }
    rest += decoder.decode();
    if (rest.trim()) yield rest;
  } finally {
    reader.releaseLock();
  }
}

/**
 * A request body that sends the items of any iterable (sync or async) as NDJSON, `batch` lines per chunk,
 * reading the source only as fast as the server takes it.
 */
export function ndjsonBody<T>(
  items: Iterable<T> | AsyncIterable<T>,
  lineOf: (item: T) => string,
  batch = 1000,
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const iterator =
    Symbol.asyncIterator in items ? items[Symbol.asyncIterator]() : (items as Iterable<T>)[Symbol.iterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const lines: string[] = [];
      for (let count = 0; count < batch; count++) {
        const next = await iterator.next();
        if (next.done) break;
        lines.push(lineOf(next.value));
      }
      if (lines.length > 0) controller.enqueue(encoder.encode(`${lines.join('\n')}\n`));
      if (lines.length < batch) controller.close();
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
