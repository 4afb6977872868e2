import AwsS3, { type AwsS3Part, type uploadPartBytes } from "@uppy/aws-s3";
import Uppy, { type UppyFile } from "@uppy/core";
import GoldenRetriever from "@uppy/golden-retriever";
import { directUploadApi, type DirectUploadRoutes, type UploadCreated } from "../api/directUpload";
import type { Item } from "../api/drive";
import { ApiError } from "../api/errors";
import { UploadCancelled, type UploadHandle, type UploadProgress } from "../api/upload";
import { PartSigner } from "./partSigner";

/** What a file carries through Uppy (and through a reload, in Golden Retriever's copy). */
type Meta = {
  uploadId: string;
  partSize: number;
  partCount: number;
  maxPartsPerRequest: number;
  parentId: string | null;
  /** Uppy's file id is built from it: two uploads of the same file never share one. */
  relativePath: string;
};
type Body = Record<string, never>;
type TransferFile = UppyFile<Meta, Body>;

/** Parts in flight at once, all files together (the browser's connections per origin). */
export const PARTS_IN_FLIGHT = 6;
/**
 * Waits before sending a part again: a dropped network gets about two minutes to come back
 * (a browser that knows it is offline waits for `online` instead, without spending these).
 */
export const PART_RETRY_DELAYS_MS = [0, 1000, 2000, 4000, 8000, 15_000, 30_000, 30_000, 30_000];
/** Blobs kept in IndexedDB so an upload resumes after a reload without asking for the file again. */
const KEPT_BLOB_BYTES = { maxFileSize: 1024 ** 3, maxTotalSize: 2 * 1024 ** 3 };
/** Golden Retriever's copy lasts as long as the server keeps an upload, about. */
const RESTORE_FOR_MS = 24 * 60 * 60 * 1000;
/** Reading the kept uploads back from IndexedDB takes this long at most. */
const RESTORE_WAIT_MS = 15_000;

/**
 * The uploads (server ids) the user paused, kept beside Golden Retriever's copy so a reload
 * leaves them paused. Written at once: Golden Retriever saves its own copy (`isPaused` with it)
 * at most every 500 ms, so a reload right after a pause would find it running.
 */
class PausedUploads {
  private readonly key: string;

  constructor(owner: string) {
    this.key = `scloud-paused-uploads-${owner}`;
  }

  has(uploadId: string): boolean {
    return this.read().includes(uploadId);
  }

  set(uploadId: string, paused: boolean): void {
    const others = this.read().filter((id) => id !== uploadId);
    this.write(paused ? [...others, uploadId] : others);
  }

  /** Forgets every upload but `kept` (those a reload found): the others are done or gone. */
  keepOnly(kept: string[]): void {
    this.write(this.read().filter((id) => kept.includes(id)));
  }

  private read(): string[] {
    try {
      const ids: unknown = JSON.parse(localStorage.getItem(this.key) ?? "[]");
      return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
    } catch {
      return [];
    }
  }

  private write(ids: string[]): void {
    try {
      if (ids.length) localStorage.setItem(this.key, JSON.stringify(ids));
      else localStorage.removeItem(this.key);
    } catch {
      // Storage full or blocked: the pause holds until a reload, as without this record.
    }
  }
}

/** One direct upload as the queue drives it. */
export interface TransferHandle extends UploadHandle {
  pause(): void;
  resume(): void;
  /** Gives a failed upload up for good: the server forgets it and its parts. */
  discard(): void;
  /** Sends the progress to `listener` from now on. */
  follow(listener: (progress: UploadProgress) => void): void;
}

/** An upload found after a reload or a crashed tab: already resuming, or paused as the user left it. */
export interface RestoredTransfer {
  name: string;
  size: number;
  parentId: string | null;
  loaded: number;
  handle: TransferHandle | null;
  /** The user had paused it: it sends nothing until `handle.resume()`. */
  paused?: boolean;
  /** Why it cannot resume (the browser did not keep the file), when it cannot. */
  lost?: string;
}

