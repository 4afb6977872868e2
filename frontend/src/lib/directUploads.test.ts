import { describe, expect, it, vi } from "vitest";
import type { StorageLimits } from "../api/directUpload";
import { ApiError } from "../api/errors";
import type { UploadHandle } from "../api/upload";
import { DirectUploadServer } from "../test/directUploadServer";
import { fakeApi, json } from "../test/harness";
import { BATCH_FILE_MAX_BYTES, type BatchUploads } from "./batchUploads";
import {
  chooseUploader,
  DirectUploads,
  SharedFolderUploads,
  SINGLE_REQUEST_MAX_BYTES,
  withSharedFolders,
} from "./directUploads";
import type { Uploader } from "./uploadQueue";
import type { UppyTransfer } from "./uppyTransfer";

const GiB = 1024 ** 3;
const limits: StorageLimits = {
  maxUploadBytes: 100 * 1024 ** 2,
  trashRetentionDays: 30,
  maxFileBytes: 5 * GiB,
  maxBatchFiles: 100,
  maxBatchFileBytes: 64 * 1024 ** 2,
  quotaBytes: 10 * GiB,
  usedBytes: 0,
  trashBytes: 0,
};

/** A file that claims `size` bytes without holding them. */
const sized = (size: number) => Object.defineProperty(new File([], "f.bin"), "size", { value: size }) as File;

function routes(given: StorageLimits | null, { batched = false } = {}) {
  const taken: string[] = [];
  const handle: UploadHandle = { promise: new Promise(() => {}), cancel() {} };
  const direct = { send: vi.fn(() => (taken.push("parts"), handle)) } as unknown as DirectUploads;
  const batches = { send: vi.fn(() => (taken.push("batch"), handle)), maxFiles: 0 } as unknown as BatchUploads;
  const inOneRequest = vi.fn(() => (taken.push("one request"), handle));
  const upload = chooseUploader(given, given && direct, inOneRequest, batched ? batches : null);
  return Object.assign(
    (size: number) => {
      upload(sized(size), () => {}, { parentId: "root" });
      return taken.at(-1);
    },
    { pooled: (size: number) => upload.pooled?.(sized(size), { parentId: "root" }), batches },
  );
}

describe("the way a file goes", () => {
  it("sends small files in batches (empty ones in one request), bigger ones in parts", () => {
    const way = routes(limits, { batched: true });
    expect(way(0)).toBe("one request");
    expect(way(1)).toBe("batch");
    expect(way(BATCH_FILE_MAX_BYTES)).toBe("batch");
    expect(way(BATCH_FILE_MAX_BYTES + 1)).toBe("parts");
    expect([way.pooled(1), way.pooled(0), way.pooled(BATCH_FILE_MAX_BYTES + 1)]).toEqual([true, false, false]);
    expect(way.batches.maxFiles).toBe(100);
  });

  it("keeps to the server's bounds for batches", () => {
    const way = routes({ ...limits, maxBatchFileBytes: 1000, maxBatchFiles: 7 }, { batched: true });
    expect(way(1000)).toBe("batch");
    expect(way(1001)).toBe("one request");
    expect(way.batches.maxFiles).toBe(7);
  });

  it("sends small files in one request to a server without batches", () => {
    const older: Partial<StorageLimits> = { ...limits };
    delete older.maxBatchFiles;
    delete older.maxBatchFileBytes;
    expect(routes(older as StorageLimits, { batched: true })(1)).toBe("one request");
  });

  it("sends files up to the threshold in one request and bigger ones in parts", () => {
    const way = routes(limits);
    expect(way(0)).toBe("one request");
    expect(way(SINGLE_REQUEST_MAX_BYTES)).toBe("one request");
    expect(way(SINGLE_REQUEST_MAX_BYTES + 1)).toBe("parts");
    expect(way(3 * GiB)).toBe("parts");
  });

  it("sends a big file for a share through that share's own direct uploads, and never pools a share's file in a batch", () => {
    const taken: string[] = [];
    const handle: UploadHandle = { promise: new Promise(() => {}), cancel() {} };
    const drive: Uploader = Object.assign(
      vi.fn(() => (taken.push("drive"), handle)),
      { pooled: () => true },
    );
    const built: string[] = [];
    const shares = new SharedFolderUploads("u1", (_userId, shareId) => {
      built.push(shareId);
      return { send: vi.fn(() => (taken.push(`parts to ${shareId}`), handle)) } as unknown as DirectUploads;
    });
    const upload = withSharedFolders(drive, limits, shares);

    upload(sized(3 * GiB), () => {}, { parentId: "D1", shareId: "S1" });
    upload(sized(3 * GiB), () => {}, { parentId: "root", shareId: "S1" });
    upload(sized(3 * GiB), () => {}, { parentId: "root", shareId: "S2" });
    upload(sized(3 * GiB), () => {}, { parentId: "root" });

    expect(taken).toEqual(["parts to S1", "parts to S1", "parts to S2", "drive"]);
    expect(built).toEqual(["S1", "S2"]);
    expect(upload.pooled?.(sized(10), { parentId: "root", shareId: "S1" })).toBe(false);
    expect(upload.pooled?.(sized(10), { parentId: "root" })).toBe(true);
  });

  it("sends in parts what the one-request path would refuse, when the server's limit for it is lower", () => {
    const way = routes({ ...limits, maxUploadBytes: 1000 });
    expect(way(1000)).toBe("one request");
    expect(way(1001)).toBe("parts");
  });

  it("sends everything in one request to a server without direct uploads", () => {
    expect(routes(null)(3 * GiB)).toBe("one request");
  });
});

