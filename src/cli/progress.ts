import cliProgress from 'cli-progress';

export type Progress = { update(done: number, detail?: string): void; stop(): void };

/**
 * Progress for long-running commands: a bar when stdout is a terminal, plain lines otherwise (CI logs,
 * pipes), at most one line per `lineEveryMs` plus the last.
 */
export function createProgress(
  label: string,
  total: number,
  out: NodeJS.WriteStream = process.stdout,
  lineEveryMs = 1000,
): Progress {
  if (out.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {value}/{total} {percentage}% {detail}`, hideCursor: true, stream: out },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { detail: '' });
    return { update: (done, detail = '') => bar.update(done, { detail }), stop: () => bar.stop() };
  }
  let lastLine = 0;
  let last = -1;
  const print = (done: number, detail: string) => {
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    out.write(`${label}: ${done}/${total} (${percent}%)${detail ? ` ${detail}` : ''}\n`);
    lastLine = Date.now();
    last = done;
  };
  return {
    update(done, detail = '') {
      if (done === total || Date.now() - lastLine >= lineEveryMs) print(done, detail);
    },
    stop() {
      if (last !== total) print(total, '');
    },
  };
}
