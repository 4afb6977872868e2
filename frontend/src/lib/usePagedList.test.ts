import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { PAGE_SIZE, usePagedList, type PageRequest, type Rows } from "./usePagedList";

type Row = { id: string };
const rows = (from: number, count: number): Row[] => Array.from({ length: count }, (_, i) => ({ id: `r${from + i}` }));

/** A listing of `total` rows, paged by offset cursors, that records each request. */
function server(total: number) {
  const requests: { cursor: string | null; limit: number }[] = [];
  const load = async ({ cursor, limit }: PageRequest): Promise<Rows<Row>> => {
    requests.push({ cursor, limit });
    const from = Number(cursor ?? 0);
    const to = Math.min(total, from + limit);
    return { items: rows(from, to - from), nextCursor: to < total ? String(to) : null };
  };
  return { load, requests };
}

describe("usePagedList", () => {
  it("reloads as many rows as are shown, so the list keeps its place", async () => {
    const { load, requests } = server(500);
    const { result } = renderHook(() => usePagedList(load, "folder"));
    await waitFor(() => expect(result.current.items).toHaveLength(PAGE_SIZE));
    await act(() => result.current.loadMore());
    await act(() => result.current.loadMore());
    expect(result.current.items).toHaveLength(3 * PAGE_SIZE);
    requests.length = 0;
    act(() => result.current.reload());
    await waitFor(() => expect(requests).toHaveLength(1));
    expect(requests[0]).toEqual({ cursor: null, limit: 3 * PAGE_SIZE });
    await waitFor(() => expect(result.current.items).toHaveLength(3 * PAGE_SIZE));
  });

  it("keeps the old rows, marked stale, until the new key answers, and ignores an older answer", async () => {
    const answers = new Map<string, (rows: Rows<Row>) => void>();
    const load = ({ signal }: PageRequest) =>
      new Promise<Rows<Row>>((resolve) => {
        answers.set(String(answers.size), resolve);
        signal.addEventListener("abort", () => resolve({ items: [{ id: "aborted" }], nextCursor: null }));
      });
    const { result, rerender } = renderHook(({ key }) => usePagedList(load, key), { initialProps: { key: "a" } });
    act(() => answers.get("0")!({ items: [{ id: "a1" }], nextCursor: null }));
    await waitFor(() => expect(result.current.items).toEqual([{ id: "a1" }]));
    rerender({ key: "b" });
    expect(result.current.stale).toBe(true);
    expect(result.current.items).toEqual([{ id: "a1" }]);
    rerender({ key: "c" });
    await act(async () => answers.get("2")!({ items: [{ id: "c1" }], nextCursor: null }));
    await act(async () => answers.get("1")!({ items: [{ id: "b1" }], nextCursor: null }));
    expect(result.current.items).toEqual([{ id: "c1" }]);
    expect(result.current.stale).toBe(false);
  });
});
