import { describe, expect, it, vi } from "vitest";
import { ApiError } from "../api/errors";
import { UploadCancelled, type UploadProgress } from "../api/upload";
import { sha256Of } from "../test/directUploadServer";
import { fakeApi, json, type ApiCall } from "../test/harness";
import { BATCHES_IN_FLIGHT, BatchUploads, PutFailed, type PutObject } from "./batchUploads";
import { UploadQueue, type UploadItem } from "./uploadQueue";

const item = (id: string, name: string, parentId: string) => ({
  id,
  name,
  kind: "file",
  parentId,
  size: 1,
  createdAt: "2026-01-01T00:00:00Z",
  modifiedAt: "2026-01-01T00:00:00Z",
});

/**
 * The batch routes and S3's PUTs, faked: names in `taken` are answered `name_taken` with `fail`,
 * every call is recorded, `putFails` says how a PUT of a name fails (one entry per attempt).
 */
function batchServer({ taken = [] as string[], putFails = {} as Record<string, number[]> } = {}) {
  const batches = new Map<string, { parentId: string; files: { id: string; name: string }[] }>();
  const created: ApiCall["body"][] = [];
  const completed: { id: string; sent: string[] }[] = [];
  const stored = new Set<string>();
  const attempts: string[] = [];
  let next = 0;
  const api = fakeApi(async (call) => {
    if (call.method === "POST" && call.path === "/api/v1/uploads/batches") {
      created.push(call.body);
      const id = `b${++next}`;
      const files = call.body.files.map((file: { name: string; size: number; sha256: string }) =>
        call.body.onConflict === "fail" && taken.includes(file.name)
          ? { name: file.name, error: "name_taken", existingId: `old-${file.name}` }
          : {
              name: file.name,
              id: `${id}-${file.name}`,
              url: `s3://${id}/${file.name}`,
              headers: { sha: file.sha256 },
            },
      );
      const declared = files.filter((file: { id?: string }) => file.id);
      if (declared.length) batches.set(id, { parentId: call.body.parentId, files: declared });
      return json(201, { id: declared.length ? id : null, expiresAt: null, files });
    }
    const done = call.path.match(/^\/api\/v1\/uploads\/batches\/(\w+)\/complete$/);
    if (call.method === "POST" && done) {
      const batch = batches.get(done[1]!)!;
      completed.push({ id: done[1]!, sent: call.body.sent });
      return json(200, {
        files: batch.files.map(({ id, name }) =>
          call.body.sent.includes(id) && stored.has(id)
            ? { id, state: "recorded", item: item(id, name, batch.parentId) }
            : { id, state: "missing" },
        ),
      });
    }
    return undefined;
  });
  const put: PutObject = vi.fn(async (url, headers, body, onProgress) => {
    const name = url.split("/").at(-1)!;
    attempts.push(name);
    const failure = putFails[name]?.shift();
    if (failure !== undefined) throw new PutFailed(failure);
    expect(headers.sha).toBe(sha256Of(new Uint8Array(await body.arrayBuffer())));
    onProgress(body.size);
    stored.add(`${url.split("/")[2]}-${name}`);
  });
  return { api, put, created, completed, attempts };
}

const file = (name: string, text = name) => new File([text], name, { lastModified: Date.UTC(2026, 0, 1) });
const noWait = () => Promise.resolve();

/** A queue whose every file goes through `batches`, as the page's small files do. */
function queueOver(batches: BatchUploads) {
  let items: UploadItem[] = [];
  const uploaded: string[] = [];
  const queue = new UploadQueue((next) => (items = next));
  queue.configure({
    maxBytes: null,
    onUploaded: (stored) => uploaded.push(stored.name),
    uploader: Object.assign(batches.send.bind(batches), { pooled: () => true }),
  });
  return { queue, items: () => items, uploaded };
}

const settledAll = async (items: () => UploadItem[]) =>
  vi.waitFor(
    () => {
      expect(items().every((each) => !["waiting", "uploading"].includes(each.status))).toBe(true);
    },
    { timeout: 5000 },
  );