interface Waiter {
  resolve(item: Item): void;
  reject(error: unknown): void;
  onProgress(progress: UploadProgress): void;
}

export interface TransferOptions {
  userId: string;
  api?: DirectUploadRoutes;
  /**
   * Keeps these uploads apart from the user's drive uploads (Uppy's id, Golden Retriever's copy,
   * the paused list): a share's uploads name the share here.
   */
  scope?: string;
  /** Sends one part's bytes; tests pass a fake of S3. Default: Uppy's XMLHttpRequest PUT. */
  uploadPartBytes?: uploadPartBytes;
  /** Keep uploads across reloads (Golden Retriever). */
  restore?: boolean;
}

/**
 * Sending again would be refused again: a 4xx other than a timeout or a throttle, or a full quota
 * (507, which the server answers at completion after deleting the bytes).
 */
const isRefusal = (error: unknown) =>
  error instanceof ApiError &&
  ((error.status >= 400 && error.status < 500 && ![408, 429].includes(error.status)) || error.status === 507);

/**
 * The direct uploads of one signed-in user, through Uppy: its S3 plugin in multipart mode on our
 * own endpoints (sign, list, complete, abort; the upload is created before Uppy sees the file,
 * because Uppy cuts the parts before it asks to create one, and the server chooses their size),
 * and Golden Retriever to resume after a reload or a crashed tab.
 */
export class UppyTransfer {
  private readonly uppy: Uppy<Meta, Body>;
  private readonly api: DirectUploadRoutes;
  private readonly signers = new Map<string, PartSigner>();
  private readonly waiters = new Map<string, Waiter>();
  private readonly results = new Map<string, Item>();
  private readonly paused: PausedUploads;
  /** Restored paused files Uppy has not started in this page: a resume starts them. */
  private readonly idle = new Set<string>();
  /** Settles once Golden Retriever has read the kept uploads back (listened to before it starts). */
  private readonly restored: Promise<void>;
  private destroyed = false;

  constructor({ userId, api = directUploadApi, scope, uploadPartBytes, restore = true }: TransferOptions) {
    const owner = scope ? `${userId}-${scope}` : userId;
    this.api = api;
    this.paused = new PausedUploads(owner);
    this.uppy = new Uppy<Meta, Body>({ id: `scloud-uploads-${owner}`, autoProceed: false });
    this.uppy.use(AwsS3<Meta, Body>, {
      shouldUseMultipart: true,
      limit: PARTS_IN_FLIGHT,
      retryDelays: PART_RETRY_DELAYS_MS,
      getChunkSize: (data) => this.partSizeOf(data),
      createMultipartUpload: (file) => ({ uploadId: file.meta.uploadId, key: file.meta.uploadId }),
      listParts: (file, { signal }) => this.listParts(file, signal),
      signPart: (file, { partNumber }) => this.signerOf(file).sign(partNumber),
      completeMultipartUpload: (file, { parts, signal }) => this.complete(file, parts, signal),
      // Uppy aborts after every failure too, which would throw away the parts a retry resumes from:
      // the upload is given up here only on a cancel or a discard (discardFile).
      abortMultipartUpload: () => {},
      ...(uploadPartBytes ? { uploadPartBytes } : {}),
    });
    this.restored = new Promise((resolve) => this.uppy.once("restored", () => resolve()));
    // Golden Retriever's typed options leave out the IndexedDB store's size bounds it passes on.
    if (restore) this.uppy.use(GoldenRetriever, { expires: RESTORE_FOR_MS, indexedDB: KEPT_BLOB_BYTES as object });
    this.uppy.on("upload-progress", (file, progress) => {
      if (file) this.waiters.get(file.id)?.onProgress({ loaded: progress.bytesUploaded, total: file.size ?? 0 });
    });
    this.uppy.on("upload-success", (file) => file && this.settle(file.id));
    this.uppy.on("upload-error", (file, error) => file && this.fail(file.id, error));
  }

