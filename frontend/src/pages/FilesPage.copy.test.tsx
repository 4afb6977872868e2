import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { CopyJob } from "../api/drive";
import { fakeSignedInApi, json, renderApp, type ApiCall } from "../test/harness";

function item(id: string, kind: "file" | "folder", name: string, parentId = "root") {
  return {
    id,
    kind,
    name,
    parentId,
    size: kind === "file" ? 10 : null,
    type: kind === "file" ? "text/plain" : null,
    createdAt: "2026-01-01T00:00:00Z",
    modifiedAt: "2026-01-01T00:00:00Z",
    trashedAt: null,
    shared: false,
    starred: false,
    thumbnail: "none" as const,
  };
}

const ARCHIVE = item("D1", "folder", "Archive");
const PHOTOS = item("D2", "folder", "Photos");
const NOTES = item("A1", "file", "notes.txt");

function job(overrides: Partial<CopyJob> = {}): CopyJob {
  return {
    id: "J1",
    state: "running",
    filesTotal: 800,
    filesCopied: 0,
    bytesTotal: 8000,
    bytesCopied: 0,
    items: [],
    failed: [],
    cancelRequested: false,
    createdAt: "2026-01-01T00:00:00Z",
    ...overrides,
  };
}

/**
 * The folder page's routes and the folder dialog's, with `copy` answering the copy requests;
 * `bodies` holds each copy request's body, `requests` every request.
 */
function fakeDrive(copy: (call: ApiCall) => Response | undefined) {
  const bodies: unknown[] = [];
  const { requests } = fakeSignedInApi((call) => {
    const key = `${call.method} ${call.path}`;
    if (key === "GET /api/v1/folders/root") return json(200, { ...item("root", "folder", ""), path: [] });
    if (key === "GET /api/v1/folders/root/children") {
      const folders = call.url.searchParams.get("kind") === "folder";
      return json(200, { items: folders ? [ARCHIVE, PHOTOS] : [ARCHIVE, PHOTOS, NOTES], nextCursor: null });
    }
    if (key === "GET /api/v1/folders/D1") return json(200, { ...ARCHIVE, path: [] });
    if (key === "GET /api/v1/folders/D1/children") return json(200, { items: [], nextCursor: null });
    if (call.path.startsWith("/api/v1/items/copy")) {
      if (call.method === "POST") bodies.push(call.body);
      return copy(call);
    }
  });
  return { requests, bodies };
}

/** Opens "Copy to…" for what `open` picks and sends the copy into Archive. */
async function copyIntoArchive(open: () => Promise<void>) {
  await open();
  const dialog = await screen.findByRole("dialog");
  await userEvent.click(await within(dialog).findByRole("button", { name: "Archive" }));
  await within(dialog).findByText("Archive", { selector: "strong" });
  await userEvent.click(within(dialog).getByRole("button", { name: "Copy here" }));
}

const listingReads = (requests: string[]) =>
  requests.filter((request) => request.startsWith("GET /api/v1/folders/root/children?sort")).length;

