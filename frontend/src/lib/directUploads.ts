import {
  directUploadApi,
  sharedDirectUploadApi,
  takesBatches,
  type DirectUploadRoutes,
  type StorageLimits,
  type UploadCreated,
} from "../api/directUpload";
import {
  sharedUploadEndpoint,
  uploadFile,
  UploadCancelled,
  type UploadHandle,
  type UploadProgress,
  type UploadTarget,
} from "../api/upload";
import { BATCH_FILE_MAX_BYTES, type BatchUploads } from "./batchUploads";
import type { Uploader } from "./uploadQueue";
import type { RestoredTransfer, UppyTransfer } from "./uppyTransfer";

/**
 * Without batches (a server from before them), files up to this size go in one request through the
 * files service (`POST /api/v1/files/upload`); bigger ones straight to S3 in parts. A direct upload costs three requests more than one
 * (create, sign, complete) and hashing, about 0.1 s on a distant server; the service's path sends
 * at about 0.65x of S3's speed (docs/performance.md), which costs more than that from a few MiB
 * up at common upload speeds. 8 MiB also makes every direct upload at least two parts of S3's
 * 5 MiB minimum, so parts travel side by side.
 */
export const SINGLE_REQUEST_MAX_BYTES = 8 * 1024 * 1024;
/** The part size asked for (the server may choose another): small enough that a dropped part costs little. */
export const WANTED_PART_BYTES = 8 * 1024 * 1024;

/** Where Golden Retriever keeps a user's uploads across reloads (Uppy's id for that user). */
const keptStateKey = (userId: string) => `uppyState:scloud-uploads-${userId}`;

/** True when a reload left uploads to resume: checked without loading Uppy. */
export function keptUploadsExist(userId: string): boolean {
  try {
    const kept = JSON.parse(localStorage.getItem(keptStateKey(userId)) ?? "null");
    return Object.keys(kept?.metadata?.files ?? {}).length > 0;
  } catch {
    return false;
  }
}

type TransferFactory = (userId: string) => Promise<UppyTransfer>;

/** Uppy is loaded on the first direct upload (or a resume), never with the first page. */
const loadTransfer: TransferFactory = async (userId) => {
  const { UppyTransfer } = await import("./uppyTransfer");
  return new UppyTransfer({ userId });
};

/**
 * The direct uploads of the signed-in user: creates each upload (refusals come back here before a
 * byte is sent: name taken, quota, size) and hands it to Uppy.
 */
export class DirectUploads {
  private transfer: Promise<UppyTransfer> | null = null;

  constructor(
    private readonly userId: string,
    private readonly load: TransferFactory = loadTransfer,
    private readonly api: DirectUploadRoutes = directUploadApi,
  ) {}

  send(file: File, onProgress: (progress: UploadProgress) => void, target: UploadTarget): UploadHandle {
    let cancelled = false;
    let paused = false;
    let running: UploadHandle | null = null;
    const promise = this.api
      .create({
        name: file.name,
        size: file.size,
        type: file.type || null,
        parentId: target.parentId ?? "root",
        onConflict: target.onConflict ?? "fail",
        ...(file.lastModified ? { modifiedAt: new Date(file.lastModified).toISOString() } : {}),
        partSize: WANTED_PART_BYTES,
      })
      .then(async (created: UploadCreated) => {
        const transfer = await this.transferNow();
        if (cancelled) {
          void this.api.abort(created.id).catch(() => {});
          throw new UploadCancelled();
        }
        running = transfer.send(file, created, target.parentId ?? null, onProgress);
        if (paused) running.pause?.();
        return running.promise;
      });
    return {
      promise,
      cancel: () => {
        cancelled = true;
        running?.cancel();
      },
      pause: () => {
        paused = true;
        running?.pause?.();
      },
      resume: () => {
        paused = false;
        running?.resume?.();
      },
      discard: () => running?.discard?.(),
      again: (listener) => running?.again?.(listener) ?? null,
    };
  }

  /** Resumes what a reload or a crashed tab left; `onRestored` gets each upload found. */
  async resumeKept(onRestored: (transfers: RestoredTransfer[]) => void): Promise<void> {
    if (!keptUploadsExist(this.userId)) return;
    await (await this.transferNow()).restore(onRestored);
  }

