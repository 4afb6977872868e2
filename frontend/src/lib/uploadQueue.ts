import type { UploadedFile } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { UploadCancelled, uploadFile, type UploadHandle, type UploadProgress, type UploadTarget } from "../api/upload";
import { formatBytes } from "./format";
import { TransferRate } from "./transferRate";

export type UploadStatus =
  "waiting" | "uploading" | "paused" | "done" | "failed" | "cancelled" | "rejected" | "conflict";

/** Files sent at once; the rest wait their turn, so a big batch does not starve every upload. */
export const PARALLEL_UPLOADS = 3;

export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  status: UploadStatus;
  /** The folder it goes to (null: the root). */
  parentId: string | null;
  message?: string;
  /** Bytes per second, smoothed, while it is sent. */
  speed?: number;
  /** It goes in parts straight to storage: it can be paused, and a retry goes on from the parts sent. */
  resumable?: boolean;
}

/**
 * An upload found after a reload (direct uploads only): running, paused as the user left it, or
 * one that could not resume.
 */
export interface AdoptedUpload {
  name: string;
  size: number;
  parentId: string | null;
  loaded: number;
  handle: UploadHandle | null;
  lost?: string;
  /** It sends nothing until resumed. */
  paused?: boolean;
}

/** One file to send and the folder it goes to. */
export interface UploadRequest {
  file: File;
  parentId: string | null;
  /** The folder shared with the user that `parentId` is inside of; none: the user's own drive. */
  shareId?: string;
  /** A name already in the folder: ask the user (the default), or keep both. */
  onConflict?: "fail" | "rename";
}

/** Where the queue sends a file: its folder, the choice on a name clash, and its share if any. */
export type QueuedTarget = UploadTarget & { shareId?: string };

/** Told of each finished upload: where it went (`shareId` undefined: the user's own drive). */
export type UploadedListener = (file: UploadedFile, parentId: string | null, shareId?: string) => void;

export type ConflictChoice = "replace" | "rename" | "cancel";

export type Uploader = ((
  file: File,
  onProgress: (progress: UploadProgress) => void,
  target: QueuedTarget,
) => UploadHandle) & {
  /**
   * True for a file whose way keeps its own pool (batches of small files): it starts at once,
   * beside the PARALLEL_UPLOADS others, so the files added together are declared together.
   */
  pooled?: (file: File, target: QueuedTarget) => boolean;
};

interface Entry {
  file: File | null;
  parentId: string | null;
  shareId?: string;
  onConflict: "fail" | "replace" | "rename";
  /** The last attempt, kept while it failed: a direct upload's retry goes on from it. */
  failed?: UploadHandle;
}

const FINISHED: UploadStatus[] = ["done", "cancelled", "rejected"];
const ACTIVE: UploadStatus[] = ["uploading", "waiting", "paused"];

