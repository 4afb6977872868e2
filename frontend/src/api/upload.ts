import { ApiError, toApiError } from "./errors";
import type { components } from "./generated/files";
import { sessionStore } from "./session";

export type FileRead = components["schemas"]["FileRead"];

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

/** Where an upload goes and what happens if the folder holds that name already. */
export interface UploadTarget {
  parentId?: string | null;
  onConflict?: "fail" | "replace" | "rename";
}

export interface UploadHandle {
  promise: Promise<FileRead>;
  cancel(): void;
}

/**
 * Uploads one file with XMLHttpRequest (fetch cannot report upload progress). If the access
 * token expired, refreshes it once and starts again.
 */
export function uploadFile(
  file: File,
  onProgress: (progress: UploadProgress) => void,
  target: UploadTarget = {},
  createTransport: () => UploadTransport = () => new XMLHttpRequest() as unknown as UploadTransport,
): UploadHandle {
  let current: UploadTransport | null = null;
  let cancelled = false;

  const attempt = (): Promise<FileRead> =>
    new Promise((resolve, reject) => {
      const transport = createTransport();
      current = transport;
      const params = new URLSearchParams();
      if (target.parentId) params.set("parentId", target.parentId);
      if (target.onConflict) params.set("onConflict", target.onConflict);
      const query = params.toString();
      transport.open("POST", `/api/files/upload${query ? `?${query}` : ""}`);
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
        if (transport.status === 201) resolve(body as FileRead);
        else reject(toApiError(transport.status, body));
      };
      transport.onerror = () => reject(toApiError(0, null));
      transport.onabort = () => reject(new UploadCancelled());
      const form = new FormData();
      form.append("file", file, file.name);
      transport.send(form);
    });

  const promise = attempt().catch(async (error: unknown) => {
    const expired = error instanceof ApiError && error.status === 401 && error.code !== "invalid_credentials";
    if (!expired || cancelled) throw error;
    if (!(await sessionStore.refresh())) throw error;
    return attempt();
  });

  return {
    promise,
    cancel() {
      cancelled = true;
      current?.abort();
    },
  };
}
