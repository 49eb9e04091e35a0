import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';

export type LoadOptions = {
  url: string;
  connections?: number;
  durationSeconds?: number;
};

export type LoadResult = {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Requests that failed or answered other than 2xx; a run with any is not a valid measurement. */
  failures: number;
  total: number;
};

/**
 * Drives HTTP load at one URL with autocannon on loopback. The load generator runs in a worker thread so
 * it does not compete with the server under test for the main event loop.
 */
export async function measureLoad({ url, connections = 50, durationSeconds = 6 }: LoadOptions) {
  const result = await autocannon({ url, connections, duration: durationSeconds, workers: 1 });
  const summary: LoadResult = {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    failures: result.errors + result.timeouts + result.non2xx,
    total: result.requests.total,
  };
  if (summary.failures > 0) {
    throw new Error(`${url}: ${summary.failures} of ${summary.total} requests failed or were not 2xx`);
  }
  return summary;
}

let requestModules: string | undefined;
let moduleCount = 0;

/**
 * POSTs that move on through `requests` (path and body) with every request, whichever connection sends
 * it, so concurrent requests name different subjects. autocannon runs in a worker thread (`workers: 1`,
 * off the server's event loop) and needs the function as a module file; `removeCyclingRequests` deletes
 * the files when the scenario ends.
 */
export function cyclingRequests(requests: { path: string; body: unknown }[]): autocannon.Request[] {
  requestModules ??= mkdtempSync(join(tmpdir(), 'custos-bench-requests-'));
  moduleCount += 1;
  const file = join(requestModules, `requests-${moduleCount}.cjs`);
  const list = requests.map((request) => ({ path: request.path, body: JSON.stringify(request.body) }));
  writeFileSync(
    file,
    `const requests = ${JSON.stringify(list)};
let next = 0;
module.exports = (request) => {
  next = (next + 1) % requests.length;
  return { ...request, path: requests[next].path, body: requests[next].body };
};
`,
  );
  const first = list[0]?.path ?? '/';
  return [
    { method: 'POST', path: first, setupRequest: file as unknown as autocannon.Request['setupRequest'] },
  ];
}

export function removeCyclingRequests(): void {
  if (requestModules) rmSync(requestModules, { recursive: true, force: true });
  requestModules = undefined;
}
