import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';

/**
 * Runs `body` under the V8 CPU profiler of this process (the server's event loop: scenarios run the
 * server in-process, the load generator in a worker thread) when BENCH_PROFILE_DIR is set, and writes
 * `<dir>/<name>.<database>.cpuprofile` (open it in Chrome DevTools, or summarize it with `bench/profile-summary.ts`).
 * Without BENCH_PROFILE_DIR it only runs `body`: figures are never measured under the profiler.
 */
export async function profiled<T>(name: string, body: () => Promise<T>): Promise<T> {
  const dir = process.env.BENCH_PROFILE_DIR;
  if (!dir) return body();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 500 });
  await session.post('Profiler.start');
  try {
    return await body();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    const database = process.env.DATABASE_URL ? 'postgres' : 'pglite';
    await writeFile(join(dir, `${name}.${database}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
}
