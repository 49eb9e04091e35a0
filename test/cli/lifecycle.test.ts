import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it, vi } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));
// The first start on a new data directory initialises the embedded database, which takes a while.
const startupDeadlineMs = 120_000;

type Cli = {
  process: ChildProcess;
  stdout(): string;
  stderr(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
};

/** Runs the real `custos` command as a user would, with only the settings given (no DATABASE_URL). */
function custos(args: string[], env: Record<string, string> = {}): Cli {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('CUSTOS_') && name !== 'DATABASE_URL'),
  );
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli/index.ts', ...args], {
    cwd: root,
    env: { ...inherited, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('close', (code, signal) => resolve({ code, signal })),
  );
  return { process: child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Resolves with the URL `custos serve` announces on stderr; rejects if the process exits first. */
function announcedUrl(cli: Cli): Promise<string> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = /Custos is running at (\S+)/.exec(cli.stderr());
      if (!match?.[1]) return;
      cli.process.stderr?.off('data', check);
      resolve(match[1]);
    };
    cli.process.stderr?.on('data', check);
    cli.exited.then(({ code, signal }) =>
      reject(new Error(`custos exited (${code ?? signal}) before it was running:\n${cli.stderr()}`)),
    );
    check();
  });
}

async function waitUntilReady(url: string): Promise<void> {
  await vi.waitFor(
    async () => {
      const response = await fetch(`${url}/ready`);
      expect(response.status).toBe(200);
    },
    { timeout: 30_000, interval: 100 },
  );
}

describe('custos serve on the embedded database', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'custos-cli-'));
  const env = { CUSTOS_DATA_DIR: dataDir, CUSTOS_PORT: '0', CUSTOS_LOG_LEVEL: 'info' };
  const running: Cli[] = [];
  afterAll(() => {
    for (const cli of running) cli.process.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'starts, becomes ready and stops cleanly on SIGINT',
    async () => {
      const cli = custos(['serve'], env);
      running.push(cli);
      const url = await announcedUrl(cli);
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await waitUntilReady(url);

      cli.process.kill('SIGINT');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(cli.stdout()).toContain('database migrated');
    },
    startupDeadlineMs,
  );

  it(
    'starts again on the same data directory with its data kept, and stops cleanly on SIGTERM',
    async () => {
      const cli = custos(['serve'], env);
      running.push(cli);
      await waitUntilReady(await announcedUrl(cli));

      cli.process.kill('SIGTERM');
      expect(await cli.exited).toEqual({ code: 0, signal: null });
      expect(cli.stdout()).not.toContain('database migrated');

      const status = custos(['migrate', '--status'], env);
      expect((await status.exited).code).toBe(0);
      expect(status.stdout()).toMatch(/^[1-9]\d* applied, 0 pending$/m);
    },
    startupDeadlineMs,
  );
});

describe('the custos command', () => {
  it('refuses an invalid setting, naming the variable but not the value', async () => {
    const cli = custos(['serve'], { CUSTOS_PORT: 'notaport' });
    const { code } = await cli.exited;
    expect(code).not.toBe(0);
    expect(cli.stderr()).toContain('CUSTOS_PORT');
    expect(cli.stderr()).not.toContain('notaport');
  });

  it.each([['serve'], ['migrate']])('explains `custos %s --help` and exits 0', async (command) => {
    const cli = custos([command, '--help']);
    expect((await cli.exited).code).toBe(0);
    expect(cli.stdout()).toContain(`Usage: custos ${command}`);
  });
});
