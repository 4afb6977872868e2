import { filesApi, unwrap } from "./client";
import type { components, operations } from "./generated/files";

type Schemas = components["schemas"];

// BEGIN step 9 contract extension. The files service's step 9 contracts (2: `mediaType` on items,
// 3: the upload's `modifiedAt` query parameter, 4: `remaining` of bulk actions) are not in the
// generated client yet. Once `make openapi` has regenerated it, delete from BEGIN to END and write
//   export type Item = Schemas["ItemRead"];
//   export type BulkResult = Schemas["BulkResultRead"];
//   export type UploadQuery = NonNullable<operations["upload_file_api_files_upload_post"]["parameters"]["query"]>;
/** One file or folder, as every drive route answers it. */
export type Item = Schemas["ItemRead"] & { mediaType?: string | null };
export type BulkResult = Schemas["BulkResultRead"] & { remaining?: string[] };
export type UploadQuery = NonNullable<operations["upload_file_api_files_upload_post"]["parameters"]["query"]> & {
  modifiedAt?: string;
};
// END step 9 contract extension.

export type Page = Schemas["ItemPageRead"];
/** What an upload answers: the stored file as an item. */
export type UploadedFile = Schemas["UploadedFileRead"];

export type SortKey = "name" | "size" | "modified";
export type SortOrder = "asc" | "desc";
export interface ListOptions {
  sort?: SortKey;
  order?: SortOrder;
  limit?: number;
  cursor?: string | null;
  kind?: "all" | "folder";
}

/** The root folder's id in URLs and in the API. */
export const ROOT_ID = "root";

/** Only the options given, so the query string carries no empty values. */
function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== null && value !== undefined)) as T;
}

const folderPath = (folderId: string) => ({ path: { folder_id: folderId } });
const filePath = (fileId: string) => ({ path: { file_id: fileId } });

export const drive = {
  folder: (folderId: string) => unwrap(filesApi.GET("/api/folders/{folder_id}", { params: folderPath(folderId) })),
  children: (folderId: string, options: ListOptions = {}) =>
    unwrap(
      filesApi.GET("/api/folders/{folder_id}/children", {
        params: { ...folderPath(folderId), query: defined(options) },
      }),
    ),
  search: (q: string, options: ListOptions = {}) =>
    unwrap(filesApi.GET("/api/search", { params: { query: defined({ q, ...options, kind: undefined }) } })),
  trash: (options: { limit?: number; cursor?: string | null } = {}) =>
    unwrap(filesApi.GET("/api/trash", { params: { query: defined(options) } })),

  createFolder: (name: string, parentId: string | null, onConflict: "fail" | "rename" | "merge" = "fail") =>
    // 201 for a new folder, 200 for the one merged into: both are an Item.
    unwrap(filesApi.POST("/api/folders", { body: { name, parentId, onConflict } })) as Promise<Item>,
  rename: (item: Pick<Item, "id" | "kind">, name: string) =>
    item.kind === "folder"
      ? unwrap(filesApi.PATCH("/api/folders/{folder_id}", { params: folderPath(item.id), body: { name } }))
      : unwrap(filesApi.PATCH("/api/files/{file_id}", { params: filePath(item.id), body: { name } })),
  move: (ids: string[], parentId: string | null) =>
    unwrap(filesApi.POST("/api/items/move", { body: { ids, parentId, onConflict: "fail" } })),
  trashItems: (ids: string[]) => unwrap(filesApi.POST("/api/items/trash", { body: { ids } })),
  restore: (ids: string[], onConflict: "fail" | "rename" | "replace" = "rename") =>
    unwrap(filesApi.POST("/api/trash/restore", { body: { ids, onConflict } })),
  deleteForever: (ids: string[]) => unwrap(filesApi.POST("/api/trash/delete", { body: { ids } })),
  emptyTrash: () => unwrap(filesApi.DELETE("/api/trash")),

  archive: (ids: string[], name?: string) =>
    unwrap(filesApi.POST("/api/files/archive", { body: { ids, ...(name ? { name } : {}) } })),
  link: (fileId: string, options: { inline?: boolean; asText?: boolean } = {}) =>
    unwrap(
      filesApi.GET("/api/files/{file_id}/download", {
        params: {
          ...filePath(fileId),
          query: defined({
            disposition: options.inline ? ("inline" as const) : undefined,
            as: options.asText ? ("text" as const) : undefined,
          }),
        },
      }),
    ),
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