describe("DirectUploads", () => {
  const file = () => new File([new Uint8Array(16)], "big.bin", { lastModified: Date.UTC(2026, 0, 1) });

  it("creates the upload with the folder, the conflict choice, the size and the modified time before loading Uppy", async () => {
    const server = new DirectUploadServer({ partSize: 5 * 1024 ** 2 });
    const bodies: unknown[] = [];
    fakeApi((call) => (bodies.push(call.body), server.handle(call)));
    const transfer = { send: vi.fn(() => ({ promise: Promise.resolve("stored"), cancel() {} })) };
    const load = vi.fn(async () => transfer as unknown as UppyTransfer);

    const handle = new DirectUploads("u1", load).send(file(), () => {}, { parentId: "f1", onConflict: "rename" });

    await expect(handle.promise).resolves.toBe("stored");
    expect(bodies[0]).toEqual({
      name: "big.bin",
      size: 16,
      type: null,
      parentId: "f1",
      onConflict: "rename",
      modifiedAt: "2026-01-01T00:00:00.000Z",
      partSize: 8 * 1024 ** 2,
    });
    expect(load).toHaveBeenCalledTimes(1);
  });

  it.each([
    [413, "file_too_large", "Files can be 5 GiB at most.", {}, "Files can be 5 GiB at most."],
    [
      507,
      "quota_exceeded",
      "Full.",
      { used: 9 * GiB, quota: 10 * GiB, size: 2 * GiB },
      "Not enough storage: this file needs 2 GB, and 9 GB of your 10 GB are used (1 GB free).",
    ],
    [422, "invalid_name", "That name cannot be used.", {}, "That name cannot be used."],
    [404, "folder_not_found", "The folder no longer exists.", {}, "The folder no longer exists."],
    [409, "name_taken", "A file has that name.", {}, "A file has that name."],
    [
      429,
      "too_many_uploads",
      "Slow down.",
      {},
      "Too many uploads in progress: let some finish (or try again in 30 seconds), then send this file again.",
    ],
  ])(
    "says why the server refused to create the upload (%i %s), and never loads Uppy",
    async (status, code, message, details, shown) => {
      fakeApi((call) =>
        call.path === "/api/v1/uploads"
          ? json(status, { error: { code, message, details } }, { "Retry-After": "30" })
          : undefined,
      );
      const load = vi.fn();

      const error = await new DirectUploads("u1", load)
        .send(file(), () => {}, {})
        .promise.catch((caught: unknown) => caught);

      expect(error).toBeInstanceOf(ApiError);
      expect((error as ApiError).code).toBe(code);
      expect((error as ApiError).message).toContain(shown);
      expect(load).not.toHaveBeenCalled();
    },
  );
});
