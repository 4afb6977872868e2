import { messageOf } from "../api/errors";
import { UploadCancelled, uploadFile, type FileRead, type UploadHandle, type UploadProgress } from "../api/upload";
import { formatBytes } from "./format";

export type UploadStatus = "uploading" | "done" | "failed" | "cancelled" | "rejected";

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
  private nextId = 1;

  constructor(
    private readonly maxBytes: () => number | null,
    private readonly onChange: (items: UploadItem[]) => void,
    private readonly onUploaded: (file: FileRead) => void,
    private readonly upload: Uploader = uploadFile,
  ) {}

  add(files: Iterable<File>): void {
    for (const file of files) this.start(file);
  }

  cancel(id: number): void {
    this.handles.get(id)?.cancel();
  }

  dismiss(id: number): void {
    this.items = this.items.filter((item) => item.id !== id || item.status === "uploading");
    this.emit();
  }

  get snapshot(): UploadItem[] {
    return this.items;
  }

  private start(file: File): void {
    const id = this.nextId++;
    const limit = this.maxBytes();
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
    this.items = [...this.items, { id, name: file.name, size: file.size, loaded: 0, status: "uploading" }];
    this.emit();
    const handle = this.upload(file, ({ loaded }) => this.update(id, { loaded: Math.min(loaded, file.size) }));
    this.handles.set(id, handle);
    handle.promise.then(
      (stored) => {
        this.update(id, { status: "done", loaded: file.size });
        this.onUploaded(stored);
      },
      (error: unknown) => {
        if (error instanceof UploadCancelled) this.update(id, { status: "cancelled", message: `${file.name}: upload cancelled.` });
        else this.update(id, { status: "failed", message: `${file.name}: ${messageOf(error)}` });
      },
    ).finally(() => this.handles.delete(id));
  }

  private update(id: number, changes: Partial<UploadItem>): void {
    this.items = this.items.map((item) => (item.id === id ? { ...item, ...changes } : item));
    this.emit();
  }

  private emit(): void {
    this.onChange(this.items);
  }
}
