import { defined, filesApi, unwrap } from "./client";
import type { components, operations } from "./generated/files";

type Schemas = components["schemas"];

/** One file or folder, as every drive route answers it. */
export type Item = Schemas["ItemRead"];
export type BulkResult = Schemas["BulkResultRead"];
export type UploadQuery = NonNullable<operations["upload_file_api_v1_files_upload_post"]["parameters"]["query"]>;

export type Page = Schemas["ItemPageRead"];
/** One content of a file: its current one or an earlier one the retention policy keeps. */
export type Version = Schemas["VersionRead"];
/** `small` (256 px) for the grid, `large` (1280 px) for the preview. */
export type Rendition = Schemas["Rendition"];
export type ThumbnailLink = Schemas["ThumbnailLinkRead"];
/** What an upload answers: the stored file as an item. */
export type UploadedFile = Item;

export type SortKey = "name" | "size" | "modified";
export type SortOrder = "asc" | "desc";
export interface ListOptions {
  sort?: SortKey;
  order?: SortOrder;
  limit?: number;
  cursor?: string | null;
  kind?: "all" | "folder";
}
type FailedItem = Schemas["FailedItemRead"];
/** A large copy running on the server, or how it ended. */
export type CopyJob = Schemas["CopyJobRead"];
/** What a copy request answers: the copies made within it, or the job copying a large selection. */
export type CopyAnswer = { result: BulkResult; job?: never } | { job: CopyJob; result?: never };

/** The root folder's id in URLs and in the API. */
export const ROOT_ID = "root";

const folderPath = (folderId: string) => ({ path: { folder_id: folderId } });
const filePath = (fileId: string) => ({ path: { file_id: fileId } });

/** Ids one bulk request may carry (contract 4 of step 9). */
export const BULK_MAX_IDS = 500;
/** Rounds in a row without progress before the ids left are reported as not done. */
const BULK_MAX_STALLS = 3;
export type BulkProgress = (done: number, total: number) => void;

/**
 * Runs a bulk action on any number of ids: at most BULK_MAX_IDS per request, and the ids the
 * server did not reach in its time (`remaining`) are sent again until none are left. Every id
 * ends up done or failed; progress is reported after each request.
 */
export async function runBulk(
  ids: string[],
  call: (ids: string[]) => Promise<BulkResult>,
  onProgress?: BulkProgress,
): Promise<{ items: Item[]; failed: FailedItem[] }> {
  const items: Item[] = [];
  const failed: FailedItem[] = [];
  let pending = [...ids];
  let stalls = 0;
  while (pending.length) {
    const chunk = pending.slice(0, BULK_MAX_IDS);
    const result = await call(chunk);
    items.push(...result.items);
    failed.push(...result.failed);
    let remaining = result.remaining;
    stalls = remaining.length >= chunk.length ? stalls + 1 : 0;
    if (stalls >= BULK_MAX_STALLS) {
      failed.push(...remaining.map((id) => ({ id, code: "not_done", message: "The server had no time for it." })));
      remaining = [];
      stalls = 0;
    }
    pending = [...remaining, ...pending.slice(chunk.length)];
    onProgress?.(ids.length - pending.length, ids.length);
  }
  return { items, failed };
}

/** The most ids "Select all in this folder" collects. */
export const MAX_SELECT_ALL = 10_000;

/** Every id of a listing, page after page (bounded by MAX_SELECT_ALL), for "Select all N". */
export async function collectIds(
  load: (request: { cursor: string | null; limit: number; signal?: AbortSignal }) => Promise<Page>,
  signal?: AbortSignal,
  onProgress?: (count: number) => void,
): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  do {
    const page: Page = await load({ cursor, limit: 200, signal });
    ids.push(...page.items.map((item) => item.id));
    cursor = page.nextCursor;
    onProgress?.(ids.length);
  } while (cursor && ids.length < MAX_SELECT_ALL && !signal?.aborted);
  return ids.slice(0, MAX_SELECT_ALL);
}

