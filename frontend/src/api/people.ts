import { defined, filesApi, unwrap } from "./client";
import type { Item, ListOptions } from "./drive";
import type { components } from "./generated/files";

type Schemas = components["schemas"];

export type Person = Schemas["PersonRead"];
export type Role = Person["role"];
export type SharedWithMe = Schemas["SharedWithMeRead"];
export type SharedFolder = Schemas["SharedFolderRead"];

/** The shared item itself in the routes under a share. */
export const SHARE_ROOT = "root";

/** The owner's side: the people one item is shared with, each by its `id` (a hash of the address). */
export function itemPeople(itemId: string) {
  const item = { item_id: itemId };
  const person = (personId: string) => ({ params: { path: { ...item, person_id: personId } } });
  return {
    list: (signal?: AbortSignal) =>
      unwrap(filesApi.GET("/api/v1/items/{item_id}/people", { params: { path: item }, signal })),
    add: (email: string, role: Role) =>
      unwrap(filesApi.POST("/api/v1/items/{item_id}/people", { params: { path: item }, body: { email, role } })),
    changeRole: (personId: string, role: Role) =>
      unwrap(filesApi.PATCH("/api/v1/items/{item_id}/people/{person_id}", { ...person(personId), body: { role } })),
    remove: (personId: string) =>
      unwrap(filesApi.DELETE("/api/v1/items/{item_id}/people/{person_id}", person(personId))),
  };
}

/** The grantee's side: what others shared with the user. */
export const sharedWithMe = {
  list: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/shared-with-me", { params: { query: defined(options) }, signal })),
  leave: (shareId: string) =>
    unwrap(filesApi.DELETE("/api/v1/shared-with-me/{share_id}", { params: { path: { share_id: shareId } } })),
  setInDrive: (shareId: string, inDrive: boolean) =>
    unwrap(
      filesApi.PUT("/api/v1/shared-with-me/{share_id}/in-drive", {
        params: { path: { share_id: shareId } },
        body: { inDrive },
      }),
    ),
};

/** The routes inside one share (`shareId`: the shared item's id; `root`: the shared item itself). */
export function insideShare(shareId: string) {
  const share = { share_id: shareId };
  const item = (itemId: string) => ({ params: { path: { ...share, item_id: itemId } } });
  return {
    item: (itemId: string, signal?: AbortSignal) =>
      unwrap(filesApi.GET("/api/v1/shared-with-me/{share_id}/items/{item_id}", { ...item(itemId), signal })),
    children: (folderId: string, options: ListOptions, signal?: AbortSignal) =>
      unwrap(
        filesApi.GET("/api/v1/shared-with-me/{share_id}/folders/{folder_id}/children", {
          params: { path: { ...share, folder_id: folderId }, query: defined(options) },
          signal,
        }),
      ),
    /** In `parentId`: a folder inside the share, or SHARE_ROOT; the share's owner owns it. */
    createFolder: (name: string, parentId: string, onConflict: "fail" | "rename" | "merge" = "fail") =>
      // 201 for a new folder, 200 for the one merged into: both are an Item.
      unwrap(
        filesApi.POST("/api/v1/shared-with-me/{share_id}/folders", {
          params: { path: share },
          body: { name, parentId, onConflict },
        }),
      ) as Promise<Item>,
    download: (fileId: string) =>
      unwrap(
        filesApi.GET("/api/v1/shared-with-me/{share_id}/files/{file_id}/download", {
          params: { path: { ...share, file_id: fileId } },
        }),
      ),
    rename: (itemId: string, name: string) =>
      unwrap(filesApi.PATCH("/api/v1/shared-with-me/{share_id}/items/{item_id}", { ...item(itemId), body: { name } })),
    /** Into `parentId`: a folder inside the share, or SHARE_ROOT (the shared folder itself). */
    move: (itemId: string, parentId: string) =>
      unwrap(
        filesApi.PATCH("/api/v1/shared-with-me/{share_id}/items/{item_id}", { ...item(itemId), body: { parentId } }),
      ),
    trash: (itemId: string) =>
      unwrap(filesApi.DELETE("/api/v1/shared-with-me/{share_id}/items/{item_id}", item(itemId))),
  };
}