describe("BatchUploads", () => {
  it("groups the files added together per folder into batches of at most maxFiles, and completes each once", async () => {
    const server = batchServer();
    const batches = new BatchUploads({ put: server.put, maxFiles: 3, wait: noWait });
    const { queue, items, uploaded } = queueOver(batches);

    queue.add([
      ...["a", "b", "c", "d"].map((name) => ({ file: file(`${name}.txt`), parentId: "f1" })),
      { file: file("e.txt"), parentId: null },
    ]);
    await settledAll(items);

    expect(items().map((each) => each.status)).toEqual(["done", "done", "done", "done", "done"]);
    expect(uploaded.sort()).toEqual(["a.txt", "b.txt", "c.txt", "d.txt", "e.txt"]);
    const declared = server.created.map((body) => [body.parentId, body.files.map((f: { name: string }) => f.name)]);
    expect(declared.sort()).toEqual([
      ["f1", ["a.txt", "b.txt", "c.txt"]],
      ["f1", ["d.txt"]],
      ["root", ["e.txt"]],
    ]);
    expect(server.created.find((body) => body.files[0].name === "a.txt").files[0]).toEqual({
      name: "a.txt",
      size: 5,
      type: null,
      sha256: sha256Of(new TextEncoder().encode("a.txt")),
      modifiedAt: "2026-01-01T00:00:00.000Z",
    });
    expect(server.completed.map((each) => each.sent.length).sort()).toEqual([1, 1, 3]);
    expect(server.api.requests.filter((request) => request.includes("/api/v1/files/upload"))).toEqual([]);
  });

  it("puts a second file of the same name in the next batch", async () => {
    const server = batchServer();
    const batches = new BatchUploads({ put: server.put, wait: noWait });
    const sent = [batches.send(file("Same.txt"), () => {}, {}), batches.send(file("same.txt", "other"), () => {}, {})];
    await Promise.all(sent.map((handle) => handle.promise));
    expect(server.created.map((body) => body.files.map((f: { name: string }) => f.name))).toEqual([
      ["Same.txt"],
      ["same.txt"],
    ]);
  });

  it("reports each file's progress", async () => {
    const server = batchServer();
    const progress: UploadProgress[] = [];
    const handle = new BatchUploads({ put: server.put, wait: noWait }).send(
      file("p.txt", "12345678"),
      (p) => progress.push(p),
      {},
    );
    await handle.promise;
    expect(progress).toEqual([{ loaded: 8, total: 8 }]);
  });

  it("asks about a taken name for that file alone, and sends it again in a new batch with the choice", async () => {
    const server = batchServer({ taken: ["old.txt"] });
    const { queue, items } = queueOver(new BatchUploads({ put: server.put, wait: noWait }));

    queue.add(["new.txt", "old.txt", "other.txt"].map((name) => ({ file: file(name), parentId: null })));
    await settledAll(items);
    expect(items().map((each) => [each.name, each.status])).toEqual([
      ["new.txt", "done"],
      ["old.txt", "conflict"],
      ["other.txt", "done"],
    ]);

    queue.resolve(items()[1]!.id, "rename");
    await settledAll(items);
    expect(items()[1]!.status).toBe("done");
    expect(server.created.at(-1)).toMatchObject({ onConflict: "rename", files: [{ name: "old.txt" }] });
    expect(server.completed).toHaveLength(2);
  });

  it("sends a PUT again after a network failure or a busy store, and gives up on a refusal", async () => {
    const server = batchServer({ putFails: { "flaky.txt": [0, 503], "refused.txt": [403] } });
    const wait = vi.fn(noWait);
    const { queue, items } = queueOver(new BatchUploads({ put: server.put, wait, retryDelaysMs: [10, 20, 40] }));

    queue.add(["flaky.txt", "refused.txt"].map((name) => ({ file: file(name), parentId: null })));
    await settledAll(items);

    expect(items().map((each) => each.status)).toEqual(["done", "failed"]);
    expect(items()[1]!.message).toContain("HTTP 403");
    expect(server.attempts.filter((name) => name === "flaky.txt")).toHaveLength(3);
    expect(wait.mock.calls).toEqual([[10], [20]]);
    // The refused file is not named as sent: the server deletes whatever landed for it.
    expect(server.completed[0]!.sent).toEqual(["b1-flaky.txt"]);

    queue.retry(items()[1]!.id);
    await settledAll(items);
    expect(items()[1]!.status).toBe("done");
    expect(server.created).toHaveLength(2);
  });

  it("completes again after a lost answer, and gets each file's outcome", async () => {
    const server = batchServer();
    let lost = 1;
    const original = globalThis.fetch;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) =>
        request.url.endsWith("/complete") && lost-- > 0 ? Promise.reject(new TypeError("network")) : original(request),
      ),
    );
    const wait = vi.fn(noWait);
    const handle = new BatchUploads({ put: server.put, wait }).send(file("once.txt"), () => {}, {});

    await expect(handle.promise).resolves.toMatchObject({ name: "once.txt" });
    expect(wait).toHaveBeenCalledTimes(1);
    expect(server.completed).toHaveLength(1);
  });

  it("fails every file of a batch the server refuses to create, and declares no cancelled file", async () => {
    fakeApi((call) =>
      call.path === "/api/v1/uploads/batches"
        ? json(507, { error: { code: "quota_exceeded", message: "Not enough storage." } })
        : undefined,
    );
    const batches = new BatchUploads({ put: vi.fn(), wait: noWait });
    const kept = batches.send(file("kept.txt"), () => {}, {});
    const dropped = batches.send(file("dropped.txt"), () => {}, {});
    dropped.cancel();

    await expect(dropped.promise).rejects.toBeInstanceOf(UploadCancelled);
    const error = await kept.promise.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe("quota_exceeded");
  });

  it("stops a PUT in flight when its file is cancelled, and leaves it out of the completion", async () => {
    const server = batchServer();
    const put: PutObject = (url, headers, body, onProgress, signal) =>
      url.endsWith("slow.txt")
        ? new Promise((_, reject) => signal.addEventListener("abort", () => reject(new UploadCancelled())))
        : server.put(url, headers, body, onProgress, signal);
    const batches = new BatchUploads({ put, wait: noWait });
    const slow = batches.send(file("slow.txt"), () => {}, {});
    const fast = batches.send(file("fast.txt"), () => {}, {});
    await vi.waitFor(() => expect(server.attempts).toEqual(["fast.txt"]));

    slow.cancel();

    await expect(slow.promise).rejects.toBeInstanceOf(UploadCancelled);
    await expect(fast.promise).resolves.toMatchObject({ name: "fast.txt" });
    expect(server.completed).toEqual([{ id: "b1", sent: ["b1-fast.txt"] }]);
  });

  it("keeps at most BATCHES_IN_FLIGHT batches open at once, and waits out a refusal for too many uploads", async () => {
    const server = batchServer();
    let open = 0;
    let most = 0;
    let throttled = false;
    const original = globalThis.fetch;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        const creating = request.url.endsWith("/api/v1/uploads/batches");
        if (creating && !throttled) {
          throttled = true;
          return json(429, { error: { code: "too_many_uploads", message: "Slow down." } });
        }
        if (creating) most = Math.max(most, ++open);
        const answer = await original(request);
        if (request.url.endsWith("/complete")) open--;
        return answer;
      }),
    );
    const wait = vi.fn(noWait);
    // No PUT ends before three batches are open: a fourth would open now if nothing held it.
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const put: PutObject = async (...args) => (await gate, server.put(...args));
    const { queue, items } = queueOver(new BatchUploads({ put, maxFiles: 2, wait }));

    queue.add(Array.from({ length: 13 }, (_, n) => ({ file: file(`${n}.txt`), parentId: null })));
    await vi.waitFor(() => expect(open).toBe(BATCHES_IN_FLIGHT));
    release();
    await settledAll(items);

    expect(items().every((each) => each.status === "done")).toBe(true);
    expect(server.created).toHaveLength(7);
    expect(most).toBe(BATCHES_IN_FLIGHT);
    expect(wait).toHaveBeenCalledTimes(1);
  });
});
