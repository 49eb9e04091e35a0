/** How the client retries answers that say "try again later": 429 and 503. */
export type RetryOptions = {
  /** Further attempts after the first (default 3; 0 turns retries off). */
  retries?: number;
  /** First backoff when the answer gives no Retry-After, doubled per attempt (default 250 ms). */
  baseDelayMs?: number;
  /** The longest wait; a Retry-After beyond it is not waited for and the answer is returned (default 30 s). */
  maxDelayMs?: number;
};

/** A fetch: openapi-fetch calls it with a Request; the SDK's hot paths with a URL and a string body. */
export type Fetch = (input: Request | string, init?: RequestInit) => Promise<Response>;

const retryStatuses = new Set([429, 503]);

/** Milliseconds a Retry-After header asks for (delta-seconds or an HTTP date), or undefined. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (header === null) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** Exponential backoff with full jitter: a random wait up to base × 2^attempt. */
export function backoffMs(attempt: number, baseDelayMs: number, random: () => number = Math.random): number {
  return Math.round(random() * baseDelayMs * 2 ** attempt);
}

function sleep(ms: number, signal: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Wraps `fetch` so that 429 and 503 answers are retried, waiting what `Retry-After` asks (else a jittered
 * exponential backoff). Requests whose body is a stream are sent once: it cannot be replayed.
 */
export function retryingFetch(base: Fetch, options: RetryOptions = {}): Fetch {
  const retries = options.retries ?? 3;
  const baseDelayMs = options.baseDelayMs ?? 250;
  const maxDelayMs = options.maxDelayMs ?? 30_000;
  if (retries <= 0) return base;
  return async (request, init) => {
    // A URL with a string body is sent again as it is; a Request's body is a stream, cloned per attempt.
    const fromUrl = typeof request === 'string';
    const replayable = (init as { duplex?: string } | undefined)?.duplex !== 'half';
    const signal = fromUrl ? (init?.signal ?? null) : request.signal;
    for (let attempt = 0; ; attempt++) {
      const last = !replayable || attempt >= retries;
      const response = await base(last || fromUrl ? request : request.clone(), init);
      if (last || !retryStatuses.has(response.status)) return response;
      const wait = retryAfterMs(response.headers.get('retry-after')) ?? backoffMs(attempt, baseDelayMs);
      if (wait > maxDelayMs) return response;
      await response.body?.cancel();
      await sleep(wait, signal);
    }
  };
}
