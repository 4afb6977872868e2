// Before Golden Retriever loads: it finds IndexedDB once, when its module is read.
import "fake-indexeddb/auto";
import { File as NodeFile } from "node:buffer";
import { afterEach, describe, expect, it, vi } from "vitest";
import { directUploadApi, type UploadCreated } from "../api/directUpload";
import { DirectUploadServer, patternedFile, sha256Of } from "../test/directUploadServer";
import { fakeApi } from "../test/harness";
import { keptUploadsExist } from "./directUploads";
import { UppyTransfer, type RestoredTransfer, type TransferHandle } from "./uppyTransfer";

const MiB = 1024 * 1024;
const PART = 5 * MiB;

/** Files Golden Retriever holds in IndexedDB (the browser's copy that outlives a reload). */
function keptBlobCount(): Promise<number> {
  return new Promise((resolve, reject) => {
    const opening = indexedDB.open("uppy-blobs");
    opening.onerror = () => reject(opening.error);
    opening.onsuccess = () => {
      const db = opening.result;
      if (!db.objectStoreNames.contains("files")) return resolve(0);
      const counting = db.transaction("files").objectStore("files").count();
      counting.onsuccess = () => resolve(counting.result);
      counting.onerror = () => reject(counting.error);
    };
  });
}

const transfers: UppyTransfer[] = [];
afterEach(() => {
  transfers.splice(0).forEach((transfer) => transfer.destroy());
  localStorage.clear();
});
const open = (server: DirectUploadServer) => {
  const transfer = new UppyTransfer({ userId: "u1", uploadPartBytes: server.uploadPartBytes });
  transfers.push(transfer);
  return transfer;
};

