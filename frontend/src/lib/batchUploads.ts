import { directUploadApi, type BatchCreate, type BatchCreated, type BatchFileOutcome } from "../api/directUpload";
import type { UploadedFile } from "../api/drive";
import { ApiError } from "../api/errors";
import { UploadCancelled, type UploadHandle, type UploadProgress, type UploadTarget } from "../api/upload";
import { sha256Base64 } from "./checksum";

/**
 * Files up to this size go in batches (one request declares up to `maxBatchFiles`, each file is one
 * PUT straight to S3, one request completes them): measured at 1.2x of plain PutObjects for 500
 * small files, against 0.64x for one service request per file (docs/performance.md). Bigger files
 * go in parts, side by side, from 8 MiB (two parts of S3's 5 MiB minimum) up.
 */
export const BATCH_FILE_MAX_BYTES = 8 * 1024 * 1024;
/** PUTs in flight at once, all batches together (the browser's connections per origin). */
export const BATCH_PUTS_IN_FLIGHT = 6;
/**
 * Batches between their creation and their completion at once: enough to keep the PUTs busy, and
 * far below the server's bound of uploads in progress per user, whatever the size of a drop.
 */
export const BATCHES_IN_FLIGHT = 3;
/** The files added together (a drop) are gathered this long into one batch per folder. */
export const BATCH_GATHER_MS = 30;
/** Waits before sending a PUT or a completion again after a network failure or a busy server. */
export const BATCH_RETRY_DELAYS_MS = [1000, 2000, 4000, 8000, 15_000];

/** Sends one file's bytes to its presigned URL with exactly the signed headers; rejects with a `PutFailed`. */
export type PutObject = (
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (loaded: number) => void,
  signal: AbortSignal,
) => Promise<void>;

/** A PUT that did not store the file: `status` 0 for the network. */
export class PutFailed extends ApiError {
  constructor(status: number) {
    super(
      status,
      status ? "storage_refused" : "network",
      status ? `Storage refused the file (HTTP ${status}).` : "The connection to storage failed.",
    );
    this.name = "PutFailed";
  }
}

/** Sending again may work: the network, a timeout, a throttle or the server's own failure. */
const isTransient = (error: unknown) => {
  if (error instanceof UploadCancelled) return false;
  const status = error instanceof ApiError ? error.status : 0;
  return status === 0 || status === 408 || status === 429 || status >= 500;
};

const xhrPut: PutObject = (url, headers, body, onProgress, signal) =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) request.setRequestHeader(name, value);
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => (request.status < 300 ? resolve() : reject(new PutFailed(request.status)));
    request.onerror = () => reject(new PutFailed(0));
    request.onabort = () => reject(new UploadCancelled());
    signal.addEventListener("abort", () => request.abort(), { once: true });
    request.send(body);
  });

const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Runs at most `size` pieces of work at once; the others wait their turn, in order. */
class Slots {
  private readonly waiting: (() => void)[] = [];
  private busy = 0;

  constructor(private readonly size: number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.busy >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.busy++;
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.busy--;
    }
  }
}

/** One file handed to the batches, from `send` to its outcome. */
interface Entry {
  file: File;
  onProgress(progress: UploadProgress): void;
  resolve(file: UploadedFile): void;
  reject(error: unknown): void;
  settled: boolean;
  cancelled: boolean;
  abort: AbortController;
}

interface Group {
  parentId: string;
  onConflict: "fail" | "replace" | "rename";
  entries: Entry[];
  names: Set<string>;
  timer: ReturnType<typeof setTimeout> | null;
}

export interface BatchOptions {
  api?: Pick<typeof directUploadApi, "createBatch" | "completeBatch">;
  put?: PutObject;
  maxFiles?: number;
  gatherMs?: number;
  retryDelaysMs?: number[];
  /** Waits between attempts; tests pass one that does not wait. */
  wait?: (ms: number) => Promise<void>;
}

/**
 * Small files in batches: the files added together are grouped per folder and conflict choice, up
 * to `maxFiles` a batch; each is hashed (the URL is bound to its SHA-256), PUT straight to S3
 * (several at once, retried with backoff), and each batch completed once its PUTs are over. A
 * name taken is answered for that file alone, so the user is asked about it (the queue's
 * conflict dialog sends it again with the choice, in a new batch).
 */
export class BatchUploads {
  private readonly api: NonNullable<BatchOptions["api"]>;
  private readonly put: PutObject;
  private readonly gatherMs: number;
  private readonly retryDelaysMs: number[];
  private readonly wait: (ms: number) => Promise<void>;
  private readonly groups = new Map<string, Group>();
  private readonly puts = new Slots(BATCH_PUTS_IN_FLIGHT);
  private readonly batches = new Slots(BATCHES_IN_FLIGHT);
  /** The server's bound of files per batch. */
  maxFiles: number;

  constructor({
    api = directUploadApi,
    put = xhrPut,
    maxFiles = 100,
    gatherMs = BATCH_GATHER_MS,
    retryDelaysMs = BATCH_RETRY_DELAYS_MS,
    wait = delay,
  }: BatchOptions = {}) {
    this.api = api;
    this.put = put;
    this.maxFiles = maxFiles;
    this.gatherMs = gatherMs;
    this.retryDelaysMs = retryDelaysMs;
    this.wait = wait;
  }

