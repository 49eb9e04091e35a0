import { type DependencyList, useCallback, useEffect, useRef, useState } from 'react';

export type Loaded<T> = {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  /** Loads again (after a change), keeping the current data on screen meanwhile. */
  reload: () => Promise<void>;
};

/**
 * Runs `load` when the dependencies change and keeps its result. A result that arrives after a newer
 * load started is dropped, so a slow answer never overwrites a fresh one.
 */
export function useLoad<T>(load: () => Promise<T>, deps: DependencyList): Loaded<T> {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const generation = useRef(0);
  const run = useCallback(async () => {
    const mine = ++generation.current;
    setLoading(true);
    try {
      const result = await load();
      if (mine !== generation.current) return;
      setData(result);
      setError(undefined);
    } catch (caught) {
      if (mine !== generation.current) return;
      setError(caught);
    } finally {
      if (mine === generation.current) setLoading(false);
    }
    // biome-ignore lint/correctness/useExhaustiveDependencies: the caller names what `load` depends on.
  }, deps);
  useEffect(() => {
    void run();
  }, [run]);
  return { data, error, loading, reload: run };
}

export type Action<A extends unknown[]> = {
  run: (...args: A) => Promise<boolean>;
  busy: boolean;
  error: unknown;
  clearError: () => void;
};

/** A button's work: busy while it runs, its error kept for the page to show; resolves true on success. */
export function useAction<A extends unknown[]>(work: (...args: A) => Promise<unknown>): Action<A> {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();
  const latest = useRef(work);
  latest.current = work;
  const run = useCallback(async (...args: A) => {
    setBusy(true);
    setError(undefined);
    try {
      await latest.current(...args);
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);
  return { run, busy, error, clearError: useCallback(() => setError(undefined), []) };
}

/** Sets the document title for the page on screen. */
export function useTitle(title: string, suffix: string): void {
  useEffect(() => {
    document.title = `${title} · ${suffix}`;
  }, [title, suffix]);
}

/** A page of a cursor-paged list, as the API answers. */
type CursorPage<T> = { items: T[]; nextCursor: string | null };

/**
 * The pages after the first of a cursor-paged list, for a "show more" button. They belong to `key` (the
 * query they were loaded for) and are dropped when it changes; `after(firstPage)` gives every item loaded
 * so far and the cursor of the next page; `reset()` drops them (after a change to the list).
 */
export function useMorePages<T>(key: string, fetchPage: (cursor: string) => Promise<CursorPage<T>>) {
  const [more, setMore] = useState<{ key: string; items: T[]; cursor: string | null }>();
  const extra = more?.key === key ? more : undefined;
  const loadMore = useAction(async (cursor: string) => {
    const page = await fetchPage(cursor);
    setMore({ key, items: [...(extra?.items ?? []), ...page.items], cursor: page.nextCursor });
  });
  const after = (first: CursorPage<T>) => ({
    items: [...first.items, ...(extra?.items ?? [])],
    cursor: extra ? extra.cursor : first.nextCursor,
  });
  return { loadMore, after, reset: () => setMore(undefined) };
}
