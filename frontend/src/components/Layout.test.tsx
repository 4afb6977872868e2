import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, fakeSignedInApi, json, renderApp, session } from "../test/harness";
import { SEARCH_DEBOUNCE_MS } from "./Layout";

function file(id: string, name: string) {
  return {
    id,
    kind: "file",
    name,
    parentId: "root",
    size: 1,
    type: "text/plain",
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
    path: [],
  };
}

function driveWithSlowSearch() {
  let releaseFirst: () => void = () => {};
  const firstAnswered = new Promise<void>((resolve) => (releaseFirst = resolve));
  const api = fakeSignedInApi(async ({ path, url }) => {
    if (path === "/api/v1/folders/root") return json(200, { ...file("root", ""), kind: "folder", path: [] });
    if (path === "/api/v1/folders/root/children") return json(200, { items: [file("A1", "a.txt")], nextCursor: null });
    if (path === "/api/v1/search") {
      const q = url.searchParams.get("q");
      if (q === "rep") {
        // The answer to the earlier query arrives last.
        await firstAnswered;
        return json(200, { items: [file("S0", "stale answer.txt")], nextCursor: null });
      }
      return json(200, { items: [file("S1", `${q} found.txt`)], nextCursor: null });
    }
  });
  return { ...api, releaseFirst };
}

/**
 * The search box's clock: only setTimeout is faked, so React's scheduler and the fake API's
 * promises run as usual. Testing Library's waitFor/findBy and userEvent drain a real setTimeout(0)
 * (they only advance Jest's fake timers), so while this clock is on, a test types with fireEvent
 * and checks synchronously; `realClock` hands back the real one before any wait.
 */
function fakeClock() {
  vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  return {
    advance: (ms: number) => act(() => vi.advanceTimersByTimeAsync(ms)),
    realClock: () => vi.useRealTimers(),
  };
}

/** Types `text` one character at a time, each keystroke a change event and a render. */
function typeInto(box: HTMLInputElement, text: string) {
  for (const character of text) fireEvent.change(box, { target: { value: box.value + character } });
}

describe("the layout", () => {
  it("never loses a keystroke that arrives between the pause's search and the next render", async () => {
    driveWithSlowSearch();
    const { router } = renderApp("/files");
    await screen.findByRole("button", { name: "a.txt" });
    const box = screen.getByRole<HTMLInputElement>("searchbox", { name: "Search your files" });
    // Loaded already, the search page lets the navigation's render commit within the act below
    // (under load, the render waits for the page's code, and keystrokes meanwhile were lost too).
    await import("../pages/SearchPage");
    const clock = fakeClock();
    typeInto(box, "rep");
    // One batch: the pause's timer fires (search, navigate) and "o" arrives before React renders.
    await act(async () => {
      vi.advanceTimersByTime(SEARCH_DEBOUNCE_MS);
      fireEvent.change(box, { target: { value: "repo" } });
    });
    expect(router.state.location.search).toBe("?q=rep");
    expect(box).toHaveValue("repo");
    typeInto(box, "rt");
    await clock.advance(SEARCH_DEBOUNCE_MS);
    expect(router.state.location.search).toBe("?q=report");
    expect(box).toHaveValue("report");
    clock.realClock();
  });

  it("searches as you type, after a pause, keeps the cursor in the box, and shows only the latest answer", async () => {
    const api = driveWithSlowSearch();
    const { router } = renderApp("/files");
    await screen.findByRole("button", { name: "a.txt" });
    await import("../pages/SearchPage");
    const box = screen.getByRole<HTMLInputElement>("searchbox", { name: "Search your files" });
    await userEvent.click(box);
    const clock = fakeClock();
    typeInto(box, "rep");
    await clock.advance(SEARCH_DEBOUNCE_MS - 1);
    expect(router.state.location.pathname).toBe("/files");
    await clock.advance(1);
    expect(router.state.location.search).toBe("?q=rep");
    expect(box).toHaveFocus();
    typeInto(box, "ort");
    await clock.advance(SEARCH_DEBOUNCE_MS);
    expect(router.state.location.search).toBe("?q=report");
    // Typing on the search page replaces the history entry instead of adding one per query.
    expect(router.state.historyAction).toBe("REPLACE");
    clock.realClock();
    expect(await screen.findByRole("button", { name: "report found.txt" })).toBeInTheDocument();
    api.releaseFirst();
    await waitFor(() => expect(api.requests.filter((r) => r.startsWith("GET /api/v1/search"))).toHaveLength(2));
    expect(screen.queryByText("stale answer.txt")).toBeNull();
    expect(box).toHaveValue("report");
    expect(box).toHaveFocus();
  });

  it("shows the place's query after leaving the search page and on coming Back to it", async () => {
    driveWithSlowSearch();
    const { router } = renderApp("/files");
    await screen.findByRole("button", { name: "a.txt" });
    await import("../pages/SearchPage");
    const box = screen.getByRole<HTMLInputElement>("searchbox", { name: "Search your files" });
    const clock = fakeClock();
    typeInto(box, "report");
    await clock.advance(SEARCH_DEBOUNCE_MS);
    expect(router.state.location.search).toBe("?q=report");
    typeInto(box, "s");
    await act(() => router.navigate("/files"));
    expect(box).toHaveValue("");
    await act(() => router.navigate(-1));
    expect(router.state.location.search).toBe("?q=report");
    expect(box).toHaveValue("report");
    // Nothing typed here since: the box searches nothing of its own.
    await clock.advance(SEARCH_DEBOUNCE_MS);
    expect(router.state.location.search).toBe("?q=report");
    clock.realClock();
  });

  it("has a skip link, first on the page, that puts focus on the file list", async () => {
    driveWithSlowSearch();
    renderApp("/files");
    await screen.findByRole("button", { name: "a.txt" });
    (document.activeElement as HTMLElement).blur();
    await userEvent.tab();
    const skip = screen.getByRole("link", { name: "Skip to file list" });
    expect(skip).toHaveFocus();
    await userEvent.click(skip);
    expect(document.getElementById("file-list")).toHaveFocus();
  });

  it("keeps the header's signed-in shape while the session restores, and docks the email banner", async () => {
    let restore: () => void = () => {};
    const restored = new Promise<void>((resolve) => (restore = resolve));
    fakeApi(async ({ path }) => {
      if (path === "/api/v1/auth/refresh") {
        await restored;
        return json(200, session({ emailVerified: false }));
      }
    });
    renderApp("/files");
    // Before the session is back, the search box and the drive's links already hold their place.
    expect(screen.getByRole("searchbox", { name: "Search your files" })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Trash" })).toBeInTheDocument();
    restore();
    const banner = await screen.findByRole("region", { name: "Email confirmation" });
    // Out of the page's flow: the banner floats in the bottom dock instead of pushing the page down.
    expect(banner.closest("[data-testid=dock]")?.parentElement?.className).toMatch(/\bfixed\b/);
    expect(screen.getByRole("main").compareDocumentPosition(banner) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
  });
});
