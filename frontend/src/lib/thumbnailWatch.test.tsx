import { act, renderHook } from "@testing-library/react";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Item } from "../api/drive";
import { fakeApi, json } from "../test/harness";
import { awaitsThumbnail, MAX_READS_AT_ONCE, THUMBNAIL_RETRY_DELAYS_MS, useThumbnailWatch } from "./thumbnailWatch";

const START = Date.parse("2026-03-01T12:00:00Z");
const STEP_MS = 100;

/** A listed file; an image is `pending` (just uploaded), anything else `none`, unless overridden. */
function file(id: string, mediaType: string, overrides: Partial<Item> = {}): Item {
  return {
    id,
    kind: "file",
    name: `${id}.bin`,
    parentId: "root",
    size: 2048,
    type: mediaType,
    mediaType,
    createdAt: "2026-03-01T11:59:00Z",
    modifiedAt: "2026-03-01T11:59:00Z",
    trashedAt: null,
    thumbnail: mediaType.startsWith("image/") ? "pending" : "none",
    shared: false,
    starred: false,
    ...overrides,
  };
}

/**
 * The details route: `readyFrom[id]` is the read (1-based) from which the file has its
 * thumbnail, `failedFrom[id]` the one from which the worker has given up on it (pending
 * throughout, if neither); ids in `gone` answer 404. `reads` lists each read as "id@ms after
 * the start".
 */
function detailsServer(
  listed: Item[],
  readyFrom: Record<string, number> = {},
  gone: string[] = [],
  failedFrom: Record<string, number> = {},
) {
  const reads: string[] = [];
  const counts = new Map<string, number>();
  const api = fakeApi(({ path }) => {
    const id = path.match(/^\/api\/v1\/files\/(\w+)$/)?.[1];
    const known = listed.find((item) => item.id === id);
    if (!id || !known) return;
    reads.push(`${id}@${Date.now() - START}`);
    if (gone.includes(id)) return json(404, { error: { code: "file_not_found", message: "No such file." } });
    const count = (counts.get(id) ?? 0) + 1;
    counts.set(id, count);
    const reached = (from: Record<string, number>) => from[id] !== undefined && count >= from[id];
    const thumbnail = reached(readyFrom) ? "ready" : reached(failedFrom) ? "failed" : "pending";
    return json(200, { ...known, thumbnail });
  });
  return { reads, requests: api.requests };
}

/** Moves the clock on in small steps, so each read's answer lands before the next step. */
async function elapse(ms: number) {
  for (let left = ms; left > 0; left -= STEP_MS) await act(() => vi.advanceTimersByTimeAsync(Math.min(STEP_MS, left)));
}

function setVisibility(state: "visible" | "hidden") {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  act(() => document.dispatchEvent(new Event("visibilitychange")));
}

function watch(items: Item[], enabled = true) {
  const fresh: string[] = [];
  const hook = renderHook(
    ({ shown, on }: { shown: Item[]; on: boolean }) =>
      useThumbnailWatch(shown, (items) => fresh.push(...items.map((item) => item.id)), on),
    { initialProps: { shown: items, on: enabled } },
  );
  return { fresh, rerender: (shown: Item[], on = true) => hook.rerender({ shown, on }), unmount: hook.unmount };
}

beforeEach(() => {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
  vi.setSystemTime(START);
});
afterEach(() => {
  Reflect.deleteProperty(document, "visibilityState");
});

