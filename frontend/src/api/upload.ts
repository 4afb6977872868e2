import type { UploadedFile, UploadQuery } from "./drive";
import { ApiError, toApiError } from "./errors";
import { busyRetryDelay, busyWaits, needsRefresh } from "./retry";
import { sessionStore } from "./session";

export interface UploadProgress {
  loaded: number;
  total: number;
}

/** The parts of XMLHttpRequest an upload uses; tests pass a fake. */
export interface UploadTransport {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: FormData): void;
  abort(): void;
  readonly status: number;
  readonly responseText: string;
  getResponseHeader(name: string): string | null;
  upload: { onprogress: ((event: ProgressEvent) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
  onabort: (() => void) | null;
}

export class UploadCancelled extends Error {
  constructor() {
    super("Upload cancelled.");
    this.name = "UploadCancelled";
  }
}

/** The single-request upload route of a folder shared with the user (editors only). */
export const sharedUploadEndpoint = (shareId: string) => `/api/v1/shared-with-me/${encodeURIComponent(shareId)}/upload`;

/** Where an upload goes and what happens if the folder holds that name already. */
export type UploadTarget = Pick<UploadQuery, "parentId" | "onConflict">;

export interface UploadHandle {
  promise: Promise<UploadedFile>;
  cancel(): void;
  /** Direct uploads (in parts) only: stop sending, and go on from the parts S3 holds. */
  pause?(): void;
  resume?(): void;
  /** Direct uploads only: give a failed upload up, so the server drops its parts. */
  discard?(): void;
  /** Direct uploads only: send a failed upload again from the parts S3 holds (null: start afresh). */
  again?(onProgress: (progress: UploadProgress) => void): UploadHandle | null;
}

/** The upload's query: its folder, the choice on a name clash, and the file's own modified time. */
export function uploadQuery(file: File, target: UploadTarget): string {
  const query: UploadQuery = {
    ...(target.parentId ? { parentId: target.parentId } : {}),
    ...(target.onConflict ? { onConflict: target.onConflict } : {}),
    ...(file.lastModified ? { modifiedAt: new Date(file.lastModified).toISOString() } : {}),
  };
  return new URLSearchParams(query as Record<string, string>).toString();
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Uploads one file with XMLHttpRequest (fetch cannot report upload progress). If the access
 * token expired, refreshes it once and starts again; a busy server is waited out as the API
 * client does (`retry.ts` decides both).
 */
export function uploadFile(
  file: File,
  onProgress: (progress: UploadProgress) => void,
  target: UploadTarget = {},
  createTransport: () => UploadTransport = () => new XMLHttpRequest() as unknown as UploadTransport,
  /** The route taking the multipart body: the drive's, or a shared folder's. */
  endpoint = "/api/v1/files/upload",
): UploadHandle {
  let current: UploadTransport | null = null;
  let cancelled = false;

  const send = (): Promise<UploadedFile> =>
    new Promise((resolve, reject) => {
      const transport = createTransport();
      current = transport;
      const query = uploadQuery(file, target);
      transport.open("POST", `${endpoint}${query ? `?${query}` : ""}`);
      const token = sessionStore.accessToken;
      if (token) transport.setRequestHeader("Authorization", `Bearer ${token}`);
      transport.upload.onprogress = (event) => onProgress({ loaded: event.loaded, total: event.total || file.size });
      transport.onload = () => {
        let body: unknown = null;
        try {
          body = JSON.parse(transport.responseText);
        } catch {
          body = null;
        }
        if (transport.status === 201) resolve(body as UploadedFile);
        else reject(toApiError(transport.status, body, transport.getResponseHeader("Retry-After")));
      };
      transport.onerror = () => reject(toApiError(0, null));
      transport.onabort = () => reject(new UploadCancelled());
      const form = new FormData();
      form.append("file", file, file.name);
      transport.send(form);
    });

  const sendWhileBusy = async (): Promise<UploadedFile> => {
    let waited = 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await send();
      } catch (error) {
        const delay =
          error instanceof ApiError && !cancelled
            ? busyRetryDelay(error.status, error.retryAfterSeconds?.toString(), attempt, waited)
            : null;
        if (delay === null) throw error;
        waited += delay;
        await busyWaits.during(sleep(delay));
      }
    }
  };

  const promise = sendWhileBusy().catch(async (error: unknown) => {
    const expired = error instanceof ApiError && needsRefresh(error.status, error.code);
    if (!expired || cancelled) throw error;
    if (!(await sessionStore.refresh())) throw error;
    return sendWhileBusy();
  });

  return {
    promise,
    cancel() {
      cancelled = true;
      current?.abort();
    },
  };
}
