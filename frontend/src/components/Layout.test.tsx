import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, fakeSignedInApi, json, renderApp, session } from "../test/harness";

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
    if (path === "/api/folders/root") return json(200, { ...file("root", ""), kind: "folder", path: [] });
    if (path === "/api/folders/root/children") return json(200, { items: [file("A1", "a.txt")], nextCursor: null });
    if (path === "/api/search") {
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

describe("the layout", () => {
  it("searches as you type, after a pause, keeps the cursor in the box, and shows only the latest answer", async () => {
    const api = driveWithSlowSearch();
    const { router } = renderApp("/files");
    const box = await screen.findByRole("searchbox", { name: "Search your files" });
    await userEvent.type(box, "rep");
    await waitFor(() => expect(router.state.location.search).toBe("?q=rep"));
    expect(box).toHaveFocus();
    await userEvent.type(box, "ort");
    await waitFor(() => expect(router.state.location.search).toBe("?q=report"));
    expect(await screen.findByRole("button", { name: "report found.txt" })).toBeInTheDocument();
    api.releaseFirst();
    await waitFor(() => expect(api.requests.filter((r) => r.startsWith("GET /api/search"))).toHaveLength(2));
    expect(screen.queryByText("stale answer.txt")).toBeNull();
    expect(box).toHaveValue("report");
    expect(box).toHaveFocus();
    // Typing on the search page replaces the history entry instead of adding one per query.
    expect(router.state.historyAction).toBe("REPLACE");
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
      if (path === "/api/auth/refresh") {
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
