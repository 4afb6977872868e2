import { act, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { beforeEach, describe, expect, it } from "vitest";
import { MAX_REQUESTS_PER_PAGE } from "../lib/usePagedList";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

function item(id: string, kind: "file" | "folder", name: string) {
  return {
    id,
    kind,
    name,
    parentId: "root",
    size: kind === "file" ? 10 : null,
    type: kind === "file" ? "text/plain" : null,
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
  };
}

/**
 * The files service as far as the folder page uses it, with the requests it received. `before`
 * may hold a request back ("GET /api/v1/folders/root/children") until the promise it returns settles.
 */
function fakeDrive({ before }: { before?: (key: string) => Promise<void> | undefined } = {}) {
  let items = [
    item("D1", "folder", "Zeta"),
    item("A1", "file", "file2.txt"),
    item("A2", "file", "file10.txt"),
    item("A3", "file", "notes.txt"),
  ];
  const trashed: ReturnType<typeof item>[] = [];
  const bodies: string[] = [];
  const { requests } = fakeSignedInApi(async ({ method, path, url, body }) => {
    const key = `${method} ${path}`;
    if (body) bodies.push(`${key} ${JSON.stringify(body)}`);
    await before?.(key);
    if (key === "GET /api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
    if (key === "GET /api/v1/folders/root/children") return json(200, { items, nextCursor: null });
    if (key === "POST /api/v1/items/trash") {
      const gone = items.filter((candidate) => body.ids.includes(candidate.id));
      items = items.filter((candidate) => !body.ids.includes(candidate.id));
      trashed.push(...gone);
      return json(200, { items: gone, failed: [], remaining: [] });
    }
    if (key === "POST /api/v1/trash/restore") {
      const back = trashed.filter((candidate) => body.ids.includes(candidate.id));
      items = [...items, ...back];
      return json(200, { items: back, failed: [], remaining: [] });
    }
    if (method === "PATCH" && path.startsWith("/api/v1/files/")) {
      const id = url.pathname.split("/").pop()!;
      items = items.map((candidate) => (candidate.id === id ? { ...candidate, name: body.name } : candidate));
      return json(
        200,
        items.find((candidate) => candidate.id === id),
      );
    }
  });
  return { requests, bodies };
}

const renderAt = (path: string) => renderApp(path).router;

const rowNames = () =>
  screen
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[1].querySelector("[data-focus-target]")!.textContent);

beforeEach(() => {
  document.title = "";
});

describe("the folder page", () => {
  it("shows rows in the server's order (folders first, natural names) and sorts on the server", async () => {
    const { requests } = fakeDrive();
    const router = renderAt("/files");
    await screen.findByRole("button", { name: "file10.txt" });
    expect(rowNames()).toEqual(["Zeta", "file2.txt", "file10.txt", "notes.txt"]);
    expect(document.title).toBe("Files — SCloud");
    expect(requests).toContain("GET /api/v1/folders/root/children?sort=name&order=asc&limit=50");

    await userEvent.click(screen.getByRole("button", { name: /^Size/ }));
    await waitFor(() => expect(requests).toContain("GET /api/v1/folders/root/children?sort=size&order=desc&limit=50"));
    expect(router.state.location.search).toBe("?sort=size&order=desc");
  });

  it("selects a range with shift-click and everything with Ctrl+A", async () => {
    fakeDrive();
    renderAt("/files");
    const person = userEvent.setup();
    await person.click(await screen.findByRole("checkbox", { name: "Select file2.txt" }));
    await person.keyboard("{Shift>}");
    await person.click(screen.getByRole("checkbox", { name: "Select notes.txt" }));
    await person.keyboard("{/Shift}");
    expect(screen.getByRole("toolbar", { name: "Selection" })).toHaveTextContent("3 selected");
    expect(screen.getByRole("checkbox", { name: "Select Zeta" })).not.toBeChecked();

    screen.getByRole("button", { name: "notes.txt" }).focus();
    await userEvent.keyboard("{Control>}a{/Control}");
    expect(screen.getByRole("toolbar", { name: "Selection" })).toHaveTextContent("4 selected");
    expect(screen.getByRole("checkbox", { name: "Select all" })).toBeChecked();
  });

  it("trashes the focused row with Delete, moves focus to the next row, and Undo brings it back", async () => {
    const { requests } = fakeDrive();
    renderAt("/files");
    (await screen.findByRole("button", { name: "file2.txt" })).focus();
    await userEvent.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "file2.txt" })).not.toBeInTheDocument());
    // Focus moves once the list without the row has rendered, which may be a render later.
    await waitFor(() => expect(screen.getByRole("button", { name: "file10.txt" })).toHaveFocus());
    expect(await screen.findByTestId("toast")).toHaveTextContent("file2.txt moved to the trash");

    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("button", { name: "file2.txt" })).toBeInTheDocument();
    expect(requests).toContain("POST /api/v1/trash/restore");
  });

  it("renames the focused row with F2, and focus comes back to it", async () => {
    fakeDrive();
    renderAt("/files");
    (await screen.findByRole("button", { name: "notes.txt" })).focus();
    await userEvent.keyboard("{F2}");
    const dialog = screen.getByRole("dialog", { name: "Rename notes.txt" });
    const field = within(dialog).getByLabelText("New name");
    expect(field).toHaveFocus();
    await userEvent.clear(field);
    await userEvent.type(field, "minutes.txt{Enter}");
    expect(await screen.findByRole("button", { name: "minutes.txt" })).toBeInTheDocument();
    expect(screen.queryByRole("dialog")).not.toBeInTheDocument();
    await waitFor(() => expect(screen.getByRole("button", { name: "minutes.txt" })).toHaveFocus());
  });

  it("follows short pages (fewer rows than asked, with a cursor) until the page is full, and only so often", async () => {
    const { requests } = fakeSignedInApi(({ path, url }) => {
      if (path === "/api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
      if (path === "/api/v1/folders/root/children")
        return url.searchParams.get("cursor") === "page2"
          ? json(200, { items: [item("B1", "file", "a-late.txt")], nextCursor: null })
          : json(200, { items: [item("A1", "file", "z-early.txt")], nextCursor: "page2" });
    });
    renderAt("/files");
    await screen.findByRole("button", { name: "a-late.txt" });
    expect(rowNames()).toEqual(["z-early.txt", "a-late.txt"]);
    const next = requests.find((request) => request.includes("cursor=page2"));
    expect(Object.fromEntries(new URLSearchParams(next?.split("?")[1]))).toEqual({
      sort: "name",
      order: "asc",
      cursor: "page2",
      limit: "49",
    });
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });

  it("stops following empty pages after a bound and offers Load more", async () => {
    const { requests } = fakeSignedInApi(({ path, url }) => {
      if (path === "/api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
      if (path === "/api/v1/folders/root/children") {
        const at = Number(url.searchParams.get("cursor") ?? 0);
        return json(200, { items: at === 0 ? [item("A1", "file", "only.txt")] : [], nextCursor: String(at + 1) });
      }
    });
    renderAt("/files");
    expect(await screen.findByRole("button", { name: "Load more" })).toBeInTheDocument();
    expect(requests.filter((request) => request.includes("/children")).length).toBe(MAX_REQUESTS_PER_PAGE);
  });

  it("puts focus on the list when a folder opens", async () => {
    fakeDrive();
    renderAt("/files");
    await waitFor(() => expect(screen.getByRole("link", { name: "Zeta" })).toHaveFocus());
  });

  it("after Undo, the restored rows are not selected: the next Delete takes the focused row only", async () => {
    const { bodies } = fakeDrive();
    renderAt("/files");
    const person = userEvent.setup();
    await person.click(await screen.findByRole("checkbox", { name: "Select file2.txt" }));
    await person.click(screen.getByRole("checkbox", { name: "Select notes.txt" }));
    await person.click(
      within(screen.getByRole("toolbar", { name: "Selection" })).getByRole("button", { name: "Delete" }),
    );
    await person.click(await screen.findByRole("button", { name: "Undo" }));
    // Undo puts focus on the first row it brought back, once the reloaded list shows it; the rows
    // can be in the page before that focus moves, so wait for it rather than for the rows.
    await waitFor(() => expect(screen.getByRole("button", { name: "file2.txt" })).toHaveFocus());
    expect(screen.queryByRole("toolbar", { name: "Selection" })).toBeNull();
    expect(screen.getByRole("checkbox", { name: "Select notes.txt" })).not.toBeChecked();

    screen.getByRole("button", { name: "file10.txt" }).focus();
    expect(screen.getByRole("button", { name: "file10.txt" })).toHaveFocus();
    await person.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "file10.txt" })).toBeNull());
    expect(bodies.filter((body) => body.startsWith("POST /api/v1/items/trash")).at(-1)).toBe(
      'POST /api/v1/items/trash {"ids":["A2"]}',
    );
    expect(screen.getByRole("button", { name: "file2.txt" })).toBeInTheDocument();
  });

  it("leaves focus on a row the person moved to while Undo's rows were on their way", async () => {
    let holding = false;
    let release: (() => void) | null = null;
    const { bodies } = fakeDrive({
      before: (key) =>
        holding && key === "GET /api/v1/folders/root/children"
          ? new Promise<void>((resolve) => {
              release = resolve;
            })
          : undefined,
    });
    renderAt("/files");
    const person = userEvent.setup();
    (await screen.findByRole("button", { name: "notes.txt" })).focus();
    await person.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "notes.txt" })).toBeNull());
    holding = true;
    await person.click(screen.getByRole("button", { name: "Undo" }));
    await waitFor(() => expect(release).not.toBeNull());

    screen.getByRole("button", { name: "file10.txt" }).focus();
    holding = false;
    release!();
    await screen.findByRole("button", { name: "notes.txt" });
    await person.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "file10.txt" })).toBeNull());
    expect(bodies.filter((body) => body.startsWith("POST /api/v1/items/trash")).at(-1)).toBe(
      'POST /api/v1/items/trash {"ids":["A2"]}',
    );
    expect(screen.getByRole("button", { name: "notes.txt" })).toBeInTheDocument();
  });

  it("undoes a delete with Ctrl+Z while its toast is up", async () => {
    const { requests } = fakeDrive();
    renderAt("/files");
    (await screen.findByRole("button", { name: "notes.txt" })).focus();
    await userEvent.keyboard("{Delete}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "notes.txt" })).toBeNull());
    await userEvent.keyboard("{Control>}z{/Control}");
    expect(await screen.findByRole("button", { name: "notes.txt" })).toBeInTheDocument();
    expect(requests).toContain("POST /api/v1/trash/restore");
  });

  it("hides each row's actions behind a menu for narrow screens", async () => {
    const { bodies } = fakeDrive();
    renderAt("/files");
    const person = userEvent.setup();
    await person.click(await screen.findByRole("button", { name: "Actions for notes.txt" }));
    const menu = screen.getByRole("menu", { name: "Actions for notes.txt" });
    expect(
      within(menu)
        .getAllByRole("menuitem")
        .map((entry) => entry.textContent),
    ).toEqual(["Download", "Share", "Star", "Rename", "Copy to…", "Delete"]);
    expect(within(menu).getByRole("menuitem", { name: "Download" })).toHaveFocus();
    await person.keyboard("{ArrowUp}{Enter}");
    await waitFor(() => expect(screen.queryByRole("button", { name: "notes.txt" })).toBeNull());
    expect(bodies).toContain('POST /api/v1/items/trash {"ids":["A3"]}');
  });

  it("opens the share dialog from a row and gives focus back to the row when it closes", async () => {
    fakeDrive();
    renderAt("/files");
    const share = await screen.findByRole("button", { name: "Share notes.txt" });
    await userEvent.click(share);
    const dialog = await screen.findByRole("dialog", { name: "Share notes.txt" });
    expect(within(dialog).getByRole("button", { name: "Create link" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Close" }));
    await waitFor(() => expect(share).toHaveFocus());
  });

  it("selects every item of a large folder, page by page, and deletes them in requests of at most 500", async () => {
    const all = Array.from({ length: 1203 }, (_, index) => item(`F${index}`, "file", `f${index}.txt`));
    const trashCalls: string[][] = [];
    fakeSignedInApi(({ method, path, url, body }) => {
      if (path === "/api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
      if (path === "/api/v1/folders/root/children") {
        const from = Number(url.searchParams.get("cursor") ?? 0);
        const to = from + Number(url.searchParams.get("limit"));
        return json(200, { items: all.slice(from, to), nextCursor: to < all.length ? String(to) : null });
      }
      if (method === "POST" && path === "/api/v1/items/trash") {
        trashCalls.push(body.ids);
        // The server runs out of time after 300 ids and hands the rest back.
        const done = body.ids.slice(0, 300);
        return json(200, {
          items: all.filter((entry) => done.includes(entry.id)),
          failed: [],
          remaining: body.ids.slice(300),
        });
      }
    });
    renderAt("/files");
    const person = userEvent.setup();
    await person.click(await screen.findByRole("checkbox", { name: "Select all" }));
    const toolbar = screen.getByRole("toolbar", { name: "Selection" });
    expect(toolbar).toHaveTextContent("50 selected");
    await person.click(within(toolbar).getByRole("button", { name: "Select all in this folder" }));
    await waitFor(() => expect(toolbar).toHaveTextContent("All 1,203 items in this folder are selected."));
    expect(toolbar).toHaveTextContent("1,203 selected");
    await person.click(within(toolbar).getByRole("button", { name: "Delete" }));
    expect(await screen.findByText("1203 items moved to the trash")).toBeInTheDocument();
    expect(Math.max(...trashCalls.map((ids) => ids.length))).toBeLessThanOrEqual(500);
    expect(new Set(trashCalls.flat()).size).toBe(1203);
  });

  it("offline, a folder shows Retry and loads by itself when the network is back", async () => {
    let online = false;
    const { requests } = fakeSignedInApi(({ path }) => {
      if (!online && path.startsWith("/api/v1/folders/")) throw new TypeError("Failed to fetch");
      if (path === "/api/v1/folders/F1") return json(200, { ...item("F1", "folder", "Travel"), path: [] });
      if (path === "/api/v1/folders/F1/children") return json(200, { items: [], nextCursor: null });
    });
    renderAt("/files/F1");
    expect(await screen.findByRole("heading", { name: "Folder not available" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Retry" })).toBeInTheDocument();
    online = true;
    // The page listens for "online" from an effect that may run a moment after the error shows:
    // announce the network until the page asks for the folder again.
    const asked = requests.length;
    await waitFor(() => {
      act(() => void window.dispatchEvent(new Event("online")));
      expect(requests.slice(asked)).toContain("GET /api/v1/folders/F1");
    });
    expect(await screen.findByRole("heading", { name: "Travel" })).toBeInTheDocument();
  });
});