describe("Copy to… on the folder page", () => {
  it("copies a row into the folder chosen, and Keep both copies it again under a numbered name", async () => {
    const { bodies } = fakeDrive(({ body }) =>
      body.onConflict === "fail"
        ? json(200, { items: [], failed: [{ id: "A1", code: "name_taken", message: "Taken." }], remaining: [] })
        : json(200, { items: [item("C1", "file", "notes (1).txt", "D1")], failed: [], remaining: [] }),
    );
    renderApp("/files");
    await copyIntoArchive(async () =>
      userEvent.click(await screen.findByRole("button", { name: "Copy notes.txt to…" })),
    );
    expect(await screen.findByRole("dialog", { name: "notes.txt already exists" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Replace" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Keep both" }));

    expect(await screen.findByText("Copied notes (1).txt")).toBeInTheDocument();
    expect(bodies).toEqual([
      { ids: ["A1"], parentId: "D1", onConflict: "fail" },
      { ids: ["A1"], parentId: "D1", onConflict: "rename" },
    ]);
  });

  it("shows a refusal up front (the quota) in the dialog and copies nothing", async () => {
    fakeDrive(() =>
      json(507, {
        error: {
          code: "quota_exceeded",
          message: "Not enough storage left.",
          details: { used: 900, quota: 1000, size: 500 },
        },
      }),
    );
    renderApp("/files");
    await copyIntoArchive(async () =>
      userEvent.click(await screen.findByRole("button", { name: "Copy notes.txt to…" })),
    );
    const dialog = screen.getByRole("dialog", { name: "Copy notes.txt to…" });
    expect(await within(dialog).findByRole("alert")).toHaveTextContent(
      "Not enough storage: the copy needs 500 B, and 900 B of your 1000 B are used (100 B free). Nothing was copied.",
    );
    expect(screen.queryByText(/Copied/)).not.toBeInTheDocument();
  });

  it("follows a copy job of the selection with its progress, then reloads the listing", async () => {
    let reads = 0;
    const { requests, bodies } = fakeDrive(({ method }) => {
      if (method === "POST") return json(202, job());
      reads += 1;
      return json(
        200,
        reads < 2
          ? job({ filesCopied: 120, bytesCopied: 1200 })
          : job({ state: "done", filesCopied: 800, bytesCopied: 8000, items: [item("C1", "folder", "Photos", "D1")] }),
      );
    });
    renderApp("/files");
    await copyIntoArchive(async () => {
      await userEvent.click(await screen.findByRole("checkbox", { name: "Select Photos" }));
      await userEvent.click(screen.getByRole("checkbox", { name: "Select notes.txt" }));
      await userEvent.click(screen.getByRole("button", { name: "Copy to…" }));
    });
    expect(await screen.findByText("Copying… 0 of 800 files")).toBeInTheDocument();
    expect(await screen.findByText("Copying… 120 of 800 files")).toBeInTheDocument();
    const before = listingReads(requests);
    expect(await screen.findByText("Copied Photos")).toBeInTheDocument();
    expect(screen.queryByText(/Copying…/)).not.toBeInTheDocument();
    await waitFor(() => expect(listingReads(requests)).toBeGreaterThan(before));
    expect(bodies).toEqual([{ ids: ["D2", "A1"], parentId: "D1", onConflict: "fail" }]);
  });

  it("cancels a copy job and says how much was copied, starting no second copy meanwhile", async () => {
    let cancelled = false;
    const { requests } = fakeDrive(({ method }) => {
      if (method === "POST") return json(202, job());
      if (method === "DELETE") {
        cancelled = true;
        return json(200, job({ filesCopied: 130, cancelRequested: true }));
      }
      return json(
        200,
        cancelled
          ? job({ state: "cancelled", filesCopied: 130, cancelRequested: true })
          : job({ filesCopied: 120, bytesCopied: 1200 }),
      );
    });
    renderApp("/files");
    await copyIntoArchive(async () => userEvent.click(await screen.findByRole("button", { name: "Copy Photos to…" })));
    await screen.findByText("Copying… 120 of 800 files");
    await copyIntoArchive(async () => userEvent.click(screen.getByRole("button", { name: "Copy notes.txt to…" })));
    expect(await within(screen.getByRole("dialog")).findByRole("alert")).toHaveTextContent(
      "A copy is running: wait for it or cancel it first.",
    );
    await userEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel" }));
    await userEvent.click(screen.getByRole("button", { name: "Cancel copy" }));
    expect(requests).toContain("DELETE /api/v1/items/copy-jobs/J1");
    expect(await screen.findByText("Copy cancelled: 130 of 800 files copied, which stay.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Cancel copy" })).not.toBeInTheDocument();
  });

  it("says so when the job fails", async () => {
    fakeDrive(({ method }) =>
      method === "POST" ? json(202, job()) : json(200, job({ state: "failed", filesCopied: 40 })),
    );
    renderApp("/files");
    await copyIntoArchive(async () => userEvent.click(await screen.findByRole("button", { name: "Copy Photos to…" })));
    expect(await screen.findByText("The copy stopped: 40 of 800 files copied, which stay.")).toBeInTheDocument();
  });
});
