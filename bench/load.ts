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
