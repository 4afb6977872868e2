import { afterEach, describe, expect, it, vi } from "vitest";
import { directUploadApi, sharedDirectUploadApi } from "../api/directUpload";
import type { Item } from "../api/drive";
import { ApiError } from "../api/errors";
import { UploadCancelled, type UploadProgress } from "../api/upload";
import { DirectUploadServer, patternedFile, sha256Of } from "../test/directUploadServer";
import { fakeApi } from "../test/harness";
import { keptUploadsExist } from "./directUploads";
import { UppyTransfer } from "./uppyTransfer";

const MiB = 1024 * 1024;
/** S3's smallest part, the one the fake server hands out: a 12.5 MiB file goes in 3 parts. */
const PART = 5 * MiB;

let transfer: UppyTransfer | null = null;
afterEach(() => {
  transfer?.destroy();
  transfer = null;
});

async function start(server: DirectUploadServer, file: File, progress: UploadProgress[] = []) {
  fakeApi(server.handle);
  transfer = new UppyTransfer({ userId: "u1", uploadPartBytes: server.uploadPartBytes, restore: false });
  const created = await directUploadApi.create({
    name: file.name,
    size: file.size,
    parentId: "root",
    onConflict: "fail",
  });
  return { created, handle: transfer.send(file, created, null, (each) => progress.push(each)) };
}

const bytesOf = async (file: File, number: number) =>
  new Uint8Array(await file.slice((number - 1) * PART, number * PART).arrayBuffer());

describe("UppyTransfer", () => {
  it("signs parts a few per request with each part's size and SHA-256, sends exactly the signed checksum header, and completes in order", async () => {
    const server = new DirectUploadServer({ partSize: PART, maxPartsPerRequest: 2 });
    const file = patternedFile("big.bin", 12.5 * MiB);
    const progress: UploadProgress[] = [];
    const { handle } = await start(server, file, progress);

    const item = await handle.promise;

    const signed = server.signRequests.flat();
    expect(server.signRequests.every((batch) => batch.length <= 2)).toBe(true);
    expect(server.signRequests.some((batch) => batch.length === 2)).toBe(true);
    expect(signed.map((part) => part.number).sort()).toEqual([1, 2, 3]);
    for (const part of signed) {
      const bytes = await bytesOf(file, part.number);
      expect(part).toEqual({ number: part.number, size: bytes.length, sha256: sha256Of(bytes) });
    }
    expect(server.puts.map((put) => put.number).sort()).toEqual([1, 2, 3]);
    for (const put of server.puts) {
      expect(put.headers["x-amz-checksum-sha256"]).toBe(sha256Of(await bytesOf(file, put.number)));
      // The browser sets Content-Length itself (scripts may not): the URL is bound to it anyway.
      expect(Object.keys(put.headers).map((name) => name.toLowerCase())).not.toContain("content-length");
    }
    expect(server.completions).toEqual([
      await Promise.all(
        [1, 2, 3].map(async (number) => ({
          number,
          etag: `"etag-${number}"`,
          sha256: sha256Of(await bytesOf(file, number)),
        })),
      ),
    ]);
    expect((item as Item).sha256).toMatch(/-3$/);
    expect(progress.at(-1)).toEqual({ loaded: file.size, total: file.size });
  });

  it("pauses without losing the parts S3 holds and resumes by sending only the others", async () => {
    const server = new DirectUploadServer({ partSize: PART, maxPartsPerRequest: 10 });
    const file = patternedFile("big.bin", 12.5 * MiB);
    let release!: () => void;
    server.gate = new Promise((resolve) => (release = resolve));
    const { created, handle } = await start(server, file);
    await vi.waitFor(() => expect(server.signRequests.length).toBeGreaterThan(0));

    handle.pause?.();
    release();
    // A part stored before the pause (S3 answered first) is kept, never sent again.
    server.uploads.get(created.id)!.stored.set(1, {
      size: PART,
      etag: '"etag-1"',
      sha256: sha256Of(await bytesOf(file, 1)),
    });
    handle.resume?.();
    const item = await handle.promise;

    expect(item.name).toBe("big.bin");
    expect(server.puts.map((put) => put.number).sort()).toEqual([2, 3]);
    expect(server.completions[0]?.map((part) => part.number)).toEqual([1, 2, 3]);
  });

  it("keeps a share's uploads apart from the drive's: its routes, its own paused list, nothing kept for the drive's reload", async () => {
    const server = new DirectUploadServer({ partSize: PART, routes: "/api/v1/shared-with-me/S1/uploads" });
    const { requests } = fakeApi(server.handle);
    const api = sharedDirectUploadApi("S1");
    transfer = new UppyTransfer({
      userId: "u1",
      api,
      scope: "share-S1",
      uploadPartBytes: server.uploadPartBytes,
      restore: false,
    });
    const file = patternedFile("big.bin", 12.5 * MiB);
    let release!: () => void;
    server.gate = new Promise((resolve) => (release = resolve));
    const created = await api.create({ name: file.name, size: file.size, parentId: "root", onConflict: "rename" });
    const handle = transfer.send(file, created, "root", () => {});
    await vi.waitFor(() => expect(server.signRequests.length).toBeGreaterThan(0));

    handle.pause?.();
    expect(localStorage.getItem("scloud-paused-uploads-u1")).toBeNull();
    expect(JSON.parse(localStorage.getItem("scloud-paused-uploads-u1-share-S1") ?? "[]")).toEqual([created.id]);
    release();
    handle.resume?.();
    await handle.promise;

    expect(server.completions).toHaveLength(1);
    expect(requests.filter((request) => request.startsWith("POST /api/v1/uploads"))).toEqual([]);
    expect(localStorage.getItem("scloud-paused-uploads-u1-share-S1")).toBeNull();
    expect(keptUploadsExist("u1")).toBe(false);
  });

  it("cancels: the server is told to drop the upload and the handle says cancelled", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    server.gate = new Promise(() => {});
    const { created, handle } = await start(server, patternedFile("big.bin", 12.5 * MiB));
    await vi.waitFor(() => expect(server.signRequests.length).toBeGreaterThan(0));

    handle.cancel();

    await expect(handle.promise).rejects.toBeInstanceOf(UploadCancelled);
    await vi.waitFor(() => expect(server.aborted).toContain(created.id));
    expect(server.completions).toEqual([]);
  });

  it("ends an upload the server refuses at completion, and drops its parts", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    const file = patternedFile("big.bin", 12.5 * MiB);
    const handle = (await start(server, file)).handle;
    fakeApi((call) =>
      call.path.endsWith("/complete")
        ? new Response(
            JSON.stringify({
              error: { code: "quota_exceeded", message: "Full.", details: { used: 9, quota: 10, size: 5 } },
            }),
            { status: 507, headers: { "content-type": "application/json" } },
          )
        : server.handle(call),
    );

    const error = await handle.promise.catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/^Not enough storage: this file needs 5 B/);
    await vi.waitFor(() => expect(server.aborted).toHaveLength(1));
  });
});