/**
 * The uploads of one session: refuses files over the limit before sending a byte, tracks each
 * file's progress, holds a name conflict until the user chooses, lets each upload be cancelled or
 * retried. Framework-free so it is tested directly.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private entries = new Map<number, Entry>();
  private handles = new Map<number, UploadHandle>();
  private waiting: number[] = [];
  private nextId = 1;
  private maxBytes: number | null = null;
  private onUploaded: UploadedListener = () => {};
  private rates = new Map<number, TransferRate>();
  /** Uploads started by a way that keeps its own pool: they hold no PARALLEL_UPLOADS turn. */
  private pooledIds = new Set<number>();

  constructor(
    private onChange: (items: UploadItem[]) => void,
    private upload: Uploader = uploadFile,
  ) {}

  /** Sends every change to `listener` from now on, starting with the current items. */
  observe(listener: (items: UploadItem[]) => void): void {
    this.onChange = listener;
    listener(this.items);
  }

  /** The limit and the callback can change while uploads run: each file uses the latest ones. */
  configure({
    maxBytes,
    onUploaded,
    uploader,
  }: {
    maxBytes: number | null;
    onUploaded: UploadedListener;
    /** How each file is sent from now on (one request, or in parts straight to storage). */
    uploader?: Uploader;
  }): void {
    this.maxBytes = maxBytes;
    this.onUploaded = onUploaded;
    if (uploader) this.upload = uploader;
  }

  /**
   * Takes in the uploads a reload left: running already, paused (until `resume`), or lost (it says
   * why it could not resume).
   */
  adopt(uploads: AdoptedUpload[]): void {
    for (const upload of uploads) {
      const id = this.nextId++;
      const base = { id, name: upload.name, size: upload.size, loaded: upload.loaded, parentId: upload.parentId };
      if (!upload.handle) {
        this.items = [...this.items, { ...base, status: "failed", message: upload.lost }];
        continue;
      }
      this.entries.set(id, { file: null, parentId: upload.parentId, onConflict: "fail" });
      this.items = [...this.items, { ...base, status: upload.paused ? "paused" : "uploading", resumable: true }];
      this.follow(id, upload.handle, upload.size);
    }
    this.emit();
  }

  /** Stops sending a direct upload; `resume` goes on from the parts storage holds. */
  pause(id: number): void {
    const handle = this.handles.get(id);
    if (!handle?.pause || this.items.find((item) => item.id === id)?.status !== "uploading") return;
    handle.pause();
    this.rates.get(id)?.reset();
    this.update(id, { status: "paused", speed: 0 });
    this.startWaiting();
  }

  resume(id: number): void {
    const handle = this.handles.get(id);
    if (!handle?.resume || this.items.find((item) => item.id === id)?.status !== "paused") return;
    handle.resume();
    this.update(id, { status: "uploading" });
  }

  add(requests: Iterable<UploadRequest>): void {
    for (const request of requests) this.enqueue(request);
    this.startWaiting();
  }

  cancel(id: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (item?.status === "failed") {
      this.entries.get(id)?.failed?.discard?.();
      this.update(id, { status: "cancelled", message: `${item.name}: upload cancelled.` });
      return;
    }
    if (item && (item.status === "waiting" || item.status === "conflict")) {
      this.waiting = this.waiting.filter((waiting) => waiting !== id);
      this.update(id, { status: "cancelled", message: `${item.name}: upload cancelled.` });
      return;
    }
    this.handles.get(id)?.cancel();
  }

  /** Sends a failed upload again. */
  retry(id: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    const entry = this.entries.get(id);
    if (!item || item.status !== "failed" || !entry) return;
    const again = entry.failed?.again?.((progress) => this.progress(id, progress.loaded));
    entry.failed = undefined;
    if (again) {
      this.update(id, { status: "uploading", message: undefined });
      this.follow(id, again, item.size);
      return;
    }
    if (!entry.file) return;
    this.update(id, { status: "waiting", loaded: 0, message: undefined });
    this.waiting.push(id);
    this.startWaiting();
  }

  /** Settles a name conflict: replace the existing file, keep both, or give up this file. */
  resolve(id: number, choice: ConflictChoice): void {
    const entry = this.entries.get(id);
    if (!entry) return;
    if (choice === "cancel") {
      this.cancel(id);
      return;
    }
    entry.onConflict = choice;
    this.update(id, { status: "waiting", loaded: 0, message: undefined });
    this.waiting.push(id);
    this.startWaiting();
  }

  dismiss(id: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item || ACTIVE.includes(item.status)) return;
    this.entries.get(id)?.failed?.discard?.();
    this.entries.delete(id);
    this.items = this.items.filter((candidate) => candidate.id !== id);
    this.emit();
  }

  /** Drops every upload that needs nothing more: done, cancelled or refused. */
  clearFinished(): void {
    this.items = this.items.filter((item) => !FINISHED.includes(item.status));
    this.emit();
  }

  private enqueue({ file, parentId, shareId, onConflict = "fail" }: UploadRequest): void {
    const id = this.nextId++;
    const limit = this.maxBytes;
    const base = { id, name: file.name, size: file.size, loaded: 0, parentId };
    if (limit !== null && file.size > limit) {
      this.items = [
        ...this.items,
        {
          ...base,
          status: "rejected",
          message: `${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(limit)} upload limit.`,
        },
      ];
      this.emit();
      return;
    }
    this.entries.set(id, { file, parentId, shareId, onConflict });
    this.items = [...this.items, { ...base, status: "waiting" }];
    this.waiting.push(id);
    this.emit();
  }

  /** Paused uploads leave their turn to waiting ones; pooled ones start at once. */
  private startWaiting(): void {
    const pooled = (id: number) => {
      const entry = this.entries.get(id);
      return Boolean(entry?.file && this.upload.pooled?.(entry.file, entry));
    };
    let sending = this.items.filter((item) => item.status === "uploading" && !this.pooledIds.has(item.id)).length;
    for (const id of [...this.waiting]) {
      if (pooled(id)) this.pooledIds.add(id);
      else if (sending < PARALLEL_UPLOADS) sending++;
      else continue;
      this.waiting = this.waiting.filter((waiting) => waiting !== id);
      this.start(id);
    }
  }

  private start(id: number): void {
    const entry = this.entries.get(id)!;
    const file = entry.file!;
    this.update(id, { status: "uploading" });
    const handle = this.upload(file, ({ loaded }) => this.progress(id, loaded), {
      parentId: entry.parentId,
      onConflict: entry.onConflict,
      ...(entry.shareId ? { shareId: entry.shareId } : {}),
    });
    if (handle.pause) this.update(id, { resumable: true });
    this.follow(id, handle, file.size);
  }

  private progress(id: number, loaded: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
    if (!item || item.status !== "uploading") return;
    let rate = this.rates.get(id);
    if (!rate) this.rates.set(id, (rate = new TransferRate()));
    const sent = Math.min(loaded, item.size);
    this.update(id, { loaded: sent, speed: rate.sample(sent) });
  }

  private follow(id: number, handle: UploadHandle, size: number): void {
    const entry = this.entries.get(id)!;
    const name = this.items.find((item) => item.id === id)?.name ?? "";
    this.handles.set(id, handle);
    handle.promise
      .then(
        (stored) => {
          this.update(id, { status: "done", loaded: size, speed: undefined });
          this.onUploaded(stored, entry.parentId, entry.shareId);
        },
        (error: unknown) => {
          if (error instanceof UploadCancelled)
            this.update(id, { status: "cancelled", message: `${name}: upload cancelled.` });
          else if (error instanceof ApiError && error.code === "name_taken" && entry.file)
            this.update(id, { status: "conflict", loaded: 0, message: `${name} already exists in this folder.` });
          else {
            entry.failed = handle;
            this.update(id, { status: "failed", speed: undefined, message: `${name}: ${messageOf(error)}` });
          }
        },
      )
      .finally(() => {
        this.handles.delete(id);
        this.rates.delete(id);
        this.pooledIds.delete(id);
        this.startWaiting();
      });
  }

  private update(id: number, changes: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...changes } : item));
    this.emit();
  }

  private emit(): void {
    this.onChange(this.items);
  }
}

/** The whole queue's progress, for one bar: bytes sent of the bytes still meant to be sent. */
export function overallProgress(items: UploadItem[]): {
  loaded: number;
  total: number;
  active: number;
  speed: number;
} {
  const counted = items.filter((item) => ACTIVE.includes(item.status) || item.status === "done");
  return {
    loaded: counted.reduce((sum, item) => sum + item.loaded, 0),
    total: counted.reduce((sum, item) => sum + item.size, 0),
    active: items.filter((item) => ACTIVE.includes(item.status)).length,
    speed: items.reduce((sum, item) => sum + (item.status === "uploading" ? (item.speed ?? 0) : 0), 0),
  };
}
