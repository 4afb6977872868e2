import { describe, expect, it, vi } from "vitest";
import type { UploadedFile } from "../api/drive";
import { ApiError } from "../api/errors";
import { UploadCancelled, uploadFile, type UploadHandle, type UploadTransport } from "../api/upload";
import { overallProgress, PARALLEL_UPLOADS, UploadQueue, type UploadItem } from "./uploadQueue";

class FakeTransport implements UploadTransport {
  static last: FakeTransport;
  static all: FakeTransport[] = [];
  status = 0;
  responseText = "";
  headers: Record<string, string> = {};
  responseHeaders: Record<string, string> = {};
  sent: FormData | null = null;
  upload = { onprogress: null as ((event: ProgressEvent) => void) | null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeTransport.last = this;
    FakeTransport.all.push(this);
  }
  url = "";
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.sent = body;
  }
  abort() {
    this.onabort?.();
  }
  getResponseHeader(name: string) {
    return this.responseHeaders[name] ?? null;
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total } as ProgressEvent);
  }
  finish(status: number, body: unknown, headers: Record<string, string> = {}) {
    this.status = status;
    this.responseHeaders = headers;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

const stored: UploadedFile = {
  id: "f1",
  kind: "file",
  name: "a.txt",
  parentId: "root",
  size: 4,
  type: "text/plain",
  thumbnail: "none",
  createdAt: "",
  modifiedAt: "",
  trashedAt: null,
  shared: false,
  starred: false,
};

function makeQueue(limit: number | null) {
  const states: UploadItem[][] = [];
  const uploaded: UploadedFile[] = [];
  const uploader = vi.fn((file: File, onProgress, target) =>
    uploadFile(file, onProgress, target, () => new FakeTransport()),
  );
  const queue = new UploadQueue((items) => states.push(items), uploader);
  queue.configure({ maxBytes: limit, onUploaded: (file) => uploaded.push(file) });
  return { queue, states, uploaded, uploader, last: () => states[states.length - 1] };
}

describe("UploadQueue", () => {
  it("refuses a file over the limit without sending anything", () => {
    const { queue, uploader, last } = makeQueue(3);
    queue.add([{ file: new File(["four"], "big.txt"), parentId: null }]);
    expect(uploader).not.toHaveBeenCalled();
    expect(last()[0]).toMatchObject({ status: "rejected" });
    expect(last()[0].message).toContain("over the 3 B upload limit");
  });

  it("holds each new file to the limit it was last given", () => {
    const { queue, uploader, last } = makeQueue(null);
    queue.configure({ maxBytes: 3, onUploaded: () => {} });
    queue.add([{ file: new File(["four"], "big.txt"), parentId: null }]);
    expect(uploader).not.toHaveBeenCalled();
    expect(last()[0]).toMatchObject({ status: "rejected" });
  });

  it("reports progress, then the stored file", async () => {
    const { queue, uploaded, last } = makeQueue(100);
    queue.add([{ file: new File(["data"], "a.txt"), parentId: null }]);
    const transport = FakeTransport.last;
    expect(transport.sent?.get("file")).toBeInstanceOf(File);
    transport.progress(2, 4);
    expect(last()[0]).toMatchObject({ status: "uploading", loaded: 2, size: 4 });
    transport.finish(201, stored);
    await vi.waitFor(() => expect(uploaded).toEqual([stored]));
    expect(last()[0]).toMatchObject({ status: "done", loaded: 4 });
  });

  it("cancels an upload in flight", async () => {
    const { queue, uploaded, last } = makeQueue(100);
    queue.add([{ file: new File(["data"], "a.txt"), parentId: null }]);
    queue.cancel(last()[0].id);
    await vi.waitFor(() => expect(last()[0].status).toBe("cancelled"));
    expect(uploaded).toEqual([]);
  });

  it("shows the server's message when an upload fails", async () => {
    const { queue, last } = makeQueue(null);
    queue.add([{ file: new File(["data"], "a.txt"), parentId: null }]);
    FakeTransport.last.finish(413, { error: { code: "file_too_large", message: "The file is too large." } });
    await vi.waitFor(() => expect(last()[0].status).toBe("failed"));
    expect(last()[0].message).toBe("a.txt: The file is too large.");
  });
});

describe("UploadQueue retries and conflicts", () => {
  it("sends a file into its folder and retries a failed upload from its card", async () => {
    const { queue, uploaded, last } = makeQueue(null);
    queue.add([{ file: new File(["data"], "a.txt"), parentId: "F1" }]);
    expect(FakeTransport.last.url).toMatch(/^\/api\/v1\/files\/upload\?parentId=F1&onConflict=fail&modifiedAt=/);
    FakeTransport.last.onerror?.();
    await vi.waitFor(() => expect(last()[0].status).toBe("failed"));
    queue.retry(last()[0].id);
    expect(last()[0]).toMatchObject({ status: "uploading", loaded: 0 });
    FakeTransport.last.finish(201, stored);
    await vi.waitFor(() => expect(uploaded).toEqual([stored]));
  });

  it("holds a name conflict until the user chooses, then sends again with that choice", async () => {
    const { queue, last } = makeQueue(null);
    queue.add([{ file: new File(["data"], "a.txt"), parentId: null }]);
    FakeTransport.last.finish(409, { error: { code: "name_taken", message: "taken" } });
    await vi.waitFor(() => expect(last()[0].status).toBe("conflict"));
    queue.resolve(last()[0].id, "rename");
    expect(FakeTransport.last.url).toMatch(/^\/api\/v1\/files\/upload\?onConflict=rename&modifiedAt=/);
    FakeTransport.last.finish(409, { error: { code: "name_taken", message: "taken" } });
    await vi.waitFor(() => expect(last()[0].status).toBe("conflict"));
    queue.resolve(last()[0].id, "cancel");
    expect(last()[0].status).toBe("cancelled");
  });

  it("clears finished uploads but keeps the failed and the running ones", async () => {
    FakeTransport.all = [];
    const { queue, last } = makeQueue(3);
    queue.add(["a", "b", "c"].map((name) => ({ file: new File(["da"], `${name}.txt`), parentId: null })));
    queue.add([{ file: new File(["four"], "big.txt"), parentId: null }]);
    FakeTransport.all[0].finish(201, stored);
    FakeTransport.all[1].finish(500, null);
    await vi.waitFor(() => expect(last()[1].status).toBe("failed"));
    await vi.waitFor(() => expect(last()[0].status).toBe("done"));
    queue.clearFinished();
    expect(last().map((item) => [item.name, item.status])).toEqual([
      ["b.txt", "failed"],
      ["c.txt", "uploading"],
    ]);
    expect(overallProgress(last())).toMatchObject({ total: 2, active: 1 });
  });
});

describe("UploadQueue with many files", () => {
  it("sends a few at a time and starts the next when one finishes; a waiting one can be cancelled", async () => {
    FakeTransport.all = [];
    const { queue, last } = makeQueue(null);
    queue.add(["a", "b", "c", "d", "e"].map((name) => ({ file: new File(["data"], `${name}.txt`), parentId: null })));
    expect(FakeTransport.all).toHaveLength(PARALLEL_UPLOADS);
    expect(last().map((item) => item.status)).toEqual(["uploading", "uploading", "uploading", "waiting", "waiting"]);
    queue.cancel(last()[4].id);
    expect(last()[4].status).toBe("cancelled");
    FakeTransport.all[0].finish(201, stored);
    await vi.waitFor(() => expect(last()[3].status).toBe("uploading"));
    expect(FakeTransport.all).toHaveLength(PARALLEL_UPLOADS + 1);
  });
});

describe("uploadFile", () => {
  it("rejects with UploadCancelled on abort and ApiError on failure", async () => {
    const cancelled = uploadFile(
      new File(["x"], "x"),
      () => {},
      {},
      () => new FakeTransport(),
    );
    cancelled.cancel();
    await expect(cancelled.promise).rejects.toBeInstanceOf(UploadCancelled);
    const failed = uploadFile(
      new File(["x"], "x"),
      () => {},
      {},
      () => new FakeTransport(),
    );
    FakeTransport.last.onerror?.();
    await expect(failed.promise).rejects.toBeInstanceOf(ApiError);
  });

  it("sends the file's own modified time, and its folder and choice on a clash", () => {
    const file = new File(["x"], "x.txt", { lastModified: Date.parse("2025-03-04T05:06:07Z") });
    uploadFile(
      file,
      () => {},
      { parentId: "F1", onConflict: "rename" },
      () => new FakeTransport(),
    );
    const query = new URL(FakeTransport.last.url, "http://x").searchParams;
    expect(Object.fromEntries(query)).toEqual({
      parentId: "F1",
      onConflict: "rename",
      modifiedAt: "2025-03-04T05:06:07.000Z",
    });
  });

  it("waits out a busy server (503 with Retry-After) and sends again", async () => {
    vi.useFakeTimers();
    const handle = uploadFile(
      new File(["x"], "x"),
      () => {},
      {},
      () => new FakeTransport(),
    );
    FakeTransport.last.finish(503, { error: { code: "busy", message: "Busy." } }, { "Retry-After": "2" });
    const first = FakeTransport.last;
    await vi.advanceTimersByTimeAsync(3000);
    expect(FakeTransport.last).not.toBe(first);
    FakeTransport.last.finish(201, stored);
    await expect(handle.promise).resolves.toEqual(stored);
  });

  it("gives up on a busy server after the bound, with a readable error", async () => {
    vi.useFakeTimers();
    const before = FakeTransport.all.length;
    const handle = uploadFile(
      new File(["x"], "x"),
      () => {},
      {},
      () => new FakeTransport(),
    );
    const outcome = handle.promise.catch((error: unknown) => error);
    for (let round = 0; round < 10; round += 1) {
      FakeTransport.last.finish(503, { error: { code: "busy", message: "Busy." } }, { "Retry-After": "1" });
      await vi.advanceTimersByTimeAsync(10_000);
    }
    const error = await outcome;
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toMatch(/busy/i);
    expect(FakeTransport.all.length - before).toBeLessThanOrEqual(5);
  });
});

/** A direct upload's handle as the queue sees it, settled and driven by the test. */
function resumableHandle() {
  const calls: string[] = [];
  let settle!: { resolve(file: UploadedFile): void; reject(error: unknown): void };
  const promise = new Promise<UploadedFile>((resolve, reject) => (settle = { resolve, reject }));
  const handle: UploadHandle & { settle: typeof settle; calls: string[] } = {
    promise,
    settle,
    calls,
    cancel: () => calls.push("cancel"),
    pause: () => calls.push("pause"),
    resume: () => calls.push("resume"),
    discard: () => calls.push("discard"),
    again: () => {
      calls.push("again");
      return next;
    },
  };
  let next: UploadHandle | null = null;
  return Object.assign(handle, { setAgain: (handle: UploadHandle) => (next = handle) });
}

describe("UploadQueue with direct uploads", () => {
  it("pauses and resumes an upload in parts, and lets a waiting file take its turn meanwhile", () => {
    const handles = Array.from({ length: PARALLEL_UPLOADS + 1 }, resumableHandle);
    let started = 0;
    const queue = new UploadQueue(
      () => {},
      () => handles[started++]!,
    );
    let items: UploadItem[] = [];
    queue.observe((next) => (items = next));
    queue.add(handles.map((_, index) => ({ file: new File(["x"], `${index}.bin`), parentId: null })));
    expect(started).toBe(PARALLEL_UPLOADS);

    queue.pause(items[0]!.id);
    expect(items[0]).toMatchObject({ status: "paused", resumable: true });
    expect(started).toBe(PARALLEL_UPLOADS + 1);
    queue.resume(items[0]!.id);

    expect(items[0]!.status).toBe("uploading");
    expect(handles[0]!.calls).toEqual(["pause", "resume"]);
  });

  it("retries a failed upload in parts from where it stopped, and a cancel of a failed one drops it on the server", async () => {
    const first = resumableHandle();
    const second = resumableHandle();
    first.setAgain(second);
    const queue = new UploadQueue(
      () => {},
      () => first,
    );
    let items: UploadItem[] = [];
    queue.observe((next) => (items = next));
    queue.add([{ file: new File(["x"], "a.bin"), parentId: null }]);
    first.settle.reject(new ApiError(0, "network", "Cannot reach SCloud."));
    await vi.waitFor(() => expect(items[0]!.status).toBe("failed"));

    queue.retry(items[0]!.id);
    expect(first.calls).toEqual(["again"]);
    expect(items[0]!.status).toBe("uploading");
    second.settle.reject(new ApiError(0, "network", "Cannot reach SCloud."));
    await vi.waitFor(() => expect(items[0]!.status).toBe("failed"));
    queue.cancel(items[0]!.id);

    expect(second.calls).toEqual(["discard"]);
    expect(items[0]!.status).toBe("cancelled");
  });

  it("takes in the uploads a reload left running, and says which could not resume", async () => {
    const running = resumableHandle();
    const queue = new UploadQueue(
      () => {},
      () => running,
    );
    const uploaded: UploadedFile[] = [];
    queue.configure({ maxBytes: null, onUploaded: (file) => uploaded.push(file) });
    let items: UploadItem[] = [];
    queue.observe((next) => (items = next));

    queue.adopt([
      { name: "kept.bin", size: 100, parentId: null, loaded: 40, handle: running },
      { name: "lost.bin", size: 100, parentId: null, loaded: 0, handle: null, lost: "lost.bin: not kept." },
    ]);

    expect(items).toMatchObject([
      { name: "kept.bin", status: "uploading", loaded: 40, resumable: true },
      { name: "lost.bin", status: "failed", message: "lost.bin: not kept." },
    ]);
    running.settle.resolve(stored);
    await vi.waitFor(() => expect(items[0]!.status).toBe("done"));
    expect(uploaded).toEqual([stored]);
  });

  it("shows an upload the user paused before the reload as paused, and resumes it only on Resume", () => {
    const paused = resumableHandle();
    const queue = new UploadQueue(
      () => {},
      () => paused,
    );
    let items: UploadItem[] = [];
    queue.observe((next) => (items = next));

    queue.adopt([{ name: "held.bin", size: 100, parentId: null, loaded: 40, handle: paused, paused: true }]);

    expect(items).toMatchObject([{ name: "held.bin", status: "paused", loaded: 40, resumable: true }]);
    expect(paused.calls).toEqual([]);
    queue.resume(items[0]!.id);
    expect(paused.calls).toEqual(["resume"]);
    expect(items[0]!.status).toBe("uploading");
  });
});
