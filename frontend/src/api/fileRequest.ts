import createClient from "openapi-fetch";
import { defined, filesApi, unwrap } from "./client";
import type { components, paths } from "./generated/files";
import { retryWhileBusy } from "./retry";

type Schemas = components["schemas"];

export type FileRequest = Schemas["FileRequestRead"];
export type FileRequestCreated = Schemas["FileRequestCreated"];
export type FileRequestCreate = Schemas["FileRequestCreate"];
export type FileRequestUpdate = Schemas["FileRequestUpdate"];
export type RequestedFolder = Schemas["RequestedFolderRead"];
export type RequestUpload = Schemas["RequestUploadRead"];
export type ReceivedFile = Schemas["ReceivedFileRead"];
export type PartToSign = Schemas["PartToSign"];
export type PartToComplete = Schemas["PartToComplete"];

const ref = (requestRef: string) => ({ path: { request_ref: requestRef } });

/** The owner's side: their file requests, each by its `id` (the owner's handle, not the request id). */
export const fileRequests = {
  create: (body: FileRequestCreate) => unwrap(filesApi.POST("/api/v1/files/requests", { body })),
  list: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/requests", { params: { query: defined(options) }, signal })),
  update: (requestRef: string, body: FileRequestUpdate) =>
    unwrap(filesApi.PATCH("/api/v1/files/requests/{request_ref}", { params: ref(requestRef), body })),
  revoke: (requestRef: string) =>
    unwrap(filesApi.DELETE("/api/v1/files/requests/{request_ref}", { params: ref(requestRef) })),
};

/** The full address of a request's public page, for the clipboard. */
export const requestUrl = (requestId: string) => `${globalThis.location?.origin ?? ""}/r/${requestId}`;

// A visitor's calls never carry the session of whoever is signed in on this browser.
const publicApi = createClient<paths>({
  baseUrl: globalThis.location?.origin ?? "",
  fetch: (request: Request) => retryWhileBusy(() => fetch(request.clone())),
});

/** A visitor's routes of one request: what it accepts, and the direct-upload steps into it. */
export function requestVisitor(requestId: string) {
  const path = { request_id: requestId };
  const upload = (uploadId: string) => ({ params: { path: { ...path, upload_id: uploadId } } });
  return {
    open: (signal?: AbortSignal) =>
      unwrap(publicApi.GET("/api/v1/files/public/requests/{request_id}", { params: { path }, signal })),
    create: (body: { name: string; size: number; type?: string | null }) =>
      unwrap(publicApi.POST("/api/v1/files/public/requests/{request_id}/uploads", { params: { path }, body })),
    signParts: (uploadId: string, parts: PartToSign[]) =>
      unwrap(
        publicApi.POST("/api/v1/files/public/requests/{request_id}/uploads/{upload_id}/parts", {
          ...upload(uploadId),
          body: { parts },
        }),
      ),
    complete: (uploadId: string, parts: PartToComplete[], note: string | null) =>
      unwrap(
        publicApi.POST("/api/v1/files/public/requests/{request_id}/uploads/{upload_id}/complete", {
          ...upload(uploadId),
          body: { parts, note },
        }),
      ),
    abort: (uploadId: string) =>
      unwrap(publicApi.DELETE("/api/v1/files/public/requests/{request_id}/uploads/{upload_id}", upload(uploadId))),
  };
}

export type RequestVisitor = ReturnType<typeof requestVisitor>;
