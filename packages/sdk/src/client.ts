import createClient, { type Client } from 'openapi-fetch';
import { consentClient } from './consent.js';
import { type ConsentCacheOptions, consentCache } from './consent-cache.js';
import { errorFromAnswer } from './errors.js';
import type { paths } from './generated/openapi.js';
import { paginate } from './paging.js';
import { type Fetch, type RetryOptions, retryingFetch } from './retry.js';
import { vaultClient } from './vault.js';
import { verifyWebhook, type WebhookHeaders, type WebhookMessage } from './webhooks.js';

export type CustosOptions = {
  /** Where Custos answers, e.g. `https://custos.example.com` (no `/v1`). */
  baseUrl: string;
  /** An API key (`cst_…`), sent as `Authorization: Bearer`. */
  apiKey?: string;
  /** Extra headers on every request. */
  headers?: Record<string, string>;
  /** The fetch to use (default: the global one). */
  fetch?: Fetch;
  /** Retries of 429 and 503 answers (default: 3, honouring Retry-After); `false` turns them off. */
  retry?: RetryOptions | false;
  /** The in-process consent cache behind `consent.require` and the middleware; `false` turns it off. */
  consentCache?: ConsentCacheOptions | false;
};

type Answer<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful answer; a CustosError (with the problem's `code`) for any other. */
export async function unwrap<T>(call: Promise<Answer<T>>): Promise<T> {
  const { data, error, response } = await call;
  if (!response.ok) throw errorFromAnswer(response.status, error);
  return data as T;
}

/**
 * A Custos client: `api` is the typed client generated from the OpenAPI document (every route, every
 * schema); `consent`, `vault`, `paginate` and `webhooks` are the helpers built on it.
 */
export function createCustos(options: CustosOptions) {
  const baseFetch: Fetch = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const fetch = options.retry === false ? baseFetch : retryingFetch(baseFetch, options.retry);
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const headers: Record<string, string> = { ...options.headers };
  if (options.apiKey) headers.authorization = `Bearer ${options.apiKey}`;
  const api: Client<paths> = createClient<paths>({ baseUrl, headers, fetch });
  const cache = consentCache(options.consentCache === false ? { ttlMs: 0 } : options.consentCache);

  return {
    api,
    consent: consentClient({ api, cache, baseUrl, headers, fetch, streamingFetch: baseFetch }),
    /** The streamed bulk import (a stream is sent once: never retried). */
    vault: vaultClient({ baseUrl, headers, fetch: baseFetch }),
    /** Every item of a paged list (`items` + `nextCursor`), fetching pages as they are needed. */
    paginate: paginate(api),
    webhooks: {
      /**
       * Verifies a webhook message (Standard Webhooks) and returns it. Consent and request messages also
       * drop the subject from the consent cache, so `consent.require` sees the change at once.
       */
      async receive<T = Record<string, unknown>>(
        secret: string,
        headers: WebhookHeaders,
        body: string | Uint8Array,
        verifyOptions?: { toleranceSeconds?: number },
      ): Promise<WebhookMessage<T>> {
        const message = await verifyWebhook<T>(secret, headers, body, verifyOptions);
        const subjectId = (message.data as { subjectId?: unknown } | null)?.subjectId;
        if (typeof subjectId === 'string' && /^(consent|request|downstream)\./.test(message.type)) {
          cache.invalidate(subjectId);
        }
        return message;
      },
    },
  };
}

export type Custos = ReturnType<typeof createCustos>;
