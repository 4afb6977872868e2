import { render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
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

function trashed(id: string, name: string, path: { id: string; name: string }[]) {
  return {
    id,
    kind: "file",
    name,
    parentId: path.at(-1)?.id ?? null,
    size: 3,
    type: "text/plain",
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: "2026-01-02T00:00:00Z",
    path,
  };
}

function fakeTrash() {
  let items = [trashed("T1", "old.txt", [{ id: "F1", name: "Projects" }]), trashed("T2", "clash.txt", [])];
  const bodies: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (given: Request | string, init?: RequestInit) => {
      const input = typeof given === "string" ? new Request(new URL(given, "http://x"), init) : given;
      const key = `${input.method} ${new URL(input.url).pathname}`;
      const body =
        input.method === "GET"
          ? null
          : await input
              .clone()
              .json()
              .catch(() => null);
      if (body) bodies.push(`${key} ${JSON.stringify(body)}`);
      if (key === "POST /api/auth/refresh") return json(200, { user, accessToken: "t", accessTokenExpiresAt: "" });
      if (key === "GET /api/files/limits") return json(200, { maxUploadBytes: 1000 });
      if (key === "GET /api/trash") return json(200, { items, nextCursor: null });
      if (key === "POST /api/trash/delete") {
        items = items.filter((item) => !body.ids.includes(item.id));
        return json(200, { items: [], failed: [] });
      }
      if (key === "POST /api/trash/restore") {
        if (body.onConflict === "fail")
          return json(200, { items: [], failed: [{ id: "T2", code: "name_taken", message: "Taken." }] });
        items = items.filter((item) => !body.ids.includes(item.id));
        return json(200, { items: [{ ...trashed("T2", "clash (1).txt", []), trashedAt: null }], failed: [] });
      }
      return json(404, { error: { code: "not_found", message: "" } });
    }),
  );
  return { bodies };
}

function renderTrash() {
  render(
    <SessionProvider>
      <RouterProvider router={createMemoryRouter(routes, { initialEntries: ["/trash"] })} />
    </SessionProvider>,
  );
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.set(null);
});

describe("the trash page", () => {
  it("shows where each item was and deletes one forever after confirmation", async () => {
    fakeTrash();
    renderTrash();
    const row = (await screen.findAllByTestId("trash-row", {}, { timeout: 5000 }))[0];
    expect(within(row).getByRole("link", { name: "My files / Projects" })).toHaveAttribute("href", "/files/F1");
    await userEvent.click(screen.getByRole("button", { name: "Delete forever old.txt" }));
    const dialog = screen.getByRole("dialog", { name: "Delete old.txt forever?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Delete forever" }));
    await waitFor(() => expect(screen.getAllByTestId("trash-row")).toHaveLength(1));
    expect(screen.queryByText("old.txt")).not.toBeInTheDocument();
  });

  it("asks what to do when a restored name is taken, and keeps both when told", async () => {
    const { bodies } = fakeTrash();
    renderTrash();
    await userEvent.click(await screen.findByRole("button", { name: "Restore clash.txt" }, { timeout: 5000 }));
    const dialog = await screen.findByRole("dialog", { name: "clash.txt already exists" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep both" }));
    await waitFor(() => expect(screen.queryByText("clash.txt")).not.toBeInTheDocument());
    expect(bodies).toEqual([
      'POST /api/trash/restore {"ids":["T2"],"onConflict":"fail"}',
      'POST /api/trash/restore {"ids":["T2"],"onConflict":"rename"}',
    ]);
  });
});
