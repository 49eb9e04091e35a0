import { Writable } from 'node:stream';

/** The app's log kept in memory, one chunk a line, so a test can assert what reaches the logs and what must not. */
export function captureLog(): { lines: string[]; stream: Writable } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { lines, stream };
}
