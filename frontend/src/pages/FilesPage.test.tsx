import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "../api/session";
import { routes } from "../App";
import { SessionProvider } from "../session/SessionProvider";

const user = {
  userId: "u1",
  email: "ada@example.com",
  username: "Ada",
  gender: null,
  dateOfBirth: null,
  createdAt: "",
};
const json = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

function item(id: string, kind: "file" | "folder", name: string) {
  return {
    id,
    kind,
    name,
    parentId: null,
    size: kind === "file" ? 10 : null,
    type: kind === "file" ? "text/plain" : null,
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
  };
}

/** The files service as far as the folder page uses it, with the requests it received. */
function fakeDrive() {
  let items = [
    item("D1", "folder", "Zeta"),
    item("A1", "file", "file2.txt"),
    item("A2", "file", "file10.txt"),
    item("A3", "file", "notes.txt"),
  ];
  const trashed: ReturnType<typeof item>[] = [];
  const requests: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (given: Request | string, init?: RequestInit) => {
      const input = typeof given === "string" ? new Request(new URL(given, "http://x"), init) : given;
      const url = new URL(input.url);
      const key = `${input.method} ${url.pathname}`;
      requests.push(`${key}${url.search}`);
      const body =
        input.method === "GET"
          ? null
          : await input
              .clone()
              .json()
              .catch(() => null);
      if (key === "POST /api/auth/refresh") return json(200, { user, accessToken: "t", accessTokenExpiresAt: "" });
      if (key === "GET /api/files/limits") return json(200, { maxUploadBytes: 1000 });
      if (key === "GET /api/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
      if (key === "GET /api/folders/root/children") return json(200, { items, nextCursor: null });
      if (key === "POST /api/items/trash") {
        const gone = items.filter((candidate) => body.ids.includes(candidate.id));
        items = items.filter((candidate) => !body.ids.includes(candidate.id));
        trashed.push(...gone);
        return json(200, { items: gone, failed: [] });
      }
      if (key === "POST /api/trash/restore") {
        const back = trashed.filter((candidate) => body.ids.includes(candidate.id));
        items = [...items, ...back];
        return json(200, { items: back, failed: [] });
      }
      if (input.method === "PATCH" && url.pathname.startsWith("/api/files/")) {
        const id = url.pathname.split("/").pop()!;
        items = items.map((candidate) => (candidate.id === id ? { ...candidate, name: body.name } : candidate));
        return json(
          200,
          items.find((candidate) => candidate.id === id),
        );
      }
      return json(404, { error: { code: "not_found", message: "" } });
    }),
  );
  return { requests };
}

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return router;
}

const rowNames = () =>
  screen
    .getAllByRole("row")
    .slice(1)
    .map((row) => within(row).getAllByRole("cell")[1].querySelector("[data-focus-target]")!.textContent);

beforeEach(() => {
  document.title = "";
});
afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.set(null);
});

describe("the folder page", () => {
  it("shows rows in the server's order (folders first, natural names) and sorts on the server", async () => {
    const { requests } = fakeDrive();
    const router = renderAt("/files");
    await screen.findByRole("button", { name: "file10.txt" }, { timeout: 5000 });
    expect(rowNames()).toEqual(["Zeta", "file2.txt", "file10.txt", "notes.txt"]);
    expect(document.title).toBe("Files — SCloud");
    expect(requests).toContain("GET /api/folders/root/children?sort=name&order=asc&limit=50");

    await userEvent.click(screen.getByRole("button", { name: /^Size/ }));
    await waitFor(() => expect(requests).toContain("GET /api/folders/root/children?sort=size&order=desc&limit=50"));
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
    expect(screen.getByRole("button", { name: "file10.txt" })).toHaveFocus();
    expect(screen.getByTestId("toast")).toHaveTextContent("file2.txt moved to the trash");

    await userEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(await screen.findByRole("button", { name: "file2.txt" })).toBeInTheDocument();
    expect(requests).toContain("POST /api/trash/restore");
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

  it("pages on the server: the next page comes from its cursor and is added below, never re-sorted", async () => {
    const requests: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (given: Request | string, init?: RequestInit) => {
        const input = typeof given === "string" ? new Request(new URL(given, "http://x"), init) : given;
        const url = new URL(input.url);
        requests.push(`${url.pathname}${url.search}`);
        if (url.pathname === "/api/auth/refresh")
          return json(200, { user, accessToken: "t", accessTokenExpiresAt: "" });
        if (url.pathname === "/api/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
        if (url.pathname === "/api/folders/root/children")
          return url.searchParams.get("cursor") === "page2"
            ? json(200, { items: [item("B1", "file", "a-late.txt")], nextCursor: null })
            : json(200, { items: [item("A1", "file", "z-early.txt")], nextCursor: "page2" });
        return json(404, { error: { code: "not_found", message: "" } });
      }),
    );
    renderAt("/files");
    await screen.findByRole("button", { name: "z-early.txt" }, { timeout: 5000 });
    await userEvent.click(screen.getByRole("button", { name: "Load more" }));
    await screen.findByRole("button", { name: "a-late.txt" });
    expect(rowNames()).toEqual(["z-early.txt", "a-late.txt"]);
    const next = requests.find((request) => request.includes("cursor=page2"));
    expect(Object.fromEntries(new URLSearchParams(next?.split("?")[1]))).toEqual({
      sort: "name",
      order: "asc",
      cursor: "page2",
      limit: "50",
    });
    expect(screen.queryByRole("button", { name: "Load more" })).not.toBeInTheDocument();
  });
});