  /** Sends `file` to the upload the server created for it. */
  send(file: File, created: UploadCreated, parentId: string | null, onProgress: (p: UploadProgress) => void) {
    const id = this.uppy.addFile({
      name: file.name,
      type: file.type || undefined,
      data: file,
      meta: {
        uploadId: created.id,
        partSize: created.partSize,
        partCount: created.partCount,
        maxPartsPerRequest: created.maxPartsPerRequest,
        parentId,
        relativePath: created.id,
      },
    });
    const handle = this.watch(id, onProgress);
    void this.start(id);
    return handle;
  }

  /**
   * Picks up the uploads Golden Retriever kept (once it has read them back): those whose file the
   * browser kept resume where S3 stopped; the others are given up, and say so.
   */
  async restore(onRestored: (transfers: RestoredTransfer[]) => void): Promise<void> {
    const restored = this.restored.then(() => true);
    const bound = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), RESTORE_WAIT_MS));
    if (!(await Promise.race([restored, bound])) || this.destroyed) return;
    this.uppy.setState({ currentUploads: {} });
    const files = this.uppy.getFiles().filter((file) => !file.progress.uploadComplete && file.meta.uploadId);
    this.paused.keepOnly(files.map((file) => file.meta.uploadId));
    onRestored(files.map((file) => this.restoreOne(file)));
  }

  /**
   * Stops sending (the server keeps each upload until it expires). Golden Retriever goes first:
   * Uppy's destroy removes every file, which it would otherwise take as the user giving them up,
   * and drop the kept uploads a later sign-in or a second mount resumes.
   */
  destroy(): void {
    this.destroyed = true;
    const keeper = this.uppy.getPlugin("GoldenRetriever");
    if (keeper) this.uppy.removePlugin(keeper);
    this.uppy.destroy();
  }

  private restoreOne(file: TransferFile): RestoredTransfer {
    const base = { name: file.name ?? "", size: file.size ?? 0, parentId: file.meta.parentId };
    if (file.isGhost || !file.data) {
      this.discardFile(file.id);
      return {
        ...base,
        loaded: 0,
        handle: null,
        lost: `${base.name}: the browser did not keep the file through the reload. Upload it again.`,
      };
    }
    this.rememberUpload(file);
    const handle = this.watch(file.id, () => {});
    const loaded = file.progress.bytesUploaded || 0;
    if (this.paused.has(file.meta.uploadId)) {
      this.idle.add(file.id);
      this.uppy.setFileState(file.id, { isPaused: true });
      return { ...base, loaded, handle, paused: true };
    }
    void this.start(file.id);
    return { ...base, loaded, handle };
  }

  private watch(id: string, onProgress: (p: UploadProgress) => void): TransferHandle {
    let waiter!: Waiter;
    const promise = new Promise<Item>((resolve, reject) => {
      waiter = { resolve, reject, onProgress };
    });
    this.waiters.set(id, waiter);
    return {
      promise,
      cancel: () => this.cancel(id),
      pause: () => this.setPaused(id, true),
      resume: () => this.setPaused(id, false),
      discard: () => this.discardFile(id),
      again: (listener) => {
        if (!this.uppy.getFile(id)) return null;
        const next = this.watch(id, listener);
        void this.start(id);
        return next;
      },
      follow: (listener) => {
        waiter.onProgress = listener;
      },
    };
  }

  /** Runs one file: Uppy's retryUpload is its one call that starts a given file and no other. */
  private async start(id: string): Promise<void> {
    try {
      await this.uppy.retryUpload(id);
    } catch (error) {
      this.fail(id, error);
    }
  }

  private setPaused(id: string, paused: boolean): void {
    const file = this.uppy.getFile(id);
    if (!file) return;
    this.paused.set(file.meta.uploadId, paused);
    if (!paused && this.idle.delete(id)) {
      // Nothing of it runs in this page yet for Uppy to resume: it starts, from the parts S3 holds.
      void this.start(id);
      return;
    }
    if (Boolean(file.isPaused) !== paused) this.uppy.pauseResume(id);
  }

  private cancel(id: string): void {
    const waiter = this.waiters.get(id);
    this.discardFile(id);
    waiter?.reject(new UploadCancelled());
  }

  /** Stops sending and tells the server to drop the upload and its parts (best effort: its sweeper also would). */
  private discardFile(id: string): void {
    const file = this.uppy.getFile(id);
    this.waiters.delete(id);
    this.signers.delete(id);
    this.idle.delete(id);
    if (!file) return;
    this.paused.set(file.meta.uploadId, false);
    this.uppy.removeFile(id);
    void this.api.abort(file.meta.uploadId).catch(() => {});
  }

  private settle(id: string): void {
    const item = this.results.get(id);
    const waiter = this.waiters.get(id);
    const file = this.uppy.getFile(id);
    this.results.delete(id);
    this.waiters.delete(id);
    this.signers.delete(id);
    if (file) this.paused.set(file.meta.uploadId, false);
    this.uppy.removeFile(id);
    if (item) waiter?.resolve(item);
  }

  /**
   * A refusal (a mismatch, the quota, the name taken at completion) ends the upload: the server
   * dropped it. Anything else (the network, a busy server) keeps it: a retry resumes it.
   */
  private fail(id: string, error: unknown): void {
    const waiter = this.waiters.get(id);
    if (!waiter) return;
    const file = this.uppy.getFile(id);
    if (isRefusal(error) || !file) {
      this.waiters.delete(id);
      if (file) this.discardFile(id);
    } else {
      // Uppy forgets the upload's id on a failure; the next start resumes it from the listed parts.
      this.rememberUpload(file);
    }
    waiter.reject(error instanceof Error ? error : new ApiError(0, "network", String(error)));
  }

  /** Uppy resumes a file that names its upload: it lists the parts S3 holds and sends only the others. */
  private rememberUpload(file: TransferFile): void {
    const state = { s3Multipart: { uploadId: file.meta.uploadId, key: file.meta.uploadId } };
    // aws-s3 keeps this field on the file without declaring it on Uppy's file type.
    this.uppy.setFileState(file.id, state as Partial<TransferFile>);
  }

  private partSizeOf(data: { size: number }): number {
    const file = this.uppy.getFiles().find((each) => each.data === data);
    return file?.meta.partSize ?? data.size;
  }

  private signerOf(file: TransferFile): PartSigner {
    let signer = this.signers.get(file.id);
    if (!signer) {
      const { uploadId, partSize, partCount, maxPartsPerRequest } = file.meta;
      const blob = this.uppy.getFile(file.id)?.data ?? file.data;
      if (!blob || !("slice" in blob)) throw new Error(`${file.name}: the file is no longer readable.`);
      signer = new PartSigner({ uploadId, blob, partSize, partCount, maxPartsPerRequest }, this.api);
      this.signers.set(file.id, signer);
    }
    return signer;
  }

  private async listParts(file: TransferFile, signal?: AbortSignal): Promise<AwsS3Part[]> {
    const upload = await this.api.read(file.meta.uploadId, signal);
    this.signerOf(file).markStored(upload.parts.map((part) => part.number));
    return upload.parts.map((part) => ({ PartNumber: part.number, Size: part.size, ETag: part.etag }));
  }

  private async complete(file: TransferFile, parts: AwsS3Part[], signal: AbortSignal) {
    const completion = await this.signerOf(file).completion(parts);
    const item = await this.api.complete(file.meta.uploadId, completion, signal);
    this.results.set(file.id, item);
    return {};
  }
}
