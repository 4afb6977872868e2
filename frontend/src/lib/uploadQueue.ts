import type { UploadedFile } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { UploadCancelled, uploadFile, type UploadHandle, type UploadProgress, type UploadTarget } from "../api/upload";
import { formatBytes } from "./format";

export type UploadStatus = "waiting" | "uploading" | "done" | "failed" | "cancelled" | "rejected" | "conflict";

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
}

/** One file to send and the folder it goes to. */
export interface UploadRequest {
  file: File;
  parentId: string | null;
}

export type ConflictChoice = "replace" | "rename" | "cancel";

type Uploader = (file: File, onProgress: (progress: UploadProgress) => void, target: UploadTarget) => UploadHandle;

interface Entry {
  file: File;
  parentId: string | null;
  onConflict: "fail" | "replace" | "rename";
}

const FINISHED: UploadStatus[] = ["done", "cancelled", "rejected"];

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
  private onUploaded: (file: UploadedFile, parentId: string | null) => void = () => {};

  constructor(
    private onChange: (items: UploadItem[]) => void,
    private readonly upload: Uploader = uploadFile,
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
  }: {
    maxBytes: number | null;
    onUploaded(file: UploadedFile, parentId: string | null): void;
  }): void {
    this.maxBytes = maxBytes;
    this.onUploaded = onUploaded;
  }

  add(requests: Iterable<UploadRequest>): void {
    for (const request of requests) this.enqueue(request);
    this.startWaiting();
  }

  cancel(id: number): void {
    const item = this.items.find((candidate) => candidate.id === id);
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
    if (!item || item.status !== "failed") return;
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
    this.items = this.items.filter(
      (item) => item.id !== id || item.status === "uploading" || item.status === "waiting",
    );
    this.emit();
  }

  /** Drops every upload that needs nothing more: done, cancelled or refused. */
  clearFinished(): void {
    this.items = this.items.filter((item) => !FINISHED.includes(item.status));
    this.emit();
  }

  private enqueue({ file, parentId }: UploadRequest): void {
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
    this.entries.set(id, { file, parentId, onConflict: "fail" });
    this.items = [...this.items, { ...base, status: "waiting" }];
    this.waiting.push(id);
    this.emit();
  }

  private startWaiting(): void {
    while (this.handles.size < PARALLEL_UPLOADS && this.waiting.length) {
      this.start(this.waiting.shift()!);
    }
  }

  private start(id: number): void {
    const entry = this.entries.get(id)!;
    const { file } = entry;
    this.update(id, { status: "uploading" });
    const handle = this.upload(file, ({ loaded }) => this.update(id, { loaded: Math.min(loaded, file.size) }), {
      parentId: entry.parentId,
      onConflict: entry.onConflict,
    });
    this.handles.set(id, handle);
    handle.promise
      .then(
        (stored) => {
          this.update(id, { status: "done", loaded: file.size });
          this.onUploaded(stored, entry.parentId);
        },
        (error: unknown) => {
          if (error instanceof UploadCancelled)
            this.update(id, { status: "cancelled", message: `${file.name}: upload cancelled.` });
          else if (error instanceof ApiError && error.code === "name_taken")
            this.update(id, { status: "conflict", loaded: 0, message: `${file.name} already exists in this folder.` });
          else this.update(id, { status: "failed", message: `${file.name}: ${messageOf(error)}` });
        },
      )
      .finally(() => {
        this.handles.delete(id);
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
export function overallProgress(items: UploadItem[]): { loaded: number; total: number; active: number } {
  const counted = items.filter(
    (item) => item.status === "uploading" || item.status === "waiting" || item.status === "done",
  );
  return {
    loaded: counted.reduce((sum, item) => sum + item.loaded, 0),
    total: counted.reduce((sum, item) => sum + item.size, 0),
    active: items.filter((item) => item.status === "uploading" || item.status === "waiting").length,
  };
}
