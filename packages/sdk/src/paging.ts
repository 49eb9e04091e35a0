import type { Client } from 'openapi-fetch';
import { errorFromAnswer } from './errors.js';
import type { paths } from './generated/openapi.js';

type Page<T> = { items: T[]; nextCursor: string | null };
type JsonOk<Operation> = Operation extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

/** GET routes that answer a page: `{ items, nextCursor }` and take a `cursor`. */
export type PagedPath = {
  [P in keyof paths]: paths[P] extends { get: infer Operation }
    ? JsonOk<Operation> extends Page<unknown>
      ? P
      : never
    : never;
}[keyof paths];

type GetOf<P extends PagedPath> = paths[P] extends { get: infer Operation } ? Operation : never;
/** The item type of a paged route. */
export type PageItem<P extends PagedPath> = JsonOk<GetOf<P>> extends Page<infer Item> ? Item : never;
type QueryOf<P extends PagedPath> = GetOf<P> extends { parameters: { query?: infer Query } } ? Query : never;
type PathParamsOf<P extends PagedPath> =
  GetOf<P> extends { parameters: { path?: infer Params } } ? Params : never;

export type PageOptions<P extends PagedPath> = {
  params?: { query?: Omit<NonNullable<QueryOf<P>>, 'cursor'>; path?: PathParamsOf<P> };
  signal?: AbortSignal;
};

/** Iterates over every item of a paged list, one page request at a time, as the caller consumes them. */
export function paginate(api: Client<paths>) {
  return async function* pages<P extends PagedPath>(
    path: P,
    options: PageOptions<P> = {},
  ): AsyncGenerator<PageItem<P>, void, undefined> {
    let cursor: string | undefined;
    do {
      const query = { ...(options.params?.query as object), ...(cursor ? { cursor } : {}) };
      // The path is one of the paged routes; openapi-fetch's overloads cannot follow a generic path.
      const get = api.GET as unknown as (
        path: string,
        init: { params: { query: object; path?: unknown }; signal?: AbortSignal },
      ) => Promise<{ data?: Page<PageItem<P>>; error?: unknown; response: Response }>;
      const { data, error, response } = await get(path, {
        params: { query, path: options.params?.path },
        signal: options.signal,
      });
      if (!response.ok || !data) throw errorFromAnswer(response.status, error);
      yield* data.items;
      cursor = data.nextCursor ?? undefined;
    } while (cursor);
  };
}
