import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { DirectUploads } from "../lib/directUploads";
import { UppyTransfer } from "../lib/uppyTransfer";
import { DirectUploadServer, patternedFile } from "../test/directUploadServer";
import { fakeApi, json, limits, renderWithProviders, session, user, type ApiHandler } from "../test/harness";
import { LimitsProvider } from "./LimitsProvider";
import { UploadProvider, useUploads } from "./UploadPanel";

const MiB = 1024 * 1024;
const directLimits = {
  ...limits,
  maxFileBytes: 5 * 1024 * MiB,
  quotaBytes: 10 * 1024 * MiB,
  usedBytes: 0,
  trashBytes: 0,
};

/** A page with one button that drops `file` into the root folder, once the limits are known. */
function AddFile({ file }: { file: File }) {
  const { add, maxUploadBytes } = useUploads();
  if (maxUploadBytes !== directLimits.maxFileBytes) return null;
  return (
    <button type="button" onClick={() => add([{ file, parentId: null }])}>
      Add {file.name}
    </button>
  );
}

const transfers: UppyTransfer[] = [];
afterEach(() => transfers.splice(0).forEach((transfer) => transfer.destroy()));

/** The signed-in app's upload provider over a fake of the step 11 routes and S3, with real Uppy. */
async function renderUploads(server: DirectUploadServer, file: File, handler: ApiHandler = server.handle) {
  const api = fakeApi((call) => {
    const key = `${call.method} ${call.path}`;
    if (key === "POST /api/v1/auth/refresh") return json(200, session());
    if (key === "GET /api/v1/files/limits") return json(200, directLimits);
    if (key === "GET /api/v1/users/me") return json(200, { ...user, storageUsed: 0, fileCount: 0 });
    return handler(call);
  });
  const directUploads = (userId: string) =>
    new DirectUploads(userId, async () => {
      const transfer = new UppyTransfer({ userId, uploadPartBytes: server.uploadPartBytes, restore: false });
      transfers.push(transfer);
      return transfer;
    });
  renderWithProviders(
    <LimitsProvider>
      <UploadProvider directUploads={directUploads}>
        <AddFile file={file} />
      </UploadProvider>
    </LimitsProvider>,
  );
  await userEvent.click(await screen.findByRole("button", { name: `Add ${file.name}` }));
  return api;
}

describe("direct uploads in the upload panel", () => {
  it("sends a big file in parts, pauses, resumes from the parts stored, and finishes", async () => {
    const server = new DirectUploadServer({ partSize: 5 * MiB });
    let release!: () => void;
    server.gate = new Promise((resolve) => (release = resolve));
    const { requests } = await renderUploads(server, patternedFile("big.bin", 12.5 * MiB));

    await userEvent.click(await screen.findByRole("button", { name: "Pause upload of big.bin" }));
    expect(await screen.findByText(/^Paused at/)).toBeInTheDocument();
    release();
    await userEvent.click(screen.getByRole("button", { name: "Resume upload of big.bin" }));

    expect(await screen.findByText("Uploaded")).toBeInTheDocument();
    expect(requests).toContain("POST /api/v1/uploads");
    expect(requests).not.toContain("POST /api/v1/files/upload");
    expect(server.puts.map((put) => put.number).sort()).toEqual([1, 2, 3]);
    expect(server.completions).toHaveLength(1);
  });

  it("cancels a direct upload: the server drops it", async () => {
    const server = new DirectUploadServer({ partSize: 5 * MiB });
    server.gate = new Promise(() => {});
    await renderUploads(server, patternedFile("big.bin", 12.5 * MiB));

    await userEvent.click(await screen.findByRole("button", { name: "Cancel upload of big.bin" }));

    expect(await screen.findByText("big.bin: upload cancelled.")).toBeInTheDocument();
    await waitFor(() => expect(server.aborted).toEqual(["up1"]));
  });

  it("asks what to do when the name is taken, and creates the upload again with the answer", async () => {
    const server = new DirectUploadServer({
      partSize: 5 * MiB,
      refuseCreate: (body) =>
        body.onConflict === "fail"
          ? json(409, { error: { code: "name_taken", message: "A file has that name." } })
          : undefined,
    });
    await renderUploads(server, patternedFile("big.bin", 12.5 * MiB));

    await userEvent.click(await screen.findByRole("button", { name: "Replace" }));

    expect(await screen.findByText("Uploaded")).toBeInTheDocument();
    expect(server.completions).toHaveLength(1);
  });

  it("shows a full quota with the numbers", async () => {
    const server = new DirectUploadServer({
      partSize: 5 * MiB,
      refuseCreate: () =>
        json(507, {
          error: {
            code: "quota_exceeded",
            message: "Full.",
            details: { used: 10 * MiB, quota: 20 * MiB, size: 12.5 * MiB },
          },
        }),
    });
    await renderUploads(server, patternedFile("big.bin", 12.5 * MiB));

    const shown = await screen.findAllByText(
      "big.bin: Not enough storage: this file needs 13 MB, and 10 MB of your 20 MB are used (10 MB free).",
      { exact: false },
    );
    expect(shown[0]).toHaveAttribute("role", "alert");
  });

  it("warns before leaving the page while a direct upload runs", async () => {
    const server = new DirectUploadServer({ partSize: 5 * MiB });
    server.gate = new Promise(() => {});
    await renderUploads(server, patternedFile("big.bin", 12.5 * MiB));
    await screen.findByRole("button", { name: "Pause upload of big.bin" });

    const leaving = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(leaving);

    expect(leaving.defaultPrevented).toBe(true);
  });
});
