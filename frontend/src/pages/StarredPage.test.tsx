import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

function item(
  id: string,
  kind: "file" | "folder",
  name: string,
  starred: boolean,
  path: { id: string; name: string }[],
) {
  return {
    id,
    kind,
    name,
    parentId: path.at(-1)?.id ?? "root",
    size: kind === "file" ? 10 : null,
    type: kind === "file" ? "text/plain" : null,
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
    shared: false,
    starred,
    path,
  };
}

/** The files service as far as Starred and a folder's rows use it; stars by id. */
function fakeStars(initial: string[]) {
  const all = [
    item("F1", "folder", "Holiday", false, []),
    item("A1", "file", "notes.txt", false, []),
    item("A2", "file", "photo.txt", false, [{ id: "F1", name: "Holiday" }]),
  ];
  const stars = new Set(initial);
  const marked = () => all.map((one) => ({ ...one, starred: stars.has(one.id) }));
  const { requests } = fakeSignedInApi(({ method, path, url }) => {
    const key = `${method} ${path}`;
    if (key === "GET /api/v1/files/starred")
      return json(200, { items: marked().filter((one) => stars.has(one.id)), nextCursor: null });
    if (key === "GET /api/v1/folders/root") return json(200, { ...item("root", "folder", "", false, []), path: [] });
    if (key === "GET /api/v1/folders/root/children")
      return json(200, { items: marked().filter((one) => one.parentId === "root"), nextCursor: null });
    if (path.startsWith("/api/v1/files/starred/")) {
      const id = url.pathname.split("/").pop()!;
      if (method === "PUT") stars.add(id);
      if (method === "DELETE") stars.delete(id);
      return new Response(null, { status: 204 });
    }
  });
  return { requests, stars };
}

describe("the Starred page", () => {
  it("lists what was starred with the folder each is in, and an unstarred row leaves it", async () => {
    const { stars } = fakeStars(["F1", "A2"]);
    renderApp("/starred");
    expect(await screen.findByRole("heading", { name: "Starred" })).toBeInTheDocument();
    const photo = (await screen.findByText("photo.txt")).closest("tr")!;
    expect(within(photo).getByRole("link", { name: "My files / Holiday" })).toHaveAttribute("href", "/files/F1");
    expect(screen.getByRole("link", { name: "Holiday" })).toHaveAttribute("href", "/files/F1");

    await userEvent.click(screen.getByRole("button", { name: "Unstar Holiday" }));
    await waitFor(() => expect(screen.queryByRole("link", { name: "Holiday" })).not.toBeInTheDocument());
    expect(stars).toEqual(new Set(["A2"]));
    expect(screen.getByText("photo.txt")).toBeInTheDocument();
  });

  it("says so when nothing is starred, and the navigation leads there", async () => {
    fakeStars([]);
    renderApp("/files");
    await userEvent.click(await screen.findByRole("link", { name: "Starred" }));
    expect(await screen.findByText(/Nothing starred yet/)).toBeInTheDocument();
  });

  it("stars from the preview", async () => {
    const { stars } = fakeStars(["A2"]);
    renderApp("/starred");
    await userEvent.click(await screen.findByRole("button", { name: "photo.txt" }));
    const dialog = await screen.findByRole("dialog", { name: "photo.txt" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Unstar" }));
    await waitFor(() => expect(stars.size).toBe(0));
    expect(within(dialog).getByRole("button", { name: "Star" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Star" }));
    await waitFor(() => expect(stars).toEqual(new Set(["A2"])));
  });
});

describe("the star toggle in a folder's rows", () => {
  it("stars an item, shows it starred, and the row menu unstars it", async () => {
    const { requests, stars } = fakeStars([]);
    renderApp("/files");
    await userEvent.click(await screen.findByRole("button", { name: "Star notes.txt" }));
    expect(await screen.findByRole("button", { name: "Unstar notes.txt" })).toBeInTheDocument();
    expect(requests).toContain("PUT /api/v1/files/starred/A1");
    expect(stars).toEqual(new Set(["A1"]));

    await userEvent.click(screen.getByRole("button", { name: "Actions for notes.txt" }));
    await userEvent.click(screen.getByRole("menuitem", { name: "Unstar" }));
    expect(await screen.findByRole("button", { name: "Star notes.txt" })).toBeInTheDocument();
    expect(requests).toContain("DELETE /api/v1/files/starred/A1");
    expect(stars.size).toBe(0);
  });

  it("puts the star back and says why when starring fails", async () => {
    fakeSignedInApi(({ method, path }) => {
      if (`${method} ${path}` === "GET /api/v1/folders/root/children")
        return json(200, { items: [item("A1", "file", "notes.txt", false, [])], nextCursor: null });
      if (`${method} ${path}` === "GET /api/v1/folders/root")
        return json(200, { ...item("root", "folder", "", false, []), path: [] });
      if (method === "PUT") return json(404, { error: { code: "item_not_found", message: "No such file or folder." } });
    });
    renderApp("/files");
    await userEvent.click(await screen.findByRole("button", { name: "Star notes.txt" }));
    expect(await screen.findByText(/Could not star notes.txt/)).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Star notes.txt" })).toBeInTheDocument();
  });
});
