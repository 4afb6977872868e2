import { createHash } from "node:crypto";
import type { uploadPartBytes } from "@uppy/aws-s3";
import { json, type ApiCall } from "./harness";

/**
 * The step 11 direct-upload routes (CONTRACT11.md) and S3's part PUTs, faked for the fake API
 * harness: uploads are created, parts signed (each URL bound to its number, size and checksum),
 * listed, completed and aborted, and every call is recorded so a test can say what was sent.
 */

/** One part PUT as S3 received it. */
export interface PartPut {
  uploadId: string;
  number: number;
  headers: Record<string, string>;
  bytes: Uint8Array;
}

interface Upload {
  id: string;
  name: string;
  size: number;
  parentId: string;
  partSize: number;
  partCount: number;
  /** Signed: the checksum and size each URL is bound to. */
  signed: Map<number, { sha256: string; size: number }>;
  stored: Map<number, { size: number; etag: string; sha256: string }>;
}

/** Base64 of the SHA-256 of `bytes`, as S3 computes it for x-amz-checksum-sha256. */
export const sha256Of = (bytes: Uint8Array) => createHash("sha256").update(bytes).digest("base64");

export interface DirectUploadServerOptions {
  partSize?: number;
  maxPartsPerRequest?: number;
  /** Answers `POST /api/v1/uploads` instead (a refusal), when it answers. */
  refuseCreate?: (body: ApiCall["body"]) => Response | undefined;
  /** Where the upload routes are: the drive's `/api/v1/uploads` (default), or a share's. */
  routes?: string;
}

export class DirectUploadServer {
  readonly uploads = new Map<string, Upload>();
  /** The bodies of every `POST /api/v1/uploads/{id}/parts`, in order. */
  readonly signRequests: { number: number; size: number; sha256: string }[][] = [];
  readonly completions: { number: number; etag: string; sha256: string }[][] = [];
  readonly aborted: string[] = [];
  readonly puts: PartPut[] = [];
  /** Each PUT waits for this before S3 answers (a test holds it to pause mid-way). */
  gate: Promise<void> = Promise.resolve();
  private nextId = 1;

  constructor(private readonly options: DirectUploadServerOptions = {}) {}

  /** The fake API's handler for the upload routes; answers undefined for any other route. */
  handle = (call: ApiCall): Response | undefined => {
    const routes = this.options.routes ?? "/api/v1/uploads";
    if (call.path !== routes && !call.path.startsWith(`${routes}/`)) return undefined;
    // Keyed as the drive's routes whatever their prefix, so one fake serves both.
    const [id = "", ...rest] = call.path.slice(routes.length + 1).split("/");
    const key = `${call.method} /api/v1/uploads${id ? ["/{id}", ...rest].join("/") : ""}`;
    const upload = this.uploads.get(decodeURIComponent(id));
    if (key === "POST /api/v1/uploads") return this.options.refuseCreate?.(call.body) ?? this.create(call.body);
    if (
      key.startsWith("POST /api/v1/uploads/{id}") ||
      key.startsWith("GET /api/v1/uploads/{id}") ||
      key === "DELETE /api/v1/uploads/{id}"
    ) {
      if (!upload) return json(404, { error: { code: "upload_not_found", message: "No such upload." } });
    }
    if (!upload) return undefined;
    if (key === "POST /api/v1/uploads/{id}/parts") return this.sign(upload, call.body.parts);
    if (key === "GET /api/v1/uploads/{id}") return this.read(upload);
    if (key === "POST /api/v1/uploads/{id}/complete") return this.complete(upload, call.body.parts);
    if (key === "DELETE /api/v1/uploads/{id}") {
      this.uploads.delete(upload.id);
      this.aborted.push(upload.id);
      return new Response(null, { status: 204 });
    }
    return undefined;
  };

