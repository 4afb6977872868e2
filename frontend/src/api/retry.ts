import { useSyncExternalStore } from "react";
import { parseRetryAfter } from "./errors";

/**
 * When a request is worth sending again, decided in one place for the API client and uploads.
 *
 * A 401 about the access token itself (expired or revoked) is worth one refresh of the session and
 * one retry; a 401 about the request (a wrong password, a closed account) is not.
 */
export function needsRefresh(status: number, code: string | null | undefined): boolean {
  return status === 401 && (code === "invalid_token" || code === "unauthenticated");
}

/** Bounds on waiting out a busy server (503 with Retry-After): a few tries within 20 s. */
export const BUSY_RETRY = { attempts: 4, firstDelayMs: 1000, maxDelayMs: 8000, totalMs: 20_000 };

/**
 * How long to wait before sending again an answer that says the server is busy (503 with a
 * Retry-After header), or null to give up: the answer is of another kind or the bound is reached.
 * The delay is the server's ask or the doubling backoff, whichever is longer, plus up to a
 * quarter of jitter so that many waiting browsers do not return at the same instant.
 */
export function busyRetryDelay(
  status: number,
  retryAfter: string | null | undefined,
  attempt: number,
  waitedMs: number,
  random: () => number = Math.random,
): number | null {
  if (status !== 503) return null;
  const seconds = parseRetryAfter(retryAfter);
  if (seconds === null || attempt >= BUSY_RETRY.attempts) return null;
  const backoff = Math.min(BUSY_RETRY.maxDelayMs, Math.max(seconds * 1000, BUSY_RETRY.firstDelayMs * 2 ** attempt));
  const delay = Math.round(backoff * (1 + random() / 4));
  return waitedMs + delay > BUSY_RETRY.totalMs ? null : delay;
}

/** How many requests are waiting out a busy server right now; forms show "Still signing in…". */
class BusyWaits {
  private count = 0;
  private listeners = new Set<() => void>();

  get waiting(): boolean {
    return this.count > 0;
  }

  async during<T>(wait: Promise<T>): Promise<T> {
    this.change(1);
    try {
      return await wait;
    } finally {
      this.change(-1);
    }
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  private change(step: number): void {
    this.count += step;
    this.listeners.forEach((listener) => listener());
  }
}

export const busyWaits = new BusyWaits();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends with `send` until the answer is not "busy" or the bound is reached; answers the last response. */
export async function retryWhileBusy(send: () => Promise<Response>): Promise<Response> {
  let waited = 0;
  for (let attempt = 0; ; attempt += 1) {
    const response = await send();
    const delay = busyRetryDelay(response.status, response.headers.get("Retry-After"), attempt, waited);
    if (delay === null) return response;
    waited += delay;
    await busyWaits.during(sleep(delay));
  }
}

/** True while some request waits out a busy server. */
export function useServerBusy(): boolean {
  return useSyncExternalStore(busyWaits.subscribe, () => busyWaits.waiting);
}
