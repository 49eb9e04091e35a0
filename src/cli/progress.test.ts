import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createProgress } from './progress.js';

/** An output that is not a terminal (a CI log, a pipe), recording what is written to it. */
function pipeOutput() {
  const written: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      written.push(chunk.toString());
      done();
    },
  });
  Object.assign(stream, { isTTY: false });
  return { stream: stream as unknown as NodeJS.WriteStream, text: () => written.join('') };
}

describe('progress on a non-terminal output', () => {
  it('prints one plain line per update, with no bar and no escape codes', () => {
    const out = pipeOutput();
    const progress = createProgress('Migrating', 3, out.stream, 0);
    progress.update(1, '0001_foundation');
    progress.update(2, '0002_access');
    progress.update(3, '0003_audit');
    progress.stop();
    expect(out.text()).toBe(
      [
        'Migrating: 1/3 (33%) 0001_foundation',
        'Migrating: 2/3 (66%) 0002_access',
        'Migrating: 3/3 (100%) 0003_audit',
        '',
      ].join('\n'),
    );
  });

  it('skips lines while updates come faster than the interval, but always prints the last', () => {
    const out = pipeOutput();
    const progress = createProgress('Importing', 1000, out.stream, Number.POSITIVE_INFINITY);
    for (let done = 1; done <= 1000; done += 1) progress.update(done);
    progress.stop();
    expect(out.text()).toBe('Importing: 1000/1000 (100%)\n');
  });

  it('reports completion on stop even when the last step was never reported', () => {
    const out = pipeOutput();
    const progress = createProgress('Migrating', 0, out.stream, 0);
    progress.stop();
    expect(out.text()).toBe('Migrating: 0/0 (100%)\n');
  });
});
