import { messageOf } from "../api/errors";
import { UploadCancelled, uploadFile, type FileRead, type UploadHandle, type UploadProgress } from "../api/upload";
import { formatBytes } from "./format";

export type UploadStatus = "waiting" | "uploading" | "done" | "failed" | "cancelled" | "rejected";

/** Files sent at once; the rest wait their turn, so a big batch does not starve every upload. */
export const PARALLEL_UPLOADS = 3;

export interface UploadItem {
  id: number;
  name: string;
  size: number;
  loaded: number;
  status: UploadStatus;
  message?: string;
}

type Uploader = (file: File, onProgress: (progress: UploadProgress) => void) => UploadHandle;

/**
 * The uploads of one dashboard: refuses files over the limit before sending a byte, tracks
 * each file's progress, and lets each be cancelled. Framework-free so it is tested directly.
 */
export class UploadQueue {
  private items: UploadItem[] = [];
  private handles = new Map<number, UploadHandle>();
  private waiting: { id: number; file: File }[] = [];
  private nextId = 1;
  private maxBytes: number | null = null;
  private onUploaded: (file: FileRead) => void = () => {};

  constructor(
    private readonly onChange: (items: UploadItem[]) => void,
    private readonly upload: Uploader = uploadFile,
  ) {}

  /** The limit and the callback can change while uploads run: each file uses the latest ones. */
  configure({ maxBytes, onUploaded }: { maxBytes: number | null; onUploaded(file: FileRead): void }): void {
    this.maxBytes = maxBytes;
    this.onUploaded = onUploaded;
  }

  add(files: Iterable<File>): void {
    for (const file of files) this.enqueue(file);
    this.startWaiting();
  }

  cancel(id: number): void {
    if (this.waiting.some((entry) => entry.id === id)) {
      this.waiting = this.waiting.filter((entry) => entry.id !== id);
      this.update(id, { status: "cancelled", message: `${this.nameOf(id)}: upload cancelled.` });
      return;
    }
    this.handles.get(id)?.cancel();
  }

  dismiss(id: number): void {
    this.items = this.items.filter(
      (item) => item.id !== id || item.status === "uploading" || item.status === "waiting",
    );
    this.emit();
  }

  private enqueue(file: File): void {
    const id = this.nextId++;
    const limit = this.maxBytes;
    if (limit !== null && file.size > limit) {
      this.items = [
        ...this.items,
        {
          id,
          name: file.name,
          size: file.size,
          loaded: 0,
          status: "rejected",
          message: `${file.name} is ${formatBytes(file.size)}, over the ${formatBytes(limit)} upload limit.`,
        },
      ];
      this.emit();
      return;
    }
    this.items = [...this.items, { id, name: file.name, size: file.size, loaded: 0, status: "waiting" }];
    this.waiting.push({ id, file });
    this.emit();
  }

  private startWaiting(): void {
    while (this.handles.size < PARALLEL_UPLOADS && this.waiting.length) {
      const { id, file } = this.waiting.shift()!;
      this.start(id, file);
    }
  }

  private start(id: number, file: File): void {
    this.update(id, { status: "uploading" });
    const handle = this.upload(file, ({ loaded }) => this.update(id, { loaded: Math.min(loaded, file.size) }));
    this.handles.set(id, handle);
    handle.promise
      .then(
        (stored) => {
          this.update(id, { status: "done", loaded: file.size });
          this.onUploaded(stored);
        },
        (error: unknown) => {
          if (error instanceof UploadCancelled)
            this.update(id, { status: "cancelled", message: `${file.name}: upload cancelled.` });
          else this.update(id, { status: "failed", message: `${file.name}: ${messageOf(error)}` });
        },
      )
      .finally(() => {
        this.handles.delete(id);
        this.startWaiting();
      });
  }

  private nameOf(id: number): string {
    return this.items.find((item) => item.id === id)?.name ?? "";
  }

  private update(id: number, changes: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...changes } : item));
    this.emit();
  }

  private emit(): void {
    this.onChange(this.items);
  }
}