describe("waiting for thumbnails", () => {
  it("waits on the files whose thumbnail is pending, and nothing else", () => {
    expect(awaitsThumbnail(file("a", "image/png"))).toBe(true);
    expect(awaitsThumbnail(file("a", "image/png", { thumbnail: "ready" }))).toBe(false);
    expect(awaitsThumbnail(file("a", "image/png", { thumbnail: "failed" }))).toBe(false);
    expect(awaitsThumbnail(file("a", "image/svg+xml", { thumbnail: "none" }))).toBe(false);
    expect(awaitsThumbnail(file("a", "text/plain"))).toBe(false);
    expect(awaitsThumbnail(file("a", "image/png", { trashedAt: "2026-03-01T12:00:00Z" }))).toBe(false);
    expect(awaitsThumbnail({ ...file("a", "image/png"), kind: "folder", mediaType: null })).toBe(false);
  });

  it("never reads an image the worker gave up on or a file it does not render", async () => {
    const listed = [
      file("F1", "image/png", { thumbnail: "failed" }),
      file("N1", "image/tiff", { thumbnail: "none" }),
      file("N2", "image/svg+xml", { thumbnail: "none" }),
      file("T1", "text/plain"),
    ];
    const { requests } = detailsServer(listed);
    const { fresh } = watch(listed);
    expect(vi.getTimerCount()).toBe(0);
    await elapse(120_000);
    expect(requests).toEqual([]);
    expect(fresh).toEqual([]);
  });

  it("stops reading a pending image as soon as a read says the worker gave up on it, and hands it over", async () => {
    const photo = file("P1", "image/jpeg");
    const { reads } = detailsServer([photo], {}, [], { P1: 2 });
    const { fresh } = watch([photo]);
    await elapse(10 * 60_000);
    expect(reads).toEqual(["P1@1000", "P1@3000"]);
    expect(fresh).toEqual(["P1"]);
  });

  it("re-reads a pending image after 1, 2, 4 s and hands it over once it has its thumbnail, then stops", async () => {
    const photo = file("P1", "image/png");
    const { reads } = detailsServer([photo], { P1: 3 });
    const { fresh } = watch([photo, file("T1", "text/plain")]);
    await elapse(900);
    expect(reads).toEqual([]);
    await elapse(7_000);
    expect(reads).toEqual(["P1@1000", "P1@3000", "P1@7000"]);
    expect(fresh).toEqual(["P1"]);
    await elapse(120_000);
    expect(reads).toHaveLength(3);
  });

  it("gives up on an image still pending after about a minute of backoff", async () => {
    const photo = file("P1", "image/webp");
    const { reads } = detailsServer([photo]);
    const { fresh } = watch([photo]);
    await elapse(10 * 60_000);
    let at = 0;
    const expected = THUMBNAIL_RETRY_DELAYS_MS.map((delay) => `P1@${(at += delay)}`);
    expect(reads).toEqual(expected);
    expect(at).toBeGreaterThan(55_000);
    expect(at).toBeLessThan(70_000);
    expect(fresh).toEqual([]);
  });

  it("reads nothing when no listed image waits, or when the grid is not shown", async () => {
    const ready = file("P1", "image/png", { thumbnail: "ready" });
    const svg = file("S1", "image/svg+xml", { thumbnail: "none" });
    const { requests } = detailsServer([ready, svg]);
    watch([ready, svg, file("T1", "text/plain")]);
    watch([file("P2", "image/png")], false);
    expect(vi.getTimerCount()).toBe(0);
    await elapse(120_000);
    expect(requests).toEqual([]);
  });

  it("waits while the page is hidden and goes on when it is shown again", async () => {
    const photo = file("P1", "image/gif");
    const { reads } = detailsServer([photo], { P1: 2 });
    const { fresh } = watch([photo]);
    await elapse(1_000);
    expect(reads).toEqual(["P1@1000"]);
    setVisibility("hidden");
    await elapse(60_000);
    expect(reads).toEqual(["P1@1000"]);
    setVisibility("visible");
    await elapse(STEP_MS);
    expect(reads).toEqual(["P1@1000", "P1@61000"]);
    expect(fresh).toEqual(["P1"]);
  });

  it("starts a newly listed image (an upload) on its own schedule and drops images no longer listed or gone", async () => {
    const first = file("P1", "image/jpeg");
    const uploaded = file("P2", "image/jpeg", { modifiedAt: "2026-03-01T12:00:02Z" });
    const deleted = file("P3", "image/jpeg");
    const { reads } = detailsServer([first, uploaded, deleted], { P2: 1 }, ["P3"]);
    const { fresh, rerender } = watch([first, deleted]);
    await elapse(2_000);
    expect(reads.sort()).toEqual(["P1@1000", "P3@1000"]);
    rerender([uploaded, first, deleted]);
    await elapse(1_000);
    expect(reads).toContain("P2@3000");
    expect(fresh).toEqual(["P2"]);
    // P1 leaves the listing (moved away) before its read at 7 s: it is read no more; P3 answered
    // 404 once and is read no more.
    rerender([uploaded]);
    await elapse(120_000);
    expect(reads.filter((read) => read.startsWith("P3"))).toEqual(["P3@1000"]);
    expect(reads.filter((read) => read.startsWith("P1"))).toEqual(["P1@1000", "P1@3000"]);
  });

  it("keeps at most a few reads in flight when many images wait", async () => {
    const photos = Array.from({ length: 10 }, (_, index) => file(`P${index}`, "image/png"));
    const held: (() => void)[] = [];
    const { requests } = fakeApi(({ path }) => {
      const photo = photos.find((item) => path === `/api/v1/files/${item.id}`);
      if (photo) return new Promise<Response>((resolve) => held.push(() => resolve(json(200, photo))));
    });
    watch(photos);
    await elapse(1_000);
    expect(held).toHaveLength(MAX_READS_AT_ONCE);
    for (const round of [2, 3]) {
      await act(async () => held.splice(0).forEach((answer) => answer()));
      await elapse(STEP_MS);
      expect(requests).toHaveLength(Math.min(10, round * MAX_READS_AT_ONCE));
    }
    expect(new Set(requests).size).toBe(10);
  });
});