  /** S3's side: takes a part PUT at a signed URL (Uppy's uploadPartBytes). */
  uploadPartBytes: uploadPartBytes = async ({ signature, body, onProgress, onComplete, signal }) => {
    const url = new URL(signature.url!);
    const [uploadId, number] = [url.searchParams.get("uploadId")!, Number(url.searchParams.get("partNumber"))];
    const headers = { ...(signature.headers as Record<string, string>) };
    await Promise.race([
      this.gate,
      new Promise((_, reject) => signal?.addEventListener("abort", () => reject(abortError()), { once: true })),
    ]);
    if (signal?.aborted) throw abortError();
    const bytes = new Uint8Array(await (body as Blob).arrayBuffer());
    this.puts.push({ uploadId, number, headers, bytes });
    const upload = this.uploads.get(uploadId);
    const bound = upload?.signed.get(number);
    const sha256 = sha256Of(bytes);
    if (
      !upload ||
      !bound ||
      bound.size !== bytes.length ||
      bound.sha256 !== sha256 ||
      headers["x-amz-checksum-sha256"] !== sha256
    ) {
      throw Object.assign(new Error("Non 2xx"), { source: { status: 400 } });
    }
    const etag = `"etag-${number}"`;
    upload.stored.set(number, { size: bytes.length, etag, sha256 });
    onProgress({ loaded: bytes.length, lengthComputable: true });
    onComplete(etag);
    return { ETag: etag };
  };

  private create(body: ApiCall["body"]): Response {
    const partSize = this.options.partSize ?? body.partSize;
    const id = `up${this.nextId++}`;
    const upload: Upload = {
      id,
      name: body.name,
      size: body.size,
      parentId: body.parentId,
      partSize,
      partCount: Math.ceil(body.size / partSize),
      signed: new Map(),
      stored: new Map(),
    };
    this.uploads.set(id, upload);
    const { name, partCount } = upload;
    const maxPartsPerRequest = this.options.maxPartsPerRequest ?? 10;
    return json(201, { id, name, partSize, partCount, maxPartsPerRequest, expiresAt: "2999-01-01T00:00:00Z" });
  }

  private sign(upload: Upload, parts: { number: number; size: number; sha256: string }[]): Response {
    this.signRequests.push(parts);
    if (parts.length > (this.options.maxPartsPerRequest ?? 10)) {
      return json(422, { error: { code: "invalid_parts", message: "Too many parts." } });
    }
    for (const part of parts) upload.signed.set(part.number, { sha256: part.sha256, size: part.size });
    const signed = parts.map((part) => ({
      number: part.number,
      url: `https://s3.test/bucket/${upload.id}?uploadId=${upload.id}&partNumber=${part.number}`,
      headers: { "content-length": String(part.size), "x-amz-checksum-sha256": part.sha256 },
      expiresAt: "2999-01-01T00:00:00Z",
    }));
    return json(200, { parts: signed });
  }

  private read(upload: Upload): Response {
    const parts = [...upload.stored].map(([number, { size, etag }]) => ({ number, size, etag }));
    const { id, name, size, partSize, partCount, parentId } = upload;
    return json(200, { id, name, size, partSize, partCount, parentId, expiresAt: "2999-01-01T00:00:00Z", parts });
  }

  private complete(upload: Upload, parts: { number: number; etag: string; sha256: string }[]): Response {
    this.completions.push(parts);
    const digests = parts.map((part) => Buffer.from(upload.stored.get(part.number)?.sha256 ?? "", "base64"));
    const sha256 = `${createHash("sha256").update(Buffer.concat(digests)).digest("base64")}-${parts.length}`;
    this.uploads.delete(upload.id);
    return json(201, {
      id: upload.id,
      kind: "file",
      name: upload.name,
      parentId: upload.parentId,
      size: upload.size,
      type: "application/octet-stream",
      createdAt: "2026-01-01T00:00:00Z",
      modifiedAt: "2026-01-01T00:00:00Z",
      trashedAt: null,
      sha256,
    });
  }
}

function abortError(): Error {
  return Object.assign(new Error("aborted"), { name: "AbortError" });
}

/** A file of `size` bytes whose every byte tells its offset apart (so a misplaced slice shows). */
export function patternedFile(name: string, size: number): File {
  const bytes = new Uint8Array(size);
  for (let index = 0; index < size; index += 1) bytes[index] = (index * 31 + (index >> 16)) & 0xff;
  return new File([bytes], name, { type: "application/octet-stream", lastModified: Date.UTC(2026, 0, 1) });
}
