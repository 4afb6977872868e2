import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, messageOf } from "../api/errors";

/** Rows shown per page of a listing. */
export const PAGE_SIZE = 50;
/** The most rows one request may ask for (the files API's own bound on `limit`). */
export const MAX_LIMIT = 200;
/** Requests one page may take when the server answers short pages (search caps its work per request). */
export const MAX_REQUESTS_PER_PAGE = 10;
/** A reload keeps the rows already shown, up to this many, so the list does not jump to the top. */
export const MAX_RELOAD_ROWS = 1000;

export interface PageRequest {
  cursor: string | null;
  limit: number;
  signal: AbortSignal;
}

export interface Rows<T> {
  items: T[];
  nextCursor: string | null;
}

export type PageLoader<T> = (request: PageRequest) => Promise<Rows<T>>;

/**
 * Rows from `cursor` until there are `wanted` of them or the listing ends. A page may hold fewer
 * rows than asked, even none, while it still has a cursor (contract 5 of step 9): keep asking,
 * at most MAX_REQUESTS_PER_PAGE times.
 */
export async function fetchRows<T>(
  load: PageLoader<T>,
  cursor: string | null,
  wanted: number,
  signal: AbortSignal,
): Promise<Rows<T>> {
  const items: T[] = [];
  let next = cursor;
  for (let request = 0; request < MAX_REQUESTS_PER_PAGE; request += 1) {
    const page = await load({ cursor: next, limit: Math.min(MAX_LIMIT, Math.max(1, wanted - items.length)), signal });
    items.push(...page.items);
    next = page.nextCursor;
    if (!next || items.length >= wanted) break;
  }
  return { items, nextCursor: next };
}

interface Listing<T> extends Rows<T> {
  key: string;
}

/**
 * One server-paged listing (a folder, search results, the trash). `key` names what is listed
 * (the folder and its order, the query): when it changes, the rows shown stay until the new
 * answer replaces them (`stale`), and only the latest answer is ever shown (earlier requests are
 * aborted). `reload()` keeps as many rows as were shown. After a network failure, it reloads by
 * itself when the browser is back online.
 */
export function usePagedList<T extends { id: string }>(load: PageLoader<T>, key: string, reloadSignal = 0) {
  const [listing, setListing] = useState<Listing<T> | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [reloads, setReloads] = useState(0);
  const loadRef = useRef(load);
  const shown = useRef<Listing<T> | null>(null);
  const more = useRef<AbortController | null>(null);
  useEffect(() => {
    loadRef.current = load;
    shown.current = listing;
  });

  useEffect(() => {
    const controller = new AbortController();
    more.current?.abort();
    const previous = shown.current;
    const wanted =
      previous?.key === key ? Math.min(MAX_RELOAD_ROWS, Math.max(PAGE_SIZE, previous.items.length)) : PAGE_SIZE;
    fetchRows(loadRef.current, null, wanted, controller.signal)
      .then((rows) => {
        if (controller.signal.aborted) return;
        setError(null);
        setListing({ key, ...rows });
      })
      .catch((reason) => {
        if (controller.signal.aborted) return;
        setError(reason);
        setListing((current) => (current?.key === key ? current : { key, items: [], nextCursor: null }));
      });
    return () => controller.abort();
  }, [key, reloadSignal, reloads]);

  const reload = useCallback(() => setReloads((count) => count + 1), []);
  const offline = error instanceof ApiError && error.status === 0;
  useEffect(() => {
    if (!error) return;
    window.addEventListener("online", reload);
    return () => window.removeEventListener("online", reload);
  }, [error, reload]);

  const stale = listing !== null && listing.key !== key;
  const nextCursor = stale ? null : (listing?.nextCursor ?? null);

  const loadMore = useCallback(async () => {
    const current = shown.current;
    if (!current?.nextCursor || more.current) return;
    const controller = new AbortController();
    more.current = controller;
    setLoadingMore(true);
    try {
      const rows = await fetchRows(loadRef.current, current.nextCursor, PAGE_SIZE, controller.signal);
      if (controller.signal.aborted) return;
      setListing((latest) => {
        if (latest?.key !== current.key) return latest;
        const known = new Set(latest.items.map((item) => item.id));
        const added = rows.items.filter((item) => !known.has(item.id));
        return { ...latest, items: [...latest.items, ...added], nextCursor: rows.nextCursor };
      });
    } catch (reason) {
      if (!controller.signal.aborted) setError(reason);
    } finally {
      if (more.current === controller) more.current = null;
      setLoadingMore(false);
    }
  }, []);

  const setItems = useCallback(
    (update: (items: T[]) => T[]) => setListing((current) => current && { ...current, items: update(current.items) }),
    [],
  );

  return {
    items: listing?.items ?? [],
    /** True until the first answer. */
    loading: listing === null,
    /** The rows shown belong to the previous key; the new ones are on their way. */
    stale,
    nextCursor,
    loadingMore,
    error: error === null ? null : messageOf(error),
    offline,
    loadMore,
    reload,
    setItems,
  };
}
