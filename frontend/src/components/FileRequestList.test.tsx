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
      if (method === "GET" && path === "/api/v1/files/requests")
        return json(200, { items: [request("Q2"), request("Q1", { status: "expired" })], nextCursor: null });
      if (method === "GET" && path === "/api/v1/folders/F1")
        return json(200, { id: "F1", name: "Tax papers", kind: "folder", path: [] });
      if (method === "DELETE" && path === "/api/v1/files/requests/Q2") return new Response(null, { status: 204 });
    });
    renderWithProviders(<FileRequestList />);

    const items = await screen.findAllByRole("listitem");
    expect(await within(items[0]).findByRole("link", { name: "Tax papers" })).toHaveAttribute("href", "/files/F1");
    expect(items).toHaveLength(2);
    expect(within(items[0]).getByText(/2 files \(2(\.0)? KB\) received/)).toBeInTheDocument();
    expect(within(items[1]).getByText(/Expired/)).toBeInTheDocument();
    expect(within(items[1]).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();

    await userEvent.click(within(items[0]).getByRole("button", { name: /Revoke the file request/ }));
    expect(await within(items[0]).findByText(/Revoked/)).toBeInTheDocument();
    expect(requests).toContain("DELETE /api/v1/files/requests/Q2");
  });

  it("changes a request's closing day, limits and shown name", async () => {
    const bodies: unknown[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/files/requests")
        return json(200, { items: [request("Q2")], nextCursor: null });
      if (method === "GET" && path === "/api/v1/folders/F1")
        return json(200, { id: "F1", name: "Tax papers", kind: "folder", path: [] });
      if (method === "PATCH" && path === "/api/v1/files/requests/Q2") {
        bodies.push(body);
        return json(200, request("Q2", { maxTotalBytes: 5 * 1024 * 1024, ownerName: null }));
      }
    });
    renderWithProviders(<FileRequestList />);

    const [item] = await screen.findAllByRole("listitem");
    await userEvent.click(await within(item).findByRole("button", { name: /Change the file request into Tax papers/ }));
    expect(within(item).getByLabelText("Largest file, in MB (optional)")).toHaveValue(1);
    await userEvent.type(within(item).getByLabelText("All files together, in MB (optional)"), "5");
    await userEvent.click(within(item).getByLabelText("Show my display name to visitors"));
    await userEvent.click(within(item).getByRole("button", { name: "Save changes" }));

    expect(await within(item).findByText(/5(\.0)? MB in all/)).toBeInTheDocument();
    expect(bodies).toEqual([
      expect.objectContaining({ maxFileBytes: 1024 * 1024, maxTotalBytes: 5 * 1024 * 1024, showOwnerName: false }),
    ]);
    expect(within(item).queryByRole("button", { name: "Save changes" })).not.toBeInTheDocument();
  });
});
