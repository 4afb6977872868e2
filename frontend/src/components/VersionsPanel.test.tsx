import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import type { Item, Version } from "../api/drive";
import { fakeApi, json, renderWithProviders } from "../test/harness";
import VersionsPanel from "./VersionsPanel";

const file: Item = {
  id: "F1",
  kind: "file",
  name: "notes.txt",
  parentId: "root",
  size: 4,
  type: "text/plain",
  thumbnail: "none",
  createdAt: "2026-01-01T00:00:00Z",
  modifiedAt: "2026-01-02T00:00:00Z",
  trashedAt: null,
  shared: false,
  starred: false,
};

const version = (id: string, size: number, current: boolean): Version => ({
  id,
  size,
  type: "text/plain",
  createdAt: current ? "2026-01-02T00:00:00Z" : "2026-01-01T00:00:00Z",
  sha256: null,
  checksumPartSize: null,
  current,
  uploadedBy: null,
  expiresAt: current ? null : "2026-07-01T00:00:00Z",
});

describe("versions", () => {
  it("lists the versions, current first, and restores an earlier one", async () => {
    let versions = [version("V2", 4, true), version("F1", 3, false)];
    const api = fakeApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/files/F1/versions") return json(200, { items: versions });
      if (method === "POST" && path === "/api/v1/files/F1/versions/F1/restore") {
        versions = [version("V3", 3, true), version("V2", 4, false), version("F1", 3, false)];
        return json(200, { ...file, size: 3 });
      }
    });
    const onRestored = vi.fn();
    renderWithProviders(<VersionsPanel file={file} onRestored={onRestored} />);
    const list = await screen.findByRole("list", { name: "Versions" });
    const rows = within(list).getAllByRole("listitem");
    expect(rows).toHaveLength(2);
    expect(within(rows[0]).getByText("Current")).toBeInTheDocument();
    expect(within(rows[0]).queryByRole("button", { name: /Restore/ })).toBeNull();
    await userEvent.click(within(rows[1]).getByRole("button", { name: /Restore the version/ }));
    await waitFor(() => expect(onRestored).toHaveBeenCalledWith(expect.objectContaining({ id: "F1", size: 3 })));
    await waitFor(() => expect(within(list).getAllByRole("listitem")).toHaveLength(3));
    expect(screen.getByText(/is the current one again/)).toBeInTheDocument();
    expect(api.requests).toContain("POST /api/v1/files/F1/versions/F1/restore");
  });

  it("says why when a restore is refused and keeps the list", async () => {
    fakeApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/files/F1/versions")
        return json(200, { items: [version("V2", 4, true), version("F1", 3, false)] });
      if (method === "POST")
        return json(507, {
          error: { code: "quota_exceeded", message: "Your storage is full: this file does not fit." },
        });
    });
    renderWithProviders(<VersionsPanel file={file} onRestored={() => {}} />);
    await userEvent.click(await screen.findByRole("button", { name: /Restore the version/ }));
    expect(await screen.findByText(/Not enough storage/)).toBeInTheDocument();
    expect(screen.getAllByRole("listitem")).toHaveLength(2);
  });
});
