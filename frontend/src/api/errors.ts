import { formatBytes, formatWait } from "../lib/format";

/**
 * The error body every SCloud service and the gateway answer with. `details` is a list of field
 * problems for a refused body, or what a client needs to act on the error (an object).
 */
export interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] | Record<string, unknown> };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Seconds to wait before trying again, from a 429's or 503's Retry-After header. */
    readonly retryAfterSeconds: number | null = null,
    /** The error body's `details`, when the server sent some. */
    readonly details: ErrorBody["error"]["details"] = undefined,
  ) {
    super(message);
    this.name = "ApiError";
  }
}

const FALLBACK_MESSAGES: Record<number, string> = {
  0: "Cannot reach SCloud. Check your connection and try again.",
  413: "The file is larger than the upload limit.",
  429: "Too many attempts. Wait a minute and try again.",
  502: "SCloud is briefly unavailable. Try again in a moment.",
  503: "SCloud is briefly unavailable. Try again in a moment.",
  504: "SCloud is briefly unavailable. Try again in a moment.",
};

/** A 503 `busy` reaches the person only once the client's bounded retries gave up. */
const BUSY_MESSAGE = "SCloud is busy signing people in. Wait a minute and try again.";

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | null)?.error;
  return typeof error?.code === "string" && typeof error?.message === "string";
}

/** Retry-After is either a number of seconds or an HTTP date. */
export function parseRetryAfter(header: string | null | undefined, now: number = Date.now()): number | null {
  if (!header) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, Math.ceil((date - now) / 1000));
}

const numberIn = (details: unknown, key: string): number | null => {
  const value = (details as Record<string, unknown> | undefined)?.[key];
  return typeof value === "number" ? value : null;
};

/** Refusals of an upload, said with the numbers the server sent (step 11 contract). */
function uploadRefusal(status: number, body: ErrorBody, retryAfter?: string | null): ApiError | null {
  const { code, details } = body.error;
  if (code === "quota_exceeded") {
    const [used, quota, size] = ["used", "quota", "size"].map((key) => numberIn(details, key));
    const message =
      used !== null && quota !== null && size !== null
        ? `Not enough storage: this file needs ${formatBytes(size)}, and ${formatBytes(used)} of your ${formatBytes(quota)} are used (${formatBytes(Math.max(0, quota - used))} free). Empty the trash or delete files to make room.`
        : "Not enough storage for this file. Empty the trash or delete files to make room.";
    return new ApiError(status, code, message, null, details);
  }
  if (code === "too_many_uploads") {
    const seconds = parseRetryAfter(retryAfter);
    const wait = seconds === null ? "" : ` (or try again in ${formatWait(seconds)})`;
    const message = `Too many uploads in progress: let some finish${wait}, then send this file again.`;
    return new ApiError(status, code, message, seconds, details);
  }
  if (code === "upload_not_found") {
    const message = "This upload expired or was cancelled (perhaps in another tab). Nothing was kept: upload it again.";
    return new ApiError(status, code, message, null, details);
  }
  if (code === "upload_mismatch") {
    const message =
      "The bytes that reached storage do not match the file (did it change while it was being sent?). Nothing was kept: upload it again.";
    return new ApiError(status, code, message, null, details);
  }
  return null;
}

/**
 * Turns any failed response (or its parsed body) into an ApiError with a message for people.
 * `retryAfter` is the response's Retry-After header.
 */
export function toApiError(status: number, body: unknown, retryAfter?: string | null): ApiError {
  const refusal = isErrorBody(body) ? uploadRefusal(status, body, retryAfter) : null;
  if (refusal) return refusal;
  if (status === 429) {
    const seconds = parseRetryAfter(retryAfter);
    const code = isErrorBody(body) ? body.error.code : "too_many_attempts";
    const message =
      seconds === null ? FALLBACK_MESSAGES[429] : `Too many attempts. Try again in ${formatWait(seconds)}.`;
    return new ApiError(status, code, message, seconds);
  }
  if (isErrorBody(body) && status < 500) {
    return new ApiError(status, body.error.code, body.error.message, null, body.error.details);
  }
  const seconds = status === 503 ? parseRetryAfter(retryAfter) : null;
  const code = isErrorBody(body) ? body.error.code : `http_${status}`;
  if (status === 503 && code === "busy") return new ApiError(status, code, BUSY_MESSAGE, seconds);
  const message =
    FALLBACK_MESSAGES[status] ??
    (status >= 500 ? "Something went wrong on our side. Try again." : "The request could not be completed.");
  return new ApiError(status, code, message, seconds);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return FALLBACK_MESSAGES[0];
  return "Something went wrong. Try again.";
}
