/** The error body every SCloud service and the gateway answer with. */
export interface ErrorBody {
  error: { code: string; message: string; details?: { field: string; message: string }[] };
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
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

function isErrorBody(value: unknown): value is ErrorBody {
  const error = (value as ErrorBody | null)?.error;
  return typeof error?.code === "string" && typeof error?.message === "string";
}

/** Turns any failed response (or its parsed body) into an ApiError with a message for people. */
export function toApiError(status: number, body: unknown): ApiError {
  if (isErrorBody(body) && status < 500) {
    return new ApiError(status, body.error.code, body.error.message);
  }
  const code = isErrorBody(body) ? body.error.code : `http_${status}`;
  const message =
    FALLBACK_MESSAGES[status] ??
    (status >= 500 ? "Something went wrong on our side. Try again." : "The request could not be completed.");
  return new ApiError(status, code, message);
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof TypeError) return FALLBACK_MESSAGES[0];
  return "Something went wrong. Try again.";
}