describe("a direct upload across a reload", () => {
  it("resumes from the parts S3 holds, with the file the browser kept, without sending them again", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    const { requests } = fakeApi(server.handle);
    // Node's File: jsdom's does not survive IndexedDB's structured clone, a browser's does.
    const bytes = new Uint8Array(await patternedFile("big.bin", 12.5 * MiB).arrayBuffer());
    const file = new NodeFile([bytes], "big.bin", { type: "application/octet-stream" }) as unknown as File;
    server.gate = new Promise(() => {});
    const created = await directUploadApi.create({
      name: "big.bin",
      size: file.size,
      parentId: "root",
      onConflict: "fail",
    });
    void open(server)
      .send(file, created, null, () => {})
      .promise.catch(() => {});
    await vi.waitFor(async () => expect(await keptBlobCount()).toBe(1));
    await vi.waitFor(() => expect(server.signRequests.length).toBeGreaterThan(0));
    // S3 took part 1 before the page went away; the first page's other parts never arrive.
    server.uploads
      .get(created.id)!
      .stored.set(1, { size: PART, etag: '"etag-1"', sha256: sha256Of(bytes.slice(0, PART)) });
    expect(keptUploadsExist("u1")).toBe(true);

    server.gate = Promise.resolve();
    const restored: RestoredTransfer[] = [];
    await open(server).restore((found) => restored.push(...found));

    expect(restored).toHaveLength(1);
    expect(restored[0]).toMatchObject({ name: "big.bin", size: file.size, parentId: null });
    const item = await restored[0]!.handle!.promise;
    expect(item.id).toBe(created.id);
    expect(requests).toContain(`GET /api/v1/uploads/${created.id}`);
    expect(server.puts.map((put) => put.number).sort()).toEqual([2, 3]);
    expect(server.completions[0]?.map((part) => part.number)).toEqual([1, 2, 3]);
  });

  it("leaves an upload the user paused paused through a reload, and resumes it on Resume from the parts S3 holds", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    const { requests } = fakeApi(server.handle);
    const bytes = new Uint8Array(await patternedFile("any.bin", 12.5 * MiB).arrayBuffer());
    const nodeFile = (name: string) =>
      new NodeFile([bytes], name, { type: "application/octet-stream" }) as unknown as File;
    server.gate = new Promise(() => {});
    const first = open(server);
    const created: Record<string, UploadCreated> = {};
    const handles: Record<string, TransferHandle> = {};
    for (const name of ["held.bin", "going.bin"]) {
      created[name] = await directUploadApi.create({ name, size: bytes.length, parentId: "root", onConflict: "fail" });
      handles[name] = first.send(nodeFile(name), created[name], null, () => {});
      handles[name].promise.catch(() => {});
    }
    const held = created["held.bin"]!.id;
    const going = created["going.bin"]!.id;
    await vi.waitFor(async () => expect(await keptBlobCount()).toBe(2));
    await vi.waitFor(() =>
      expect(requests).toEqual(
        expect.arrayContaining([`POST /api/v1/uploads/${held}/parts`, `POST /api/v1/uploads/${going}/parts`]),
      ),
    );
    for (const id of [held, going])
      server.uploads.get(id)!.stored.set(1, { size: PART, etag: '"etag-1"', sha256: sha256Of(bytes.slice(0, PART)) });
    // The reload comes at once after the pause, before Golden Retriever's throttled save.
    handles["held.bin"]!.pause();

    server.gate = Promise.resolve();
    const sentBefore = requests.length;
    const restored: RestoredTransfer[] = [];
    await open(server).restore((found) => restored.push(...found));

    const byName = Object.fromEntries(restored.map((each) => [each.name, each]));
    // The running one resumes by itself and finishes; meanwhile the paused one sends nothing.
    expect((await byName["going.bin"]!.handle!.promise).id).toBe(going);
    expect(
      server.puts
        .filter((put) => put.uploadId === going)
        .map((put) => put.number)
        .sort(),
    ).toEqual([2, 3]);
    expect(requests.slice(sentBefore).filter((request) => request.includes(held))).toEqual([]);
    expect(server.puts.filter((put) => put.uploadId === held)).toEqual([]);
    expect(byName["held.bin"]).toMatchObject({ paused: true });
    expect(byName["going.bin"]?.paused).toBeFalsy();

    byName["held.bin"]!.handle!.resume();
    expect((await byName["held.bin"]!.handle!.promise).id).toBe(held);
    expect(
      server.puts
        .filter((put) => put.uploadId === held)
        .map((put) => put.number)
        .sort(),
    ).toEqual([2, 3]);
    expect(server.completions.at(-1)?.map((part) => part.number)).toEqual([1, 2, 3]);
    expect(localStorage.getItem("scloud-paused-uploads-u1")).toBeNull();
  });

  it("says so when the browser did not keep the file, and tells the server to drop the upload", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    fakeApi(server.handle);
    server.gate = new Promise(() => {});
    // jsdom's File cannot be kept in IndexedDB: after the reload only the upload's record is left.
    const file = patternedFile("lost.bin", 12.5 * MiB);
    const created = await directUploadApi.create({
      name: "lost.bin",
      size: file.size,
      parentId: "root",
      onConflict: "fail",
    });
    void open(server)
      .send(file, created, null, () => {})
      .promise.catch(() => {});
    await vi.waitFor(() => expect(keptUploadsExist("u1")).toBe(true));

    const restored: RestoredTransfer[] = [];
    await open(server).restore((found) => restored.push(...found));

    expect(restored.find((each) => each.name === "lost.bin")).toMatchObject({
      handle: null,
      lost: "lost.bin: the browser did not keep the file through the reload. Upload it again.",
    });
    await vi.waitFor(() => expect(server.aborted).toContain(created.id));
  });

  it("keeps the uploads to resume when the page lets go of its transfer (sign-out, a second mount)", async () => {
    const server = new DirectUploadServer({ partSize: PART });
    fakeApi(server.handle);
    server.gate = new Promise(() => {});
    const file = patternedFile("kept.bin", 12.5 * MiB);
    const created = await directUploadApi.create({
      name: "kept.bin",
      size: file.size,
      parentId: "root",
      onConflict: "fail",
    });
    const first = open(server);
    void first.send(file, created, null, () => {}).promise.catch(() => {});
    await vi.waitFor(() => expect(keptUploadsExist("u1")).toBe(true));

    first.destroy();

    expect(keptUploadsExist("u1")).toBe(true);
    expect(server.aborted).toEqual([]);
  });
});
