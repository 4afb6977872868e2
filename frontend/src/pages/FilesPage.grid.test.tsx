import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Item } from "../api/drive";
import { forgetThumbnailLinks } from "../lib/thumbnailLinks";
import { VIEW_MODE_KEY } from "../lib/viewMode";
import { fakeSignedInApi, json, renderApp, type ApiHandler } from "../test/harness";

function item(
  id: string,
  kind: "file" | "folder",
  name: string,
  type: string | null = null,
  thumbnail: Item["thumbnail"] = "none",
) {
  return {
    id,
    kind,
    name,
    parentId: "root",
    size: kind === "file" ? 2048 : null,
    type,
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
    thumbnail,
  };
}

const ITEMS = [
  item("D1", "folder", "Photos"),
  item("I1", "file", "cat.png", "image/png", "ready"),
  item("T1", "file", "notes.txt", "text/plain"),
  item("I2", "file", "dog.png", "image/png", "ready"),
];

const thumbnailUrl = (id: string, size: string) => `http://storage.test/thumbnails/${id}-${size}.webp`;

/**
 * The folder page's routes; `thumbnails` answers each thumbnail link (404 for the ids it leaves
 * out), `listed` is the root's listing, and `more` answers before the rest.
 */
function fakeDrive(
  thumbnails: Record<string, boolean> = { I1: true, I2: true },
  listed: (ReturnType<typeof item> & { shared?: boolean })[] = ITEMS,
  more?: ApiHandler,
) {
  const inAnHour = new Date(Date.now() + 3_600_000).toISOString();
  return fakeSignedInApi((call) => {
    const { path, url } = call;
    const answer = more?.(call);
    if (answer) return answer;
    if (path === "/api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
    if (path === "/api/v1/folders/root/children") return json(200, { items: listed, nextCursor: null });
    if (path === "/api/v1/folders/D1") return json(200, { ...item("D1", "folder", "Photos"), path: [] });
    if (path === "/api/v1/folders/D1/children") return json(200, { items: [], nextCursor: null });
    const thumbnail = path.match(/^\/api\/v1\/files\/(\w+)\/thumbnail$/);
    if (thumbnail && thumbnails[thumbnail[1]])
      return json(200, { url: thumbnailUrl(thumbnail[1], url.searchParams.get("size")!), expiresAt: inAnHour });
    if (thumbnail) return json(404, { error: { code: "thumbnail_not_found", message: "No thumbnail." } });
    if (path.endsWith("/download")) return json(200, { url: "http://storage.test/original", expiresAt: inAnHour });
  });
}

/** IntersectionObserver as the tests drive it: nothing is near the viewport until `reveal`. */
class FakeObserver {
  static all: FakeObserver[] = [];
  readonly watched = new Set<Element>();
  constructor(
    private readonly callback: IntersectionObserverCallback,
    readonly options?: IntersectionObserverInit,
  ) {
    FakeObserver.all.push(this);
  }
  observe(element: Element) {
    this.watched.add(element);
  }
  unobserve(element: Element) {
    this.watched.delete(element);
  }
  disconnect() {
    this.watched.clear();
  }
  takeRecords() {
    return [];
  }
}

/** Brings `element` (or what holds it) near the viewport, as a scroll would. */
function reveal(element: Element) {
  for (const observer of FakeObserver.all) {
    const target = [...observer.watched].find((watched) => watched.contains(element) || element.contains(watched));
    if (!target) continue;
    const entry = { isIntersecting: true, target } as unknown as IntersectionObserverEntry;
    act(() => observer["callback"]([entry], observer as unknown as IntersectionObserver));
  }
}

const tile = (name: string) =>
  screen
    .getAllByRole("listitem")
    .find((candidate) => within(candidate).queryByText(name, { selector: "[data-focus-target]" }))!;
const thumbnailRequests = (requests: string[]) => requests.filter((request) => request.includes("/thumbnail"));
// RTL's findBy and waitFor end on a setTimeout, which never fires under fake timers; vitest's
// waitFor keeps the real ones.
const eventually = <T,>(check: () => T) => vi.waitFor(check, { timeout: 30_000 });
const detailsReads = (requests: string[]) =>
  requests.filter((request) => /^GET \/api\/v1\/files\/[A-Z]\d+$/.test(request));

/** An image uploaded a moment ago: listed before the worker has made its thumbnail. */
const JUST_UPLOADED = { ...item("I3", "file", "fresh.png", "image/png", "pending"), mediaType: "image/png" };

/**
 * The details route of JUST_UPLOADED, whose thumbnail is `outcome` (made, or given up on by the
 * worker) from the `doneFrom`th read on.
 */
function detailsOfJustUploaded(doneFrom: number, outcome: Item["thumbnail"] = "ready"): ApiHandler {
  let reads = 0;
  return ({ path }) => {
    if (path !== "/api/v1/files/I3") return;
    reads += 1;
    return json(200, { ...JUST_UPLOADED, thumbnail: reads >= doneFrom ? outcome : "pending" });
  };
}

async function openGrid() {
  renderApp("/files");
  await userEvent.click(await screen.findByRole("button", { name: "Grid" }));
  return screen.findByRole("list", { name: "Your files" });
}

beforeEach(() => {
  FakeObserver.all = [];
  vi.stubGlobal("IntersectionObserver", FakeObserver);
  forgetThumbnailLinks();
});
afterEach(() => localStorage.clear());

describe("the files page's grid", () => {
  it("marks the items with a live share link in the list's rows and the grid's tiles", async () => {
    fakeDrive({}, [
      { ...item("D1", "folder", "Photos"), shared: true },
      { ...item("T1", "file", "notes.txt"), shared: true },
      item("I2", "file", "dog.png"),
    ]);
    renderApp("/files");
    const table = await screen.findByRole("table");
    const marked = (scope: HTMLElement, name: string) =>
      within(within(scope).getByText(name).closest("tr, li")! as HTMLElement).queryByRole("img", {
        name: "Shared",
      });
    await within(table).findByText("dog.png");
    expect(["Photos", "notes.txt", "dog.png"].map((name) => marked(table, name) !== null)).toEqual([true, true, false]);

    await userEvent.click(screen.getByRole("button", { name: "Grid" }));
    const grid = await screen.findByRole("list", { name: "Your files" });
    expect(["Photos", "notes.txt", "dog.png"].map((name) => marked(grid, name) !== null)).toEqual([true, true, false]);
  });

  it("switches between list and grid with a labelled toggle, and remembers the choice in this browser", async () => {
    fakeDrive();
    const first = renderApp("/files");
    const group = await screen.findByRole("group", { name: "View" });
    expect(within(group).getByRole("button", { name: "List" })).toHaveAttribute("aria-pressed", "true");
    expect(await screen.findByRole("table")).toBeInTheDocument();

    await userEvent.click(within(group).getByRole("button", { name: "Grid" }));
    expect(within(group).getByRole("button", { name: "Grid" })).toHaveAttribute("aria-pressed", "true");
    expect(within(group).getByRole("button", { name: "List" })).toHaveAttribute("aria-pressed", "false");
    expect(screen.getByRole("list", { name: "Your files" })).toBeInTheDocument();
    expect(screen.queryByRole("table")).not.toBeInTheDocument();
    expect(localStorage.getItem(VIEW_MODE_KEY)).toBe("grid");

    first.unmount();
    renderApp("/files");
    expect(await screen.findByRole("list", { name: "Your files" })).toBeInTheDocument();
    const list = screen.getByRole("button", { name: "List" });
    list.focus();
    await userEvent.keyboard("{Enter}");
    expect(await screen.findByRole("table")).toBeInTheDocument();
    expect(list).toHaveAttribute("aria-pressed", "true");
    expect(localStorage.getItem(VIEW_MODE_KEY)).toBe("list");
  });

  it("shows the small thumbnail of an image that has one, the type's icon for folders and other files", async () => {
    const { requests } = fakeDrive();
    await openGrid();
    for (const name of ["Photos", "cat.png", "notes.txt", "dog.png"]) reveal(tile(name));

    const picture = await within(tile("cat.png")).findByRole("img", { name: "cat.png" });
    expect(picture).toHaveAttribute("src", thumbnailUrl("I1", "small"));
    // The icon holds the box until the picture has loaded.
    expect(tile("cat.png").querySelector("svg[data-family=image]")).not.toBeNull();
    fireEvent.load(picture);
    expect(tile("cat.png").querySelector("svg[data-family=image]")).toBeNull();

    expect(within(tile("notes.txt")).queryByRole("img")).toBeNull();
    expect(tile("notes.txt").querySelector("svg[data-family=text]")).not.toBeNull();
    expect(tile("Photos").querySelector("svg[data-family=folder]")).not.toBeNull();
    expect(within(tile("notes.txt")).getByRole("button", { name: "notes.txt" })).toHaveAttribute("title", "notes.txt");
    await within(tile("dog.png")).findByRole("img", { name: "dog.png" });
    expect(thumbnailRequests(requests).sort()).toEqual([
      "GET /api/v1/files/I1/thumbnail?size=small",
      "GET /api/v1/files/I2/thumbnail?size=small",
    ]);
  });

  it("asks for a thumbnail only once its tile nears the viewport, and reuses the link afterwards", async () => {
    const { requests } = fakeDrive();
    await openGrid();
    expect(thumbnailRequests(requests)).toEqual([]);
    expect(FakeObserver.all.some((observer) => observer.options?.rootMargin)).toBe(true);

    reveal(tile("dog.png"));
    await within(tile("dog.png")).findByRole("img", { name: "dog.png" });
    expect(thumbnailRequests(requests)).toEqual(["GET /api/v1/files/I2/thumbnail?size=small"]);
    expect(within(tile("cat.png")).queryByRole("img")).toBeNull();

    // Back to the list and to the grid again: the link, still valid, is not asked for again.
    await userEvent.click(screen.getByRole("button", { name: "List" }));
    await userEvent.click(screen.getByRole("button", { name: "Grid" }));
    reveal(tile("dog.png"));
    await within(tile("dog.png")).findByRole("img", { name: "dog.png" });
    expect(thumbnailRequests(requests)).toEqual(["GET /api/v1/files/I2/thumbnail?size=small"]);
  });

  it("falls back to the type's icon when the thumbnail fails to load or has no link", async () => {
    fakeDrive({ I1: true });
    await openGrid();
    reveal(tile("cat.png"));
    reveal(tile("dog.png"));
    fireEvent.error(await within(tile("cat.png")).findByRole("img", { name: "cat.png" }));
    expect(within(tile("cat.png")).queryByRole("img")).toBeNull();
    expect(tile("cat.png").querySelector("svg[data-family=image]")).not.toBeNull();
    // dog.png's link is refused (404): its icon stays, no picture ever shows.
    await waitFor(() => expect(tile("dog.png").querySelector("svg[data-family=image]")).not.toBeNull());
    expect(within(tile("dog.png")).queryByRole("img")).toBeNull();
  });

  it("shows a thumbnail made after the listing loaded by itself, re-reading only that image, on a backoff", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    // Every tile is near the viewport at once.
    vi.stubGlobal("IntersectionObserver", undefined);
    localStorage.setItem(VIEW_MODE_KEY, "grid");
    const { requests } = fakeDrive(
      { I1: true, I2: true, I3: true },
      [...ITEMS, JUST_UPLOADED],
      detailsOfJustUploaded(2),
    );
    renderApp("/files");
    await eventually(() => within(tile("cat.png")).getByRole("img", { name: "cat.png" }));
    expect(within(tile("fresh.png")).queryByRole("img")).toBeNull();
    expect(tile("fresh.png").querySelector("svg[data-family=image]")).not.toBeNull();

    await act(() => vi.advanceTimersByTimeAsync(1_000));
    await eventually(() => expect(detailsReads(requests)).toEqual(["GET /api/v1/files/I3"]));
    expect(within(tile("fresh.png")).queryByRole("img")).toBeNull();
    await act(() => vi.advanceTimersByTimeAsync(2_000));
    const picture = await eventually(() => within(tile("fresh.png")).getByRole("img", { name: "fresh.png" }));
    expect(picture).toHaveAttribute("src", thumbnailUrl("I3", "small"));
    fireEvent.load(picture);
    expect(tile("fresh.png").querySelector("svg[data-family=image]")).toBeNull();

    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(detailsReads(requests)).toEqual(["GET /api/v1/files/I3", "GET /api/v1/files/I3"]);
    expect(requests.filter((request) => request.startsWith("GET /api/v1/folders/root/children"))).toHaveLength(1);
  });

  it("keeps the type icon of an image the worker gave up on, and reads it no more", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    vi.stubGlobal("IntersectionObserver", undefined);
    localStorage.setItem(VIEW_MODE_KEY, "grid");
    const failedEarlier = { ...item("I4", "file", "broken.png", "image/png", "failed"), mediaType: "image/png" };
    const { requests } = fakeDrive(
      { I1: true, I2: true, I3: true, I4: true },
      [...ITEMS, JUST_UPLOADED, failedEarlier],
      detailsOfJustUploaded(2, "failed"),
    );
    renderApp("/files");
    await eventually(() => within(tile("cat.png")).getByRole("img", { name: "cat.png" }));

    await act(() => vi.advanceTimersByTimeAsync(3_000));
    await eventually(() => expect(detailsReads(requests)).toEqual(["GET /api/v1/files/I3", "GET /api/v1/files/I3"]));
    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(detailsReads(requests)).toEqual(["GET /api/v1/files/I3", "GET /api/v1/files/I3"]);
    for (const name of ["fresh.png", "broken.png"]) {
      expect(within(tile(name)).queryByRole("img")).toBeNull();
      expect(tile(name).querySelector("svg[data-family=image]")).not.toBeNull();
    }
    expect(requests.filter((request) => /\/api\/v1\/files\/I[34]\/thumbnail/.test(request))).toEqual([]);
  });

  it("reads no item again while the list is shown, where no thumbnail is", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    const { requests } = fakeDrive(undefined, [...ITEMS, JUST_UPLOADED], detailsOfJustUploaded(1));
    renderApp("/files");
    await eventually(() => screen.getByRole("button", { name: "fresh.png" }));
    expect(screen.getByRole("table")).toBeInTheDocument();
    await act(() => vi.advanceTimersByTimeAsync(120_000));
    expect(detailsReads(requests)).toEqual([]);
  });

  it("selects with the tiles' checkboxes (shift for a range), opens files and folders, and has each tile's actions", async () => {
    fakeDrive();
    const { router } = renderApp("/files");
    const person = userEvent.setup();
    await person.click(await screen.findByRole("button", { name: "Grid" }));
    await person.click(await screen.findByRole("checkbox", { name: "Select cat.png" }));
    await person.keyboard("{Shift>}");
    await person.click(screen.getByRole("checkbox", { name: "Select dog.png" }));
    await person.keyboard("{/Shift}");
    expect(screen.getByRole("toolbar", { name: "Selection" })).toHaveTextContent("3 selected");
    expect(screen.getByRole("checkbox", { name: "Select notes.txt" })).toBeChecked();
    expect(screen.getByRole("checkbox", { name: "Select Photos" })).not.toBeChecked();
    await person.click(screen.getByRole("checkbox", { name: "Select all" }));
    expect(screen.getByRole("toolbar", { name: "Selection" })).toHaveTextContent("4 selected");
    await person.click(screen.getByRole("button", { name: "Clear selection" }));

    await person.click(screen.getByRole("button", { name: "Actions for notes.txt" }));
    await person.click(within(screen.getByRole("menu")).getByRole("menuitem", { name: "Rename" }));
    const rename = screen.getByRole("dialog", { name: "Rename notes.txt" });
    await person.click(within(rename).getByRole("button", { name: "Cancel" }));

    await person.click(screen.getByRole("button", { name: "notes.txt" }));
    expect(await screen.findByRole("dialog", { name: "notes.txt" })).toBeInTheDocument();
    await person.click(screen.getByRole("button", { name: "Close" }));

    await person.click(screen.getByRole("link", { name: "Photos" }));
    await waitFor(() => expect(router.state.location.pathname).toBe("/files/D1"));
    expect(await screen.findByRole("heading", { name: "Photos" })).toBeInTheDocument();
  });

  it("sorts from its own control, as the table's headers do", async () => {
    const { requests } = fakeDrive();
    const { router } = renderApp("/files");
    await userEvent.click(await screen.findByRole("button", { name: "Grid" }));
    await userEvent.selectOptions(screen.getByRole("combobox", { name: "Sort by" }), "size");
    await waitFor(() => expect(requests).toContain("GET /api/v1/folders/root/children?sort=size&order=desc&limit=50"));
    await userEvent.click(screen.getByRole("button", { name: "Descending: sort ascending" }));
    await waitFor(() => expect(router.state.location.search).toBe("?sort=size&order=asc"));
  });
});
