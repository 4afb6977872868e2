import { act, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Item } from "../api/drive";
import { forgetThumbnailLinks } from "../lib/thumbnailLinks";
import { VIEW_MODE_KEY } from "../lib/viewMode";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

function image(id: string, name: string, thumbnail: Item["thumbnail"]) {
  return {
    id,
    kind: "file" as const,
    name,
    parentId: "F1",
    size: 2048,
    type: "image/png",
    mediaType: "image/png",
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
    thumbnail,
    path: [{ id: "F1", name: "Photos" }],
  };
}

const thumbnailUrl = (id: string) => `http://storage.test/thumbnails/${id}-small.webp`;

/**
 * Search for "cat" answers `results`; the details route answers `details[id]`'s state of the
 * file's thumbnail for each read in turn (the last one from then on).
 */
function fakeSearch(results: ReturnType<typeof image>[], details: Record<string, Item["thumbnail"][]> = {}) {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  const reads = new Map<string, number>();
  return fakeSignedInApi(({ path, url }) => {
    if (path === "/api/v1/search" && url.searchParams.get("q") === "cat")
      return json(200, { items: results, nextCursor: null });
    const thumbnail = path.match(/^\/api\/v1\/files\/(\w+)\/thumbnail$/);
    if (thumbnail) return json(200, { url: thumbnailUrl(thumbnail[1]), expiresAt: inAnHour });
    const id = path.match(/^\/api\/v1\/files\/([A-Z]\d+)$/)?.[1];
    const found = results.find((result) => result.id === id);
    if (!id || !found || !details[id]) return;
    const count = reads.get(id) ?? 0;
    reads.set(id, count + 1);
    const states = details[id];
    return json(200, { ...found, path: null, thumbnail: states[Math.min(count, states.length - 1)] });
  });
}

const tile = (name: string) =>
  screen
    .getAllByRole("listitem")
    .find((candidate) => within(candidate).queryByText(name, { selector: "[data-focus-target]" }))!;

beforeEach(() => {
  // Every tile is near the viewport at once.
  vi.stubGlobal("IntersectionObserver", undefined);
  forgetThumbnailLinks();
});
afterEach(() => localStorage.clear());

describe("the search page's grid", () => {
  it("offers the files page's list or grid, the one choice remembered for both, with thumbnails and locations", async () => {
    fakeSearch([image("I1", "cat.png", "ready"), image("I2", "catalogue.png", "pending")]);
    localStorage.setItem(VIEW_MODE_KEY, "grid");
    renderApp("/search?q=cat");
    const results = await screen.findByRole("list", { name: "Search results for cat" });
    const group = screen.getByRole("group", { name: "View" });
    expect(within(group).getByRole("button", { name: "Grid" })).toHaveAttribute("aria-pressed", "true");

    const picture = await within(tile("cat.png")).findByRole("img", { name: "cat.png" });
    expect(picture).toHaveAttribute("src", thumbnailUrl("I1"));
    expect(within(tile("catalogue.png")).queryByRole("img")).toBeNull();
    expect(tile("catalogue.png").querySelector("svg[data-family=image]")).not.toBeNull();
    expect(within(tile("cat.png")).getByRole("link", { name: "My files / Photos" })).toHaveAttribute(
      "href",
      "/files/F1",
    );
    expect(within(results).getAllByRole("listitem")).toHaveLength(2);

    await userEvent.click(within(group).getByRole("button", { name: "List" }));
    expect(await screen.findByRole("table")).toBeInTheDocument();
    expect(localStorage.getItem(VIEW_MODE_KEY)).toBe("list");
  });

  it("shows a result's thumbnail once it is made, without searching again", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    localStorage.setItem(VIEW_MODE_KEY, "grid");
    const { requests } = fakeSearch([image("I2", "catalogue.png", "pending")], { I2: ["pending", "ready"] });
    renderApp("/search?q=cat");
    // RTL's findBy ends on a setTimeout, which never fires under fake timers; vitest's waitFor does not.
    await vi.waitFor(() => tile("catalogue.png"), { timeout: 30_000 });
    expect(within(tile("catalogue.png")).queryByRole("img")).toBeNull();

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    await vi.waitFor(() => expect(requests).toContain("GET /api/v1/files/I2"), { timeout: 30_000 });
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const picture = await vi.waitFor(() => within(tile("catalogue.png")).getByRole("img", { name: "catalogue.png" }), {
      timeout: 30_000,
    });
    expect(picture).toHaveAttribute("src", thumbnailUrl("I2"));
    // The details carry no path: the result keeps its location.
    expect(within(tile("catalogue.png")).getByRole("link", { name: "My files / Photos" })).toBeInTheDocument();
    expect(requests.filter((request) => request.startsWith("GET /api/v1/search"))).toHaveLength(1);
    expect(requests.filter((request) => request === "GET /api/v1/files/I2")).toHaveLength(2);
  });
});
