import type { Client } from 'openapi-fetch';
import type { ConsentCache } from './consent-cache.js';
import { ConsentRequiredError, errorFromAnswer } from './errors.js';
import type { components, paths } from './generated/openapi.js';
import { ndjsonBody, ndjsonLines } from './ndjson.js';
import type { Fetch } from './retry.js';

export type SubjectRef = components['schemas']['SubjectRef'];
export type ConsentCheckResult = components['schemas']['ConsentCheckResult'];
type CheckBody = NonNullable<
  paths['/v1/consent/check']['post']['requestBody']
>['content']['application/json'];
type CheckAnswer = paths['/v1/consent/check']['post']['responses'][200]['content']['application/json'];
type RecordBody = NonNullable<
  paths['/v1/consent/events']['post']['requestBody']
>['content']['application/json'];
export type ConsentRecorded =
  paths['/v1/consent/events']['post']['responses'][201]['content']['application/json'];

/** A subject by id (a string), or `{ email }` / `{ externalId }` (looked up by Custos, never cached). */
export type Subject = string | SubjectRef;

export type ConsentDecision = {
  allowed: boolean;
  subjectId: string;
  denied: { purpose: string; reason: string }[];
};

type Deps = {
  api: Client<paths>;
  cache: ConsentCache;
  baseUrl: string;
  headers: Record<string, string>;
  /** With retries: for requests whose body can be sent again. */
  fetch: Fetch;
  /** Without retries: for streamed bodies. */
  streamingFetch: Fetch;
};

const resolved: Promise<void> = Promise.resolve();

/** Checks, gating, recording and the campaign filter. */
export function consentClient({ api, cache, baseUrl, headers, fetch, streamingFetch }: Deps) {
  const checkUrl = `${baseUrl}/v1/consent/check`;
  const jsonHeaders = { ...headers, 'content-type': 'application/json' };
  const gpcHeaders = { ...jsonHeaders, 'sec-gpc': '1' };

  /** Asks Custos, bypassing the cache: the answer per purpose with its reason and legal basis. */
  async function check(
    subject: Subject,
    purposes: readonly string[],
    options: { gpc?: boolean } = {},
  ): Promise<{ subjectId: string; results: ConsentCheckResult[] }> {
    const ticket = cache.ticket();
    // The hot path: one fetch with a prepared body and headers, as a hand-written call would make.
    const body: CheckBody = {
      subject: typeof subject === 'string' ? { id: subject } : subject,
      purposes: [...purposes],
    };
    const response = await fetch(checkUrl, {
      method: 'POST',
      headers: options.gpc ? gpcHeaders : jsonHeaders,
      body: JSON.stringify(body),
    });
    const answer = (await response.json().catch(() => undefined)) as CheckAnswer | undefined;
    if (!response.ok || !answer) throw errorFromAnswer(response.status, answer);
    const data = answer;
    // A GPC signal records opt-outs: other answers for the subject may have changed.
    if (options.gpc) cache.invalidate(data.subjectId);
    else cache.store(ticket, data.subjectId, data.results, Date.now());
    return data;
  }

  /** Whether every purpose is allowed now, from the cache when it is fresh. */
  async function decide(subject: Subject, purposes: readonly string[]): Promise<ConsentDecision> {
    if (typeof subject === 'string' && cache.enabled) {
      const verdicts = cache.lookup(subject, purposes, Date.now());
      if (verdicts) {
        const denied = verdicts.filter((verdict) => !verdict.allowed);
        return { allowed: denied.length === 0, subjectId: subject, denied: denied.map(deniedOf) };
      }
    }
    const { subjectId, results } = await check(subject, purposes);
    const denied = results.filter((result) => !result.allowed).map(deniedOf);
    return { allowed: denied.length === 0, subjectId, denied };
  }

  /**
   * Resolves when every purpose is allowed for the subject, else rejects with ConsentRequiredError
   * naming each refused purpose and why. Warm (cached) checks answer without a request.
   */
  function require(subject: Subject, purposes: readonly string[]): Promise<void> {
    if (typeof subject === 'string' && cache.enabled) {
      const denied = cache.firstDenied(subject, purposes, Date.now());
      if (denied === undefined) return resolved;
      if (denied !== null) {
        const verdicts = cache.lookup(subject, purposes, Date.now()) ?? [denied];
        return Promise.reject(
          new ConsentRequiredError(verdicts.filter((verdict) => !verdict.allowed).map(deniedOf)),
        );
      }
    }
    return decide(subject, purposes).then((decision) => {
      if (!decision.allowed) throw new ConsentRequiredError(decision.denied);
    });
  }

  /** Records a grant, withdrawal, denial or objection; returns a receipt per purpose. */
  async function record(body: RecordBody, options: { gpc?: boolean } = {}): Promise<ConsentRecorded> {
    const { data, error, response } = await api.POST('/v1/consent/events', {
      body,
      params: { header: options.gpc ? { 'sec-gpc': '1' } : {} },
    });
    if (!response.ok || !data) throw errorFromAnswer(response.status, error);
    cache.invalidate(data.subjectId);
    return data;
  }

  /**
   * The campaign filter: sends subject ids (any iterable, sync or async) as NDJSON and yields the ids
   * allowed for `purpose`, in the order sent, as they stream back. A list that fails midway throws the
   * server's problem as a CustosError.
   */
  async function* filter(
    purpose: string,
    subjectIds: Iterable<string> | AsyncIterable<string>,
    options: { signal?: AbortSignal } = {},
  ): AsyncGenerator<string, void, undefined> {
    const body = ndjsonBody(subjectIds, (subjectId) => subjectId);
    const url = `${baseUrl}/v1/consent/filter?purpose=${encodeURIComponent(purpose)}`;
    const init = {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/x-ndjson' },
      body,
      duplex: 'half',
      signal: options.signal,
    };
    const response = await streamingFetch(url, init as RequestInit);
    if (!response.ok || !response.body) {
      throw errorFromAnswer(response.status, await response.json().catch(() => undefined));
    }
    for await (const line of ndjsonLines(response.body)) {
      const entry = JSON.parse(line) as { subjectId?: string; error?: unknown };
      if (entry.error) throw errorFromAnswer(500, entry.error);
      if (entry.subjectId) yield entry.subjectId;
    }
  }

  return {
    check,
    decide,
    require,
    record,
    filter,
    /** The cache behind `require` and `decide`: invalidate a subject, or clear it. */
    cache: { invalidate: cache.invalidate, clear: cache.clear },
  };
}

function deniedOf(verdict: { purpose: string; reason: string }) {
  return { purpose: verdict.purpose, reason: verdict.reason };
}
