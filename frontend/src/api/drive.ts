import { authFetch } from "./client";
import { toApiError } from "./errors";

/** One file or folder, as every drive route answers it. */
export interface Item {
  id: string;
  kind: "file" | "folder";
  name: string;
  parentId: string | null;
  size: number | null;
  type: string | null;
  createdAt: string;
  modifiedAt: string;
  trashedAt: string | null;
  path?: { id: string; name: string }[] | null;
}

export interface Page {
  items: Item[];
  nextCursor: string | null;
}

export interface BulkResult {
  items: Item[];
  failed: { id: string; code: string; message: string }[];
}

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

async function request<T>(method: string, path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    // Absolute, as in client.ts: Request objects need one outside browsers.
    response = await authFetch(`${globalThis.location?.origin ?? ""}${path}`, {
      method,
      headers: body === undefined ? undefined : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw toApiError(0, null);
  }
  const text = await response.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = null;
  }
  if (!response.ok) throw toApiError(response.status, parsed, response.headers.get("Retry-After"));
  return parsed as T;
}

function query(options: Record<string, string | number | null | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(options)) {
    if (value !== null && value !== undefined && value !== "") params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

const segment = encodeURIComponent;

export const drive = {
  folder: (folderId: string) => request<Item>("GET", `/api/folders/${segment(folderId)}`),
  children: (folderId: string, options: ListOptions = {}) =>
    request<Page>("GET", `/api/folders/${segment(folderId)}/children${query({ ...options })}`),
  search: (q: string, options: ListOptions = {}) => request<Page>("GET", `/api/search${query({ q, ...options })}`),
  trash: (options: { limit?: number; cursor?: string | null } = {}) =>
    request<Page>("GET", `/api/trash${query({ ...options })}`),

  createFolder: (name: string, parentId: string | null, onConflict: "fail" | "rename" | "merge" = "fail") =>
    request<Item>("POST", "/api/folders", { name, parentId, onConflict }),
  rename: (item: Pick<Item, "id" | "kind">, name: string) =>
    request<Item>("PATCH", `/api/${item.kind === "folder" ? "folders" : "files"}/${segment(item.id)}`, { name }),
  move: (ids: string[], parentId: string | null) =>
    request<BulkResult>("POST", "/api/items/move", { ids, parentId, onConflict: "fail" }),
  trashItems: (ids: string[]) => request<BulkResult>("POST", "/api/items/trash", { ids }),
  restore: (ids: string[], onConflict: "fail" | "rename" | "replace" = "rename") =>
    request<BulkResult>("POST", "/api/trash/restore", { ids, onConflict }),
  deleteForever: (ids: string[]) => request<BulkResult>("POST", "/api/trash/delete", { ids }),
  emptyTrash: () => request<null>("DELETE", "/api/trash"),

  archive: (ids: string[], name?: string) =>
    request<{ url: string; expiresAt: string }>("POST", "/api/files/archive", { ids, ...(name ? { name } : {}) }),
  link: (fileId: string, options: { inline?: boolean; asText?: boolean } = {}) =>
    request<{ url: string }>(
      "GET",
      `/api/files/${segment(fileId)}/download${query({
        disposition: options.inline ? "inline" : undefined,
        as: options.asText ? "text" : undefined,
      })}`,
    ),
};

/** The API's parentId for a folder id from a URL: the root is null. */
export function parentIdOf(folderId: string): string | null {
  return folderId === ROOT_ID ? null : folderId;
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