  destroy(): void {
    void this.transfer?.then((transfer) => transfer.destroy()).catch(() => {});
    this.transfer = null;
  }

  private transferNow(): Promise<UppyTransfer> {
    this.transfer ??= this.load(this.userId);
    this.transfer.catch(() => (this.transfer = null));
    return this.transfer;
  }
}

/**
 * The way each file goes: in batches up to BATCH_FILE_MAX_BYTES (and the server's bound for them;
 * empty files, which a batch does not take, in one request), in one request up to
 * SINGLE_REQUEST_MAX_BYTES when the server takes no batches, in parts beyond; a server from before
 * direct uploads takes every file in one.
 */
export function chooseUploader(
  limits: StorageLimits | null,
  direct: DirectUploads | null,
  inOneRequest: Uploader = uploadFile,
  batches: BatchUploads | null = null,
): Uploader {
  const inBatches = batches && takesBatches(limits) ? Math.min(BATCH_FILE_MAX_BYTES, limits!.maxBatchFileBytes) : 0;
  if (batches && limits && inBatches) batches.maxFiles = limits.maxBatchFiles;
  const pooled = (file: File) => file.size > 0 && file.size <= inBatches;
  const uploader: Uploader = (file, onProgress, target) => {
    if (batches && pooled(file)) return batches.send(file, onProgress, target);
    const single = Math.min(SINGLE_REQUEST_MAX_BYTES, limits?.maxUploadBytes ?? SINGLE_REQUEST_MAX_BYTES);
    if (!limits || !direct || file.size <= single) return inOneRequest(file, onProgress, target);
    return direct.send(file, onProgress, target);
  };
  uploader.pooled = pooled;
  return uploader;
}

/**
 * An editor's direct uploads into one folder shared with them: the share's routes, through an Uppy
 * of their own. Never kept for a reload: resuming them would need, at sign-in, a transfer for every
 * share the user had uploads running in (before any share page is open), and the user may have
 * lost the share meanwhile. A reload loses what was sent of them; the server's sweeper drops the
 * parts left behind.
 */
export function sharedDirectUploads(userId: string, shareId: string): DirectUploads {
  const routes = sharedDirectUploadApi(shareId);
  const load: TransferFactory = async () => {
    const { UppyTransfer } = await import("./uppyTransfer");
    return new UppyTransfer({ userId, api: routes, scope: `share-${shareId}`, restore: false });
  };
  return new DirectUploads(userId, load, routes);
}

/** The direct uploads of each share the user uploads into, built on its first upload. */
export class SharedFolderUploads {
  private readonly byShare = new Map<string, DirectUploads>();

  constructor(
    private readonly userId: string,
    private readonly build: (userId: string, shareId: string) => DirectUploads = sharedDirectUploads,
  ) {}

  of(shareId: string): DirectUploads {
    let uploads = this.byShare.get(shareId);
    if (!uploads) this.byShare.set(shareId, (uploads = this.build(this.userId, shareId)));
    return uploads;
  }

  destroy(): void {
    this.byShare.forEach((uploads) => uploads.destroy());
    this.byShare.clear();
  }
}

/**
 * Sends each file to the user's drive as `drive` does, or, when its target names a share, into that
 * share as chooseUploader chooses (in one request up to the same size, in parts beyond; never in
 * batches, which a share has no route for).
 */
export function withSharedFolders(
  drive: Uploader,
  limits: StorageLimits | null,
  shares: SharedFolderUploads | null,
): Uploader {
  const inShare = (shareId: string) =>
    chooseUploader(limits, shares?.of(shareId) ?? null, (file, onProgress, target) =>
      uploadFile(file, onProgress, target, undefined, sharedUploadEndpoint(shareId)),
    );
  const uploader: Uploader = (file, onProgress, target) =>
    target.shareId ? inShare(target.shareId)(file, onProgress, target) : drive(file, onProgress, target);
  uploader.pooled = (file, target) => !target.shareId && Boolean(drive.pooled?.(file, target));
  return uploader;
}
