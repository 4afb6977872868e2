import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { UploadCancelled, uploadFile, type FileRead, type UploadTransport } from "../api/upload";
import { PARALLEL_UPLOADS, UploadQueue, type UploadItem } from "./uploadQueue";

class FakeTransport implements UploadTransport {
  static last: FakeTransport;
  static all: FakeTransport[] = [];
  status = 0;
  responseText = "";
  headers: Record<string, string> = {};
  sent: FormData | null = null;
  upload = { onprogress: null as ((event: ProgressEvent) => void) | null };
  onload: (() => void) | null = null;
  onerror: (() => void) | null = null;
  onabort: (() => void) | null = null;
  constructor() {
    FakeTransport.last = this;
    FakeTransport.all.push(this);
  }
  open() {}
  setRequestHeader(name: string, value: string) {
    this.headers[name] = value;
  }
  send(body: FormData) {
    this.sent = body;
  }
  abort() {
    this.onabort?.();
  }
  progress(loaded: number, total: number) {
    this.upload.onprogress?.({ loaded, total } as ProgressEvent);
  }
  finish(status: number, body: unknown) {
    this.status = status;
    this.responseText = JSON.stringify(body);
    this.onload?.();
  }
}

const stored: FileRead = { fileId: "f1", fileName: "a.txt", fileSize: 4, fileType: "text/plain", uploadDate: "" };

function makeQueue(limit: number | null) {
  const states: UploadItem[][] = [];
  const uploaded: FileRead[] = [];
  const uploader = vi.fn((file: File, onProgress) => uploadFile(file, onProgress, () => new FakeTransport()));
  const queue = new UploadQueue((items) => states.push(items), uploader);
  queue.configure({ maxBytes: limit, onUploaded: (file) => uploaded.push(file) });
  return { queue, states, uploaded, uploader, last: () => states[states.length - 1] };
}

describe("UploadQueue", () => {
  it("refuses a file over the limit without sending anything", () => {
    const { queue, uploader, last } = makeQueue(3);
    queue.add([new File(["four"], "big.txt")]);
    expect(uploader).not.toHaveBeenCalled();
    expect(last()[0]).toMatchObject({ status: "rejected" });
    expect(last()[0].message).toContain("over the 3 B upload limit");
  });

  it("holds each new file to the limit it was last given", () => {
    const { queue, uploader, last } = makeQueue(null);
    queue.configure({ maxBytes: 3, onUploaded: () => {} });
    queue.add([new File(["four"], "big.txt")]);
    expect(uploader).not.toHaveBeenCalled();
    expect(last()[0]).toMatchObject({ status: "rejected" });
  });

  it("reports progress, then the stored file", async () => {
    const { queue, uploaded, last } = makeQueue(100);
    queue.add([new File(["data"], "a.txt")]);
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
    queue.add([new File(["data"], "a.txt")]);
    queue.cancel(last()[0].id);
    await vi.waitFor(() => expect(last()[0].status).toBe("cancelled"));
    expect(uploaded).toEqual([]);
  });

  it("shows the server's message when an upload fails", async () => {
    const { queue, last } = makeQueue(null);
    queue.add([new File(["data"], "a.txt")]);
    FakeTransport.last.finish(413, { error: { code: "file_too_large", message: "The file is too large." } });
    await vi.waitFor(() => expect(last()[0].status).toBe("failed"));
    expect(last()[0].message).toBe("a.txt: The file is too large.");
  });
});

describe("UploadQueue with many files", () => {
  it("sends a few at a time and starts the next when one finishes; a waiting one can be cancelled", async () => {
    FakeTransport.all = [];
    const { queue, last } = makeQueue(null);
    queue.add(["a", "b", "c", "d", "e"].map((name) => new File(["data"], `${name}.txt`)));
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
      () => new FakeTransport(),
    );
    cancelled.cancel();
    await expect(cancelled.promise).rejects.toBeInstanceOf(UploadCancelled);
    const failed = uploadFile(
      new File(["x"], "x"),
      () => {},
      () => new FakeTransport(),
    );
    FakeTransport.last.onerror?.();
    await expect(failed.promise).rejects.toBeInstanceOf(ApiError);
  });
});
