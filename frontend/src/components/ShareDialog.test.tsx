import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeSignedInApi, json, renderWithProviders } from "../test/harness";
import { expiryFrom, ShareDialog } from "./ShareDialog";

const link = (id: string, itemId: string, overrides: Record<string, unknown> = {}) => ({
  id,
  itemId,
  itemKind: "folder",
  createdAt: "2026-01-01T00:00:00Z",
  expiresAt: "2999-01-08T00:00:00Z",
  downloadLimit: null,
  downloads: 0,
  opens: 2,
  refusals: 0,
  hasPassword: false,
  lastAccessAt: null,
  ownerName: null,
  revokedAt: null,
  status: "active",
  ...overrides,
});

const folder = { id: "F1", name: "Trip", kind: "folder" as const };

afterEach(() => vi.restoreAllMocks());

describe("the share dialog", () => {
  it("creates a link with a password and a limit, and copies its address", async () => {
    const bodies: unknown[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
      if (method === "POST" && path === "/api/v1/files/links") {
        bodies.push(body);
        return json(201, { ...link("L1", "F1"), linkId: "SECRETLINKID", url: "/s/SECRETLINKID", hasPassword: true });
      }
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    expect(await screen.findByText("None yet.")).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Password (optional)"), "s3cret");
    await userEvent.type(screen.getByLabelText("Download limit (optional)"), "5");
    await userEvent.click(screen.getByLabelText("Show my display name to visitors"));
    await userEvent.click(screen.getByRole("button", { name: "Create link" }));

    const address = await screen.findByLabelText("Link");
    expect(address).toHaveValue(`${location.origin}/s/SECRETLINKID`);
    expect(bodies[0]).toMatchObject({ itemId: "F1", password: "s3cret", downloadLimit: 5, showOwnerName: true });
    expect(Date.parse((bodies[0] as { expiresAt: string }).expiresAt)).toBeGreaterThan(Date.now());

    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    await waitFor(() => expect(writeText).toHaveBeenCalledWith(`${location.origin}/s/SECRETLINKID`));
    expect(await screen.findByText("Link copied.")).toBeInTheDocument();
    expect(screen.getByText(/Expires .* 0 downloads .* password/)).toBeInTheDocument();
  });

  it("shows the new link as a QR code, drawn by a chunk loaded only then", async () => {
    fakeSignedInApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
      if (method === "POST" && path === "/api/v1/files/links")
        return json(201, { ...link("L1", "F1"), linkId: "SECRETLINKID", url: "/s/SECRETLINKID" });
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);
    expect(screen.queryByRole("img", { name: "QR code of the link" })).toBeNull();

    await userEvent.click(await screen.findByRole("button", { name: "Create link" }));
    const code = await screen.findByRole("img", { name: "QR code of the link" });
    // Dark modules are drawn as one path; a code of a ~40-character URL has hundreds of them.
    const modules = code.querySelectorAll("path")[1]?.getAttribute("d") ?? "";
    expect(modules.split("M").length).toBeGreaterThan(100);
  });

  it("edits a link with the same fields as a new one: a password removed, a limit set", async () => {
    const bodies: unknown[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/files/links")
        return json(200, { items: [link("L1", "F1", { hasPassword: true, ownerName: "Ada" })], nextCursor: null });
      if (method === "PATCH" && path === "/api/v1/files/links/L1") {
        bodies.push(body);
        return json(200, link("L1", "F1", { downloadLimit: 3 }));
      }
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    await userEvent.click(await screen.findByRole("button", { name: "Edit" }));
    const form = screen.getByRole("form", { name: "Edit the link" });
    expect(within(form).getByLabelText("Show my display name to visitors")).toBeChecked();
    await userEvent.type(within(form).getByLabelText("Download limit"), "3");
    await userEvent.click(within(form).getByLabelText("Remove the password"));
    expect(within(form).getByLabelText("New password")).toBeDisabled();
    await userEvent.click(within(form).getByRole("button", { name: "Save" }));

    expect(await screen.findByText(/0 of 3 downloads/)).toBeInTheDocument();
    expect(bodies).toEqual([{ downloadLimit: 3, showOwnerName: true, password: null }]);
  });

  it("lists only this item's links and revokes one", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path }) => {
      requests.push(`${method} ${path}`);
      if (method === "GET" && path === "/api/v1/files/links")
        return json(200, { items: [link("L1", "F1"), link("L2", "OTHER")], nextCursor: null });
      if (method === "DELETE" && path === "/api/v1/files/links/L1") return new Response(null, { status: 204 });
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    const list = await screen.findByRole("list");
    expect(within(list).getAllByRole("listitem")).toHaveLength(1);
    await userEvent.click(within(list).getByRole("button", { name: /Revoke/ }));
    expect(await within(list).findByText(/Revoked/)).toBeInTheDocument();
    expect(requests).toContain("DELETE /api/v1/files/links/L1");
    expect(within(list).queryByRole("button", { name: /Revoke/ })).not.toBeInTheDocument();
  });

  it("explains the refusal of an account without a confirmed email and offers to resend it", async () => {
    const requests: string[] = [];
    fakeSignedInApi(
      ({ method, path }) => {
        requests.push(`${method} ${path}`);
        if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
        if (method === "POST" && path === "/api/v1/files/links")
          return json(403, { error: { code: "email_not_verified", message: "Verify first." } });
        if (method === "POST" && path === "/api/v1/auth/verify-email/resend")
          return new Response(null, { status: 204 });
      },
      { emailVerified: false },
    );
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    await userEvent.click(await screen.findByRole("button", { name: "Create link" }));
    expect(await screen.findByText(/Only accounts with a confirmed email address can share links/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Send the confirmation email again" }));
    expect(await screen.findByText("Sent. Check your inbox.")).toBeInTheDocument();
    expect(requests).toContain("POST /api/v1/auth/verify-email/resend");
  });

  it("sets the expiry a minute before the chosen day's current time", () => {
    const now = new Date(2026, 0, 1, 15, 30);
    expect(new Date(expiryFrom("2026-01-08", now))).toEqual(new Date(2026, 0, 8, 15, 29));
  });
});
