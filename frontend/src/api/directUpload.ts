import { authFetch } from "./client";
import type { Item } from "./drive";
import { toApiError } from "./errors";
import type { Limits } from "../components/LimitsProvider";

// ---- step 11 contract extension (CONTRACT11.md) ------------------------------------------------
// The files service's direct-upload routes, the limits' quota fields and ItemRead.sha256 are not in
// the generated client yet. These types follow CONTRACT11.md field for field. After `make openapi`
// brings them in, replace each type below with the generated schema named beside it
// (components["schemas"][...] of ./generated/files), replace `send` with filesApi calls + unwrap,
// and delete this block.

/** Body of `POST /api/uploads` (generated: UploadCreate). */
export interface UploadCreate {
  name: string;
  size: number;
  type?: string | null;
  parentId?: string | null;
  onConflict?: "fail" | "rename" | "replace";
  /** RFC 3339. */
  modifiedAt?: string | null;
  /** Wanted part size in bytes; the server may adjust it. */
  partSize?: number | null;
}

/** 201 of `POST /api/uploads` (generated: UploadCreated). */
export interface UploadCreated {
  id: string;
  name: string;
  partSize: number;
  partCount: number;
  expiresAt: string;
  maxPartsPerRequest: number;
}

/** One part to sign (generated: PartToSign); `sha256` is base64 of the 32-byte digest. */
export interface PartToSign {
  number: number;
  size: number;
  sha256: string;
}

/** One signed part (generated: SignedPartRead): PUT the bytes to `url` with exactly `headers`. */
export interface SignedPart {
  number: number;
  url: string;
  headers: Record<string, string>;
  expiresAt: string;
}

/** A part S3 holds already (generated: StoredPartRead). */
export interface StoredPart {
  number: number;
  size: number;
  etag: string;
}

/** 200 of `GET /api/uploads/{id}` (generated: UploadRead). */
export interface UploadRead {
  id: string;
  name: string;
  size: number;
  partSize: number;
  partCount: number;
  parentId: string;
  expiresAt: string;
  parts: StoredPart[];
}

/** One part of `POST /api/uploads/{id}/complete` (generated: PartToComplete). */
export interface PartToComplete {
  number: number;
  etag: string;
  sha256: string;
}

/** GET /api/files/limits with the quota fields (generated: the limits' schema). */
export type StorageLimits = Limits & {
  maxFileBytes: number;
  quotaBytes: number;
  usedBytes: number;
  trashBytes: number;
};

/** ItemRead with the file's full-object checksum (generated: ItemRead.sha256). */
export type ItemWithChecksum = Item & { sha256?: string | null };

const origin = () => globalThis.location?.origin ?? "";

async function send<T>(method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  let response: Response;
  try {
    response = await authFetch(`${origin()}${path}`, {
      method,
      signal,
      ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { "content-type": "application/json" } }),
    });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw toApiError(0, null);
  }
  const answer = response.status === 204 ? null : await response.json().catch(() => null);
  if (!response.ok) throw toApiError(response.status, answer, response.headers.get("Retry-After"));
  return answer as T;
}

const uploadPath = (id: string) => `/api/uploads/${encodeURIComponent(id)}`;

/** The direct-upload routes of the files service (CONTRACT11.md). */
export const directUploadApi = {
  create: (body: UploadCreate) => send<UploadCreated>("POST", "/api/uploads", body),
  signParts: (id: string, parts: PartToSign[], signal?: AbortSignal) =>
    send<{ parts: SignedPart[] }>("POST", `${uploadPath(id)}/parts`, { parts }, signal),
  read: (id: string, signal?: AbortSignal) => send<UploadRead>("GET", uploadPath(id), undefined, signal),
  complete: (id: string, parts: PartToComplete[], signal?: AbortSignal) =>
    send<ItemWithChecksum>("POST", `${uploadPath(id)}/complete`, { parts }, signal),
  abort: (id: string) => send<null>("DELETE", uploadPath(id)),
  limits: (signal?: AbortSignal) => send<Partial<StorageLimits>>("GET", "/api/files/limits", undefined, signal),
};
// ---- end of the step 11 contract extension ---------------------------------------------------

/** True when the server takes direct uploads: a server from before step 11 names no `maxFileBytes`. */
export function takesDirectUploads(limits: Partial<StorageLimits> | null): limits is StorageLimits {
  return typeof limits?.maxFileBytes === "number";
}