export const drive = {
  folder: (folderId: string, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/folders/{folder_id}", { params: folderPath(folderId), signal })),
  children: (folderId: string, options: ListOptions = {}, signal?: AbortSignal) =>
    unwrap(
      filesApi.GET("/api/v1/folders/{folder_id}/children", {
        params: { ...folderPath(folderId), query: defined(options) },
        signal,
      }),
    ),
  search: (q: string, options: ListOptions = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/search", { params: { query: defined({ q, ...options, kind: undefined }) }, signal })),
  /** One file as it is now (404 `file_not_found` once it is trashed or gone). */
  file: (fileId: string, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/{file_id}", { params: filePath(fileId), signal })),
  trash: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/trash", { params: { query: defined(options) }, signal })),

  createFolder: (name: string, parentId: string | null, onConflict: "fail" | "rename" | "merge" = "fail") =>
    // 201 for a new folder, 200 for the one merged into: both are an Item.
    unwrap(filesApi.POST("/api/v1/folders", { body: { name, parentId, onConflict } })) as Promise<Item>,
  rename: (item: Pick<Item, "id" | "kind">, name: string) =>
    item.kind === "folder"
      ? unwrap(filesApi.PATCH("/api/v1/folders/{folder_id}", { params: folderPath(item.id), body: { name } }))
      : unwrap(filesApi.PATCH("/api/v1/files/{file_id}", { params: filePath(item.id), body: { name } })),
  move: (ids: string[], parentId: string | null, onProgress?: BulkProgress) =>
    runBulk(
      ids,
      (chunk) => unwrap(filesApi.POST("/api/v1/items/move", { body: { ids: chunk, parentId, onConflict: "fail" } })),
      onProgress,
    ),
  /** One request (at most BULK_MAX_IDS ids): answered with the copies, or 202 with a copy job to follow. */
  copy: async (ids: string[], parentId: string | null, onConflict: "fail" | "rename"): Promise<CopyAnswer> => {
    const request = filesApi.POST("/api/v1/items/copy", { body: { ids, parentId, onConflict } });
    const body = await unwrap(request);
    return (await request).response.status === 202 ? { job: body as CopyJob } : { result: body as BulkResult };
  },
  copyJob: (jobId: string, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/items/copy-jobs/{job_id}", { params: { path: { job_id: jobId } }, signal })),
  /** Asks the job to stop after the files in progress; what was copied stays. */
  cancelCopyJob: (jobId: string) =>
    unwrap(filesApi.DELETE("/api/v1/items/copy-jobs/{job_id}", { params: { path: { job_id: jobId } } })),
  trashItems: (ids: string[], onProgress?: BulkProgress) =>
    runBulk(ids, (chunk) => unwrap(filesApi.POST("/api/v1/items/trash", { body: { ids: chunk } })), onProgress),
  restore: (ids: string[], onConflict: "fail" | "rename" | "replace" = "rename", onProgress?: BulkProgress) =>
    runBulk(
      ids,
      (chunk) => unwrap(filesApi.POST("/api/v1/trash/restore", { body: { ids: chunk, onConflict } })),
      onProgress,
    ),
  deleteForever: (ids: string[], onProgress?: BulkProgress) =>
    runBulk(ids, (chunk) => unwrap(filesApi.POST("/api/v1/trash/delete", { body: { ids: chunk } })), onProgress),
  emptyTrash: () => unwrap(filesApi.DELETE("/api/v1/trash")),
  /** What the user starred, newest star first, each with its folder path. */
  starred: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/starred", { params: { query: defined(options) }, signal })),
  /** Stars or unstars an item; both idempotent. */
  setStarred: (itemId: string, starred: boolean) =>
    starred
      ? unwrap(filesApi.PUT("/api/v1/files/starred/{item_id}", { params: { path: { item_id: itemId } } }))
      : unwrap(filesApi.DELETE("/api/v1/files/starred/{item_id}", { params: { path: { item_id: itemId } } })),

  archive: (ids: string[], name?: string) =>
    unwrap(filesApi.POST("/api/v1/files/archive", { body: { ids, ...(name ? { name } : {}) } })),
  link: (fileId: string, options: { inline?: boolean; asText?: boolean } = {}) =>
    unwrap(
      filesApi.GET("/api/v1/files/{file_id}/download", {
        params: {
          ...filePath(fileId),
          query: defined({
            disposition: options.inline ? ("inline" as const) : undefined,
            as: options.asText ? ("text" as const) : undefined,
          }),
        },
      }),
    ),
  /** The file's versions, the current one first. */
  versions: (fileId: string, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/{file_id}/versions", { params: filePath(fileId), signal })),
  versionLink: (fileId: string, versionId: string, options: { inline?: boolean } = {}) =>
    unwrap(
      filesApi.GET("/api/v1/files/{file_id}/versions/{version_id}/download", {
        params: {
          path: { file_id: fileId, version_id: versionId },
          query: defined({ disposition: options.inline ? ("inline" as const) : undefined }),
        },
      }),
    ),
  /** Makes a copy of the version the file's new version; answers the file as it now is. */
  restoreVersion: (fileId: string, versionId: string) =>
    unwrap(
      filesApi.POST("/api/v1/files/{file_id}/versions/{version_id}/restore", {
        params: { path: { file_id: fileId, version_id: versionId } },
      }),
    ),
  /** A short-lived link to the file's WebP thumbnail; 404 `thumbnail_not_found` while it has none. */
  thumbnail: (fileId: string, size: Rendition) =>
    unwrap(filesApi.GET("/api/v1/files/{file_id}/thumbnail", { params: { ...filePath(fileId), query: { size } } })),
};

/** The API's parentId for a folder id from a URL: the root is null. */
export function parentIdOf(folderId: string): string | null {
  return folderId === ROOT_ID ? null : folderId;
}

/** True when two parent ids name the same folder: the root is null or "root", older or newer servers. */
export function sameFolder(a: string | null | undefined, b: string | null | undefined): boolean {
  return (a ?? ROOT_ID) === (b ?? ROOT_ID);
}

/** "Projects / 2024" for an item's path (its ancestors), "My files" at the root. */
export function describePath(path: Item["path"]): string {
  return path && path.length ? ["My files", ...path.map((part) => part.name)].join(" / ") : "My files";
}

/** Starts a download by navigation, so the browser streams it to disk and the page stays put. */
export function navigateTo(url: string): void {
  const anchor = document.createElement("a");
  anchor.href = url;
  anchor.rel = "noopener";
  document.body.appendChild(anchor);
  anchor.click();
  anchor.remove();
}