  send(file: File, onProgress: (progress: UploadProgress) => void, target: UploadTarget): UploadHandle {
    let entry!: Entry;
    const promise = new Promise<UploadedFile>((resolve, reject) => {
      entry = { file, onProgress, resolve, reject, settled: false, cancelled: false, abort: new AbortController() };
    });
    const parentId = target.parentId ?? "root";
    const onConflict = target.onConflict ?? "fail";
    const key = `${parentId}\u0000${onConflict}`;
    // A batch refuses a name twice (compared folded, as the server does, about): a second file of
    // that name starts the next batch.
    const folded = file.name.normalize("NFC").toLowerCase();
    if (this.groups.get(key)?.names.has(folded)) this.flush(key);
    let group = this.groups.get(key);
    if (!group) {
      group = { parentId, onConflict, entries: [], names: new Set(), timer: null };
      this.groups.set(key, group);
    }
    group.entries.push(entry);
    group.names.add(folded);
    if (group.entries.length >= this.maxFiles) this.flush(key);
    else group.timer ??= setTimeout(() => this.flush(key), this.gatherMs);
    return {
      promise,
      cancel: () => {
        entry.cancelled = true;
        entry.abort.abort();
        this.settle(entry, null, new UploadCancelled());
      },
    };
  }

  private flush(key: string): void {
    const group = this.groups.get(key);
    if (!group) return;
    this.groups.delete(key);
    if (group.timer) clearTimeout(group.timer);
    void this.batches
      .run(() => this.run(group))
      .catch((error: unknown) => {
        for (const entry of group.entries) this.settle(entry, null, error);
      });
  }

  private async run({ parentId, onConflict, entries }: Group): Promise<void> {
    const live = entries.filter((entry) => !entry.cancelled);
    if (!live.length) return;
    const files: BatchCreate["files"] = [];
    for (const { file } of live) {
      files.push({
        name: file.name,
        size: file.size,
        type: file.type || null,
        sha256: await sha256Base64(file),
        ...(file.lastModified ? { modifiedAt: new Date(file.lastModified).toISOString() } : {}),
      });
    }
    // Refused for too many uploads in progress (429) or a busy server (503), nothing was created.
    const created = await this.retrying(
      () => this.api.createBatch({ files, parentId, onConflict }),
      (error) => error instanceof ApiError && [429, 503].includes(error.status),
    );
    const sent = await Promise.all(created.files.map((answer, index) => this.sendOne(live[index]!, answer)));
    if (!created.id) return;
    const batchId = created.id;
    const ids = sent.filter((id): id is string => id !== null);
    // Completed even with nothing sent: that frees the quota the batch reserved at once.
    const outcomes = await this.retrying(() => this.api.completeBatch(batchId, ids));
    const byId = new Map(outcomes.files.map((outcome) => [outcome.id, outcome]));
    created.files.forEach((answer, index) => {
      const outcome = answer.id ? byId.get(answer.id) : undefined;
      if (outcome) this.answer(live[index]!, outcome);
    });
  }

  /** PUTs one file of the batch; its id if S3 took it, null otherwise (the file's promise says why). */
  private async sendOne(entry: Entry, answer: BatchCreated["files"][number]): Promise<string | null> {
    if (answer.error === "name_taken") {
      const error = new ApiError(409, "name_taken", `${answer.name} already exists in this folder.`, null, {
        existingId: answer.existingId ?? null,
      });
      this.settle(entry, null, error);
      return null;
    }
    if (!answer.id || !answer.url || entry.cancelled) return null;
    const { url, headers, id } = answer;
    const total = entry.file.size;
    try {
      await this.puts.run(() =>
        this.retrying(() =>
          this.put(url, headers ?? {}, entry.file, (loaded) => entry.onProgress({ loaded, total }), entry.abort.signal),
        ),
      );
      return id;
    } catch (error) {
      this.settle(entry, null, entry.cancelled ? new UploadCancelled() : error);
      return null;
    }
  }

  private answer(entry: Entry, outcome: BatchFileOutcome): void {
    if (outcome.state === "recorded" && outcome.item) return this.settle(entry, outcome.item, null);
    if (outcome.state === "refused" && outcome.error === "name_taken")
      return this.settle(
        entry,
        null,
        new ApiError(409, "name_taken", `${entry.file.name} already exists in this folder.`),
      );
    const why =
      outcome.state === "refused"
        ? new ApiError(422, outcome.error ?? "upload_mismatch", "Storage did not keep the file as it was sent.")
        : new ApiError(0, "network", "The file did not reach storage. Try again.");
    this.settle(entry, null, why);
  }

  private settle(entry: Entry, item: UploadedFile | null, error: unknown): void {
    if (entry.settled) return;
    entry.settled = true;
    if (item) entry.resolve(item);
    else entry.reject(error);
  }

  /** Runs `attempt` again after the delays while it fails for a reason that may pass. */
  private async retrying<T>(attempt: () => Promise<T>, passing = isTransient): Promise<T> {
    for (let tries = 0; ; tries++) {
      try {
        return await attempt();
      } catch (error) {
        if (!passing(error) || tries >= this.retryDelaysMs.length) throw error;
        await this.wait(this.retryDelaysMs[tries]!);
      }
    }
  }
}
