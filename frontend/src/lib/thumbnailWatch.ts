import { useEffect, useRef, useState, useSyncExternalStore } from "react";
import { drive, type Item } from "../api/drive";
import { ApiError } from "../api/errors";

/**
 * The wait before each read of an item whose thumbnail is still pending: about a minute in all,
 * after which it is taken to have none coming soon (the worker is behind or down) until the
 * listing is opened again.
 */
export const THUMBNAIL_RETRY_DELAYS_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 32_000];
/** Items waited on at once, the newest first; the others take a place as one frees. */
export const MAX_WATCHED = 24;
/** Reads in flight at once; the due items beyond wait for the next turn. */
export const MAX_READS_AT_ONCE = 4;

/**
 * True for a listed file the thumbnail worker has still to process. `ready`, `failed` and `none`
 * never change by themselves (a replaced file comes with a new listing), so they are not read again.
 */
export function awaitsThumbnail(item: Item): boolean {
  return item.kind === "file" && item.thumbnail === "pending" && !item.trashedAt;
}

const keyOf = (item: Item) => `${item.id}:${item.modifiedAt}`;

interface Watch {
  item: Item;
  reads: number;
  /** Epoch ms of the next read. */
  due: number;
}

function subscribeVisibility(onChange: () => void) {
  document.addEventListener("visibilitychange", onChange);
  return () => document.removeEventListener("visibilitychange", onChange);
}

/** True while the page is shown (not a background tab, not a minimised window). */
export function usePageVisible(): boolean {
  return useSyncExternalStore(
    subscribeVisibility,
    () => document.visibilityState !== "hidden",
    () => true,
  );
}

/**
 * Re-reads the listed images whose thumbnail is still being made (`awaitsThumbnail`), each on
 * its own backoff (THUMBNAIL_RETRY_DELAYS_MS), only while the page is visible, and hands the
 * ones the worker is done with (`ready`, or `failed`: the tile keeps its type icon) to `onFresh`. One details read per pending item and turn, so the cost
 * follows the images waited on, never the size of the folder or of the account. Nothing runs
 * while no listed image waits, or while `enabled` is false.
 */
export function useThumbnailWatch(items: Item[], onFresh: (fresh: Item[]) => void, enabled = true): void {
  const visible = usePageVisible();
  const pending = enabled ? items.filter(awaitsThumbnail) : [];
  const pendingKey = pending.map(keyOf).join(" ");
  const latest = useRef({ pending, onFresh });
  const watches = useRef(new Map<string, Watch>());
  /** Items done with in this listing: the worker is done with them, they are gone, or waiting was given up. */
  const settled = useRef(new Set<string>());
  const [turn, setTurn] = useState(0);
  useEffect(() => {
    latest.current = { pending, onFresh };
  });

  useEffect(() => {
    const now = Date.now();
    const listed = new Map(latest.current.pending.map((item) => [keyOf(item), item]));
    for (const key of watches.current.keys()) if (!listed.has(key)) watches.current.delete(key);
    const waiting = [...listed.values()]
      .filter((item) => !settled.current.has(keyOf(item)) && !watches.current.has(keyOf(item)))
      .sort((a, b) => Date.parse(b.modifiedAt) - Date.parse(a.modifiedAt));
    for (const item of waiting.slice(0, Math.max(0, MAX_WATCHED - watches.current.size)))
      watches.current.set(keyOf(item), { item, reads: 0, due: now + THUMBNAIL_RETRY_DELAYS_MS[0] });
    if (!visible || !watches.current.size) return;

    const controller = new AbortController();
    const next = Math.min(...[...watches.current.values()].map((watch) => watch.due));
    const timer = setTimeout(() => void readDue(), Math.max(0, next - now));

    async function readDue() {
      const due = [...watches.current.entries()]
        .filter(([, watch]) => watch.due <= Date.now())
        .slice(0, MAX_READS_AT_ONCE);
      const answers = await Promise.all(
        due.map(([key, watch]) =>
          drive.file(watch.item.id, controller.signal).then(
            (fresh) => ({ key, fresh, gone: false }),
            (reason: unknown) => ({ key, fresh: null, gone: reason instanceof ApiError && reason.status === 404 }),
          ),
        ),
      );
      // A new listing or a hidden page aborted these; the next run reads them again.
      if (controller.signal.aborted) return;
      const fresh: Item[] = [];
      for (const answer of answers) {
        const watch = watches.current.get(answer.key);
        if (!watch) continue;
        const done = !!answer.fresh && answer.fresh.thumbnail !== "pending";
        if (done && answer.fresh) fresh.push(answer.fresh);
        watch.reads += 1;
        if (done || answer.gone || watch.reads >= THUMBNAIL_RETRY_DELAYS_MS.length) {
          watches.current.delete(answer.key);
          settled.current.add(answer.key);
        } else {
          watch.due = Date.now() + THUMBNAIL_RETRY_DELAYS_MS[watch.reads];
        }
      }
      if (fresh.length) latest.current.onFresh(fresh);
      setTurn((count) => count + 1);
    }

    return () => {
      clearTimeout(timer);
      controller.abort();
    };
  }, [pendingKey, visible, turn]);
}
