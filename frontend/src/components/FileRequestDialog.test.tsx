import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeSignedInApi, json, renderWithProviders } from "../test/harness";
import { FileRequestDialog } from "./FileRequestDialog";

const MIB = 1024 * 1024;

afterEach(() => vi.restoreAllMocks());

describe("the file request dialog", () => {
  it("creates a request with its limits and copies its address", async () => {
    const bodies: unknown[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      if (method === "POST" && path === "/api/v1/files/requests") {
        bodies.push(body);
        return json(201, {
          id: "Q1",
          folderId: "F1",
          createdAt: "2026-01-01T00:00:00Z",
          expiresAt: "2999-01-08T00:00:00Z",
          maxFileBytes: 20 * MIB,
          maxTotalBytes: 100 * MIB,
          ownerName: "Ada",
          revokedAt: null,
          status: "active",
          bytesReceived: 0,
          filesReceived: 0,
          requestId: "SECRETREQUESTID",
          url: "/r/SECRETREQUESTID",
        });
      }
    });
    const writeText = vi.fn(async () => {});
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    renderWithProviders(<FileRequestDialog folder={{ id: "F1", name: "Tax papers" }} onClose={() => {}} />);

    expect(screen.getByRole("dialog", { name: "Request files into Tax papers" })).toBeInTheDocument();
    await userEvent.type(screen.getByLabelText("Largest file, in MB (optional)"), "20");
    await userEvent.type(screen.getByLabelText("All files together, in MB (optional)"), "100");
    await userEvent.click(screen.getByRole("button", { name: "Create request" }));

    const address = await screen.findByLabelText("Request link");
    expect(address).toHaveValue(`${location.origin}/r/SECRETREQUESTID`);
    expect(bodies).toEqual([
      expect.objectContaining({ folderId: "F1", maxFileBytes: 20 * MIB, maxTotalBytes: 100 * MIB }),
    ]);
    await userEvent.click(screen.getByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(`${location.origin}/r/SECRETREQUESTID`);
  });

  it("tells an unverified account to confirm its email first", async () => {
    fakeSignedInApi(({ method, path }) => {
      if (method === "POST" && path === "/api/v1/files/requests")
        return json(403, { error: { code: "email_not_verified", message: "Verify your email address." } });
    });
    renderWithProviders(<FileRequestDialog folder={{ id: "F1", name: "Tax papers" }} onClose={() => {}} />);
    await userEvent.click(screen.getByRole("button", { name: "Create request" }));
    expect(await screen.findByText(/confirmed email address can ask for files/)).toBeInTheDocument();
  });
});
