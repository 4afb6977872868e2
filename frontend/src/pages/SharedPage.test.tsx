import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

const link = {
  id: "L1",
  itemId: "F1",
  itemKind: "folder",
  createdAt: "2026-01-01T00:00:00Z",
  expiresAt: "2999-01-08T00:00:00Z",
  downloadLimit: 5,
  downloads: 1,
  opens: 2,
  refusals: 1,
  hasPassword: true,
  lastAccessAt: "2026-01-02T00:00:00Z",
  ownerName: null,
  revokedAt: null,
  status: "active",
};
const access = (at: string, event: string, reason: string | null = null) => ({
  at,
  event,
  reason,
  browser: "Firefox",
  network: "203.0.113.0/24",
});

describe("the Shared page", () => {
  it("lists the user's links by item name, pages through a link's log and revokes it in one click", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, url }) => {
      requests.push(`${method} ${path}${url.search}`);
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [link], nextCursor: null });
      if (method === "GET" && path === "/api/v1/folders/F1")
        return json(200, { id: "F1", kind: "folder", name: "Trip", parentId: null, path: [] });
      if (method === "GET" && path === "/api/v1/files/links/L1/log") {
        return url.searchParams.get("cursor")
          ? json(200, { link, items: [access("2026-01-01T10:00:00Z", "open")], nextCursor: null })
          : json(200, {
              link,
              items: [access("2026-01-02T00:00:00Z", "refused", "wrong_password")],
              nextCursor: "next",
            });
      }
      if (method === "DELETE" && path === "/api/v1/files/links/L1") return new Response(null, { status: 204 });
    });
    renderApp("/shared");

    const row = (await screen.findByRole("link", { name: "Trip" })).closest("li")!;
    expect(within(row).getByText(/1 of 5 downloads/)).toBeInTheDocument();

    await userEvent.click(within(row).getByRole("button", { name: "Access log" }));
    expect(await within(row).findByText("Refused: wrong password")).toBeInTheDocument();
    expect(within(row).getAllByText("203.0.113.0/24")).toHaveLength(1);
    await userEvent.click(within(row).getByRole("button", { name: "Older entries" }));
    expect(await within(row).findByText("Opened")).toBeInTheDocument();
    expect(requests).toContain("GET /api/v1/files/links/L1/log?limit=20&cursor=next");

    await userEvent.click(within(row).getByRole("button", { name: "Revoke the link to Trip" }));
    expect(await screen.findByText("Link revoked: it no longer opens.")).toBeInTheDocument();
    expect(within(row).getByText(/Revoked/)).toBeInTheDocument();
    expect(requests).toContain("DELETE /api/v1/files/links/L1");
  });
});
