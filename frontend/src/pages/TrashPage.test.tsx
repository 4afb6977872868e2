import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeSignedInApi, json, limits, renderApp } from "../test/harness";

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
  fakeSignedInApi(({ method, path, body }) => {
    const key = `${method} ${path}`;
    if (body) bodies.push(`${key} ${JSON.stringify(body)}`);
    if (key === "GET /api/v1/trash") return json(200, { items, nextCursor: null });
    if (key === "POST /api/v1/trash/delete") {
      items = items.filter((item) => !body.ids.includes(item.id));
      return json(200, { items: [], failed: [], remaining: [] });
    }
    if (key === "POST /api/v1/trash/restore") {
      if (body.onConflict === "fail")
        return json(200, { items: [], failed: [{ id: "T2", code: "name_taken", message: "Taken." }], remaining: [] });
      items = items.filter((item) => !body.ids.includes(item.id));
      return json(200, {
        items: [{ ...trashed("T2", "clash (1).txt", []), trashedAt: null }],
        failed: [],
        remaining: [],
      });
    }
  });
  return { bodies };
}

const renderTrash = () => renderApp("/trash");

describe("the trash page", () => {
  it("shows where each item was and deletes one forever after confirmation", async () => {
    fakeTrash();
    renderTrash();
    const row = (await screen.findAllByTestId("trash-row"))[0];
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
    await userEvent.click(await screen.findByRole("button", { name: "Restore clash.txt" }));
    const dialog = await screen.findByRole("dialog", { name: "clash.txt already exists" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Keep both" }));
    await waitFor(() => expect(screen.queryByText("clash.txt")).not.toBeInTheDocument());
    expect(bodies).toEqual([
      'POST /api/v1/trash/restore {"ids":["T2"],"onConflict":"fail"}',
      'POST /api/v1/trash/restore {"ids":["T2"],"onConflict":"rename"}',
    ]);
  });

  it("says how long deleted items stay, as the files service answers, and shows whole names", async () => {
    fakeTrash();
    renderTrash();
    expect(
      await screen.findByText(`stay here for ${limits.trashRetentionDays} days`, { exact: false }),
    ).toBeInTheDocument();
    const name = await screen.findByText("old.txt");
    expect(name.className).not.toMatch(/truncate/);
  });

  it("restores the checked items from the selection toolbar", async () => {
    const { bodies } = fakeTrash();
    renderTrash();
    await userEvent.click(await screen.findByRole("checkbox", { name: "Select old.txt" }));
    const toolbar = screen.getByRole("toolbar", { name: "Selection" });
    expect(toolbar).toHaveTextContent("1 selected");
    await userEvent.click(within(toolbar).getByRole("button", { name: "Restore" }));
    await waitFor(() => expect(bodies).toContain('POST /api/v1/trash/restore {"ids":["T1"],"onConflict":"fail"}'));
  });
});
