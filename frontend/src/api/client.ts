import createClient from "openapi-fetch";
import { toApiError } from "./errors";
import { needsRefresh, retryWhileBusy } from "./retry";
import type { paths as AuthPaths } from "./generated/auth";
import type { paths as FilesPaths } from "./generated/files";
import type { paths as UsersPaths } from "./generated/users";
import { sessionStore } from "./session";

/**
 * fetch with the access token attached. A busy server (503 with Retry-After) is waited out,
 * bounded; when a call answers 401 because the access token expired, refreshes once (shared by
 * concurrent calls) and retries once.
 */
export async function authFetch(input: Request | string, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const send = () => retryWhileBusy(() => fetch(withToken(request.clone())));
  const response = await send();
  if (!needsRefresh(response.status, await errorCode(response)) || !sessionStore.accessToken) return response;
  const refreshed = await sessionStore.refresh();
  if (!refreshed) return response;
  return send();
}

async function errorCode(response: Response): Promise<string | null> {
  if (response.status !== 401) return null;
  const body = await response
    .clone()
    .json()
    .catch(() => null);
  return body?.error?.code ?? null;
}

function withToken(request: Request): Request {
  const token = sessionStore.accessToken;
  if (token) request.headers.set("Authorization", `Bearer ${token}`);
  return request;
}

// Absolute, because Request objects (which openapi-fetch builds) need one outside browsers.
const options = { baseUrl: globalThis.location?.origin ?? "", fetch: (request: Request) => authFetch(request) };
export const authApi = createClient<AuthPaths>(options);
export const usersApi = createClient<UsersPaths>(options);
export const filesApi = createClient<FilesPaths>(options);

/** Unwraps an openapi-fetch result: the data, or an ApiError with a readable message. */
export async function unwrap<T>(call: Promise<{ data?: T; error?: unknown; response: Response }>): Promise<T> {
  let result;
  try {
    result = await call;
  } catch {
    throw toApiError(0, null);
  }
  if (!result.response.ok) {
    throw toApiError(result.response.status, result.error, result.response.headers.get("Retry-After"));
  }
  return result.data as T;
}

/** Only the options given, so the query string carries no empty values. */
export function defined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== null && value !== undefined)) as T;
}
