import createClient from "openapi-fetch";
import { defined, filesApi, unwrap } from "./client";
import type { components, paths } from "./generated/files";
import { retryWhileBusy } from "./retry";

type Schemas = components["schemas"];

export type ShareLink = Schemas["ShareLinkRead"];
export type ShareLinkCreated = Schemas["ShareLinkCreated"];
export type ShareLinkCreate = Schemas["ShareLinkCreate"];
export type ShareLinkUpdate = Schemas["ShareLinkUpdate"];
export type AccessEntry = Schemas["AccessEntryRead"];
export type SharedItem = Schemas["SharedItemRead"];
export type SharedEntry = Schemas["SharedEntryRead"];
export type SharedFolderPage = Schemas["SharedFolderPageRead"];

/** The link's own folder in the visitor's routes. */
export const SHARED_ROOT = "root";

const ref = (linkRef: string) => ({ path: { link_ref: linkRef } });

/** The owner's side: their links, each by its `id` (the owner's handle, not the link id). */
export const shareLinks = {
  create: (body: ShareLinkCreate) => unwrap(filesApi.POST("/api/v1/files/links", { body })),
  list: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/links", { params: { query: defined(options) }, signal })),
  update: (linkRef: string, body: ShareLinkUpdate) =>
    unwrap(filesApi.PATCH("/api/v1/files/links/{link_ref}", { params: ref(linkRef), body })),
  revoke: (linkRef: string) => unwrap(filesApi.DELETE("/api/v1/files/links/{link_ref}", { params: ref(linkRef) })),
  log: (linkRef: string, options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(
      filesApi.GET("/api/v1/files/links/{link_ref}/log", {
        params: { ...ref(linkRef), query: defined(options) },
        signal,
      }),
    ),
};

/** The full address of a link's public page, for the clipboard. */
export const publicUrl = (linkId: string) => `${globalThis.location?.origin ?? ""}/s/${linkId}`;

// Visitors' requests never carry the session of whoever is signed in on this browser: a link is
// opened as anyone would open it, and an owner testing their own link sees what visitors see.
const publicApi = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request: Request) => retryWhileBusy(() => fetch(request.clone())),
});

const unlockKey = (linkId: string) => `scloud.share-unlock.${linkId}`;

/**
 * The unlock token of one link, kept for this tab only (sessionStorage) and only for that link,
 * until it expires.
 */
export const unlockTokens = {
  read(linkId: string): string | null {
    try {
      const stored = JSON.parse(sessionStorage.getItem(unlockKey(linkId)) ?? "null");
      if (stored && typeof stored.token === "string" && Date.parse(stored.expiresAt) > Date.now()) return stored.token;
    } catch {
      // Unreadable storage: ask for the password again.
    }
    return null;
  },
  write(linkId: string, token: string, expiresAt: string) {
    try {
      sessionStorage.setItem(unlockKey(linkId), JSON.stringify({ token, expiresAt }));
    } catch {
      // Storage full or refused: the token lives as long as the page.
    }
  },
  forget(linkId: string) {
    try {
      sessionStorage.removeItem(unlockKey(linkId));
    } catch {
      // Nothing kept.
    }
  },
};

/** A visitor's routes of one link, with its unlock token when there is one. */
export function sharedLink(linkId: string, token: string | null) {
  const header = token ? { "X-Share-Unlock": token } : {};
  const params = { header, path: { link_id: linkId } };
  return {
    open: (signal?: AbortSignal) => unwrap(publicApi.GET("/api/v1/files/public/links/{link_id}", { params, signal })),
    unlock: (password: string) =>
      unwrap(
        publicApi.POST("/api/v1/files/public/links/{link_id}/unlock", {
          params: { path: params.path },
          body: { password },
        }),
      ),
    download: () => unwrap(publicApi.POST("/api/v1/files/public/links/{link_id}/download", { params })),
    children: (folderId: string, cursor: string | null, signal?: AbortSignal) =>
      unwrap(
        publicApi.GET("/api/v1/files/public/links/{link_id}/folders/{folder_id}/children", {
          params: {
            header,
            path: { link_id: linkId, folder_id: folderId },
            query: defined({ cursor, limit: 100 }),
          },
          signal,
        }),
      ),
    downloadFile: (fileId: string) =>
      unwrap(
        publicApi.POST("/api/v1/files/public/links/{link_id}/files/{file_id}/download", {
          params: { header, path: { link_id: linkId, file_id: fileId } },
        }),
      ),
    /** A short-lived URL showing the linked file in the browser; not a download (the limit stays). */
    preview: (signal?: AbortSignal) =>
      unwrap(publicApi.GET("/api/v1/files/public/links/{link_id}/preview", { params, signal })),
    previewFile: (fileId: string, signal?: AbortSignal) =>
      unwrap(
        publicApi.GET("/api/v1/files/public/links/{link_id}/files/{file_id}/preview", {
          params: { header, path: { link_id: linkId, file_id: fileId } },
          signal,
        }),
      ),
    archive: (ids: string[]) =>
      unwrap(publicApi.POST("/api/v1/files/public/links/{link_id}/archive", { params, body: { ids } })),
  };
}
