import { filesApi, unwrap } from "./client";
import type { Item } from "./drive";
import type { components } from "./generated/files";

type Schemas = components["schemas"];
export type UploadCreate = Schemas["UploadCreate"];
export type UploadCreated = Schemas["UploadCreated"];
export type PartToSign = Schemas["PartToSign"];
export type SignedPart = Schemas["SignedPartRead"];
export type UploadRead = Schemas["UploadRead"];
export type PartToComplete = Schemas["PartToComplete"];
export type StorageLimits = Schemas["LimitsRead"];
export type BatchCreate = Schemas["BatchCreate"];
export type BatchCreated = Schemas["BatchCreated"];
export type BatchFileOutcome = Schemas["BatchFileOutcomeRead"];

/**
 * `unwrap`, except that a call the caller aborted rejects with the abort itself: Uppy tells a
 * cancelled request from a failed one by it, and a failure would be retried.
 */
async function call<T>(
  request: Promise<{ data?: T; error?: unknown; response: Response }>,
  signal?: AbortSignal,
): Promise<T> {
  try {
    return await unwrap(request);
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    throw error;
  }
}

const upload = (id: string) => ({ params: { path: { upload_id: id } } });

/** The direct-upload routes of the files service. */
export const directUploadApi = {
  create: (body: UploadCreate) => call(filesApi.POST("/api/v1/uploads", { body })),
  signParts: (id: string, parts: PartToSign[], signal?: AbortSignal) =>
    call(filesApi.POST("/api/v1/uploads/{upload_id}/parts", { ...upload(id), body: { parts }, signal }), signal),
  read: (id: string, signal?: AbortSignal) =>
    call(filesApi.GET("/api/v1/uploads/{upload_id}", { ...upload(id), signal }), signal),
  complete: (id: string, parts: PartToComplete[], signal?: AbortSignal): Promise<Item> =>
    call(filesApi.POST("/api/v1/uploads/{upload_id}/complete", { ...upload(id), body: { parts }, signal }), signal),
  abort: (id: string) => call(filesApi.DELETE("/api/v1/uploads/{upload_id}", upload(id))),
  limits: (signal?: AbortSignal) => call(filesApi.GET("/api/v1/files/limits", { signal }), signal),
  createBatch: (body: BatchCreate) => call(filesApi.POST("/api/v1/uploads/batches", { body })),
  completeBatch: (id: string, sent: string[]) =>
    call(
      filesApi.POST("/api/v1/uploads/batches/{batch_id}/complete", {
        params: { path: { batch_id: id } },
        body: { sent },
      }),
    ),
};

/**
 * What one direct upload needs of the server (create, sign, list, complete, abort): the drive's
 * routes, or those of a folder shared with the user. Limits and batches stay the drive's alone.
 */
export type DirectUploadRoutes = Pick<typeof directUploadApi, "create" | "signParts" | "read" | "complete" | "abort">;

/**
 * An editor's direct uploads into a folder shared with them (`/api/v1/shared-with-me/{id}/uploads`):
 * the same bodies as the drive's, the file counted against the owner's quota.
 */
export function sharedDirectUploadApi(shareId: string): DirectUploadRoutes {
  const share = { share_id: shareId };
  const upload = (id: string) => ({ params: { path: { ...share, upload_id: id } } });
  return {
    create: (body) =>
      call(filesApi.POST("/api/v1/shared-with-me/{share_id}/uploads", { params: { path: share }, body })),
    signParts: (id, parts, signal) =>
      call(
        filesApi.POST("/api/v1/shared-with-me/{share_id}/uploads/{upload_id}/parts", {
          ...upload(id),
          body: { parts },
          signal,
        }),
        signal,
      ),
    read: (id, signal) =>
      call(filesApi.GET("/api/v1/shared-with-me/{share_id}/uploads/{upload_id}", { ...upload(id), signal }), signal),
    complete: (id, parts, signal) =>
      call(
        filesApi.POST("/api/v1/shared-with-me/{share_id}/uploads/{upload_id}/complete", {
          ...upload(id),
          body: { parts },
          signal,
        }),
        signal,
      ),
    abort: (id) => call(filesApi.DELETE("/api/v1/shared-with-me/{share_id}/uploads/{upload_id}", upload(id))),
  };
}

/** True when the server takes batches of small files (`POST /api/v1/uploads/batches`). */
export function takesBatches(limits: Partial<StorageLimits> | null): boolean {
  return typeof limits?.maxBatchFiles === "number" && typeof limits.maxBatchFileBytes === "number";
}

/** True when the server takes direct uploads: a server from before step 11 names no `maxFileBytes`. */
export function takesDirectUploads(limits: Partial<StorageLimits> | null): limits is StorageLimits {
  return typeof limits?.maxFileBytes === "number";
}
