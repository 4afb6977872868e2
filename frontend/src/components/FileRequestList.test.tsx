import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeSignedInApi, json, renderWithProviders } from "../test/harness";
import { FileRequestList } from "./FileRequestList";

const request = (id: string, overrides: Record<string, unknown> = {}) => ({
  id,
  folderId: "F1",
  createdAt: "2026-01-01T00:00:00Z",
  expiresAt: "2999-01-08T00:00:00Z",
  maxFileBytes: 1024 * 1024,
  maxTotalBytes: null,
  ownerName: "Ada",
  revokedAt: null,
  status: "active",
  bytesReceived: 2048,
  filesReceived: 2,
  ...overrides,
});

afterEach(() => vi.restoreAllMocks());

describe("the file requests on the Shared page", () => {
  it("lists each request by its folder with what it received, and revokes one in one click", async () => {
    const { requests } = fakeSignedInApi(({ method, path }) => {
      if (method === "GET" && path === "/api/files/requests")
        return json(200, { items: [request("Q2"), request("Q1", { status: "expired" })], nextCursor: null });
      if (method === "GET" && path === "/api/folders/F1")
        return json(200, { folder: { id: "F1", name: "Tax papers", kind: "folder" }, path: [] });
      if (method === "DELETE" && path === "/api/files/requests/Q2") return new Response(null, { status: 204 });
    });
    renderWithProviders(<FileRequestList />);

    const items = await screen.findAllByRole("listitem");
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText(/2 files \(2(\.0)? KB\) received/)).toBeInTheDocument();
    expect(within(items[1]).getByText(/Expired/)).toBeInTheDocument();
    expect(within(items[1]).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();

    await userEvent.click(within(items[0]).getByRole("button", { name: /Revoke the file request/ }));
    expect(await within(items[0]).findByText(/Revoked/)).toBeInTheDocument();
    expect(requests).toContain("DELETE /api/files/requests/Q2");
  });
});
