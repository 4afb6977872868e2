import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authFetch } from "./client";
import { toApiError } from "./errors";
import { BUSY_RETRY, busyRetryDelay, busyWaits, needsRefresh } from "./retry";
import { sessionStore, type SessionRead } from "./session";

const session = (token: string): SessionRead => ({
  user: {
    userId: "u1",
    email: "a@b.co",
    username: "Ada",
    gender: null,
    dateOfBirth: null,
    createdAt: "",
    emailVerified: true,
  },
  accessToken: token,
  accessTokenExpiresAt: "",
});

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

describe("authFetch", () => {
  let refreshCalls: number;

  beforeEach(() => {
    refreshCalls = 0;
    sessionStore.set(session("old"));
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string) => {
        const request = typeof input === "string" ? new Request(new URL(input, "http://x")) : input;
        if (new URL(request.url).pathname === "/api/v1/auth/refresh") {
          refreshCalls += 1;
          await new Promise((resolve) => setTimeout(resolve, 10));
          return json(200, session("new"));
        }
        const token = request.headers.get("Authorization");
        if (token === "Bearer old") return json(401, { error: { code: "invalid_token", message: "expired" } });
        return json(200, { token });
      }),
    );
  });

  afterEach(() => {
    vi.unstubAllGlobals();
    sessionStore.set(null);
  });

  it("refreshes once for concurrent expired calls and retries each", async () => {
    const responses = await Promise.all([1, 2, 3].map(() => authFetch(new Request("http://x/api/v1/files"))));
    const bodies = await Promise.all(responses.map((response) => response.json()));
    expect(bodies).toEqual([{ token: "Bearer new" }, { token: "Bearer new" }, { token: "Bearer new" }]);
    expect(refreshCalls).toBe(1);
    expect(sessionStore.accessToken).toBe("new");
  });

  it("does not refresh for a 401 about the request itself", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(401, { error: { code: "invalid_credentials", message: "wrong" } })),
    );
    const response = await authFetch(new Request("http://x/api/v1/auth/password", { method: "POST", body: "{}" }));
    expect(response.status).toBe(401);
    expect(refreshCalls).toBe(0);
  });

  it("signs out when the refresh cookie is no longer valid", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(401, { error: { code: "invalid_token", message: "expired" } })),
    );
    const response = await authFetch(new Request("http://x/api/v1/users/me"));
    expect(response.status).toBe(401);
    expect(sessionStore.current).toBeNull();
  });
});

describe("a busy server (503 with Retry-After)", () => {
  const busy = () =>
    new Response(JSON.stringify({ error: { code: "busy", message: "Busy." } }), {
      status: 503,
      headers: { "content-type": "application/json", "Retry-After": "1" },
    });

  it("is waited out with backoff, and the request is sent again with its body", async () => {
    vi.useFakeTimers();
    const bodies: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        bodies.push(await request.text());
        return bodies.length < 3 ? busy() : json(200, { ok: true });
      }),
    );
    const answer = authFetch(new Request("http://x/api/v1/auth/login", { method: "POST", body: '{"a":1}' }));
    expect(busyWaits.waiting).toBe(false);
    await vi.advanceTimersByTimeAsync(0);
    expect(busyWaits.waiting).toBe(true);
    await vi.advanceTimersByTimeAsync(20_000);
    expect((await answer).status).toBe(200);
    expect(bodies).toEqual(['{"a":1}', '{"a":1}', '{"a":1}']);
    expect(busyWaits.waiting).toBe(false);
  });

  it("gives up after the bound and answers the last 503, which reads as busy", async () => {
    vi.useFakeTimers();
    const fetchMock = vi.fn(async () => busy());
    vi.stubGlobal("fetch", fetchMock);
    const answer = authFetch(new Request("http://x/api/v1/auth/login", { method: "POST", body: "{}" }));
    await vi.advanceTimersByTimeAsync(BUSY_RETRY.totalMs + 1000);
    const response = await answer;
    expect(response.status).toBe(503);
    expect(fetchMock.mock.calls.length).toBeLessThanOrEqual(BUSY_RETRY.attempts + 1);
    expect(toApiError(503, await response.json(), response.headers.get("Retry-After")).message).toMatch(/busy/);
  });

  it("is not retried without Retry-After, nor any other status", () => {
    expect(busyRetryDelay(503, null, 0, 0)).toBeNull();
    expect(busyRetryDelay(500, "1", 0, 0)).toBeNull();
    expect(busyRetryDelay(503, "1", 0, 0, () => 0)).toBe(1000);
    expect(busyRetryDelay(503, "1", 2, 0, () => 0)).toBe(4000);
    expect(busyRetryDelay(503, "60", 0, 0, () => 0)).toBe(BUSY_RETRY.maxDelayMs);
    expect(busyRetryDelay(503, "1", BUSY_RETRY.attempts, 0)).toBeNull();
  });
});

describe("needsRefresh", () => {
  it("refreshes for an expired or unknown token only", () => {
    expect(needsRefresh(401, "invalid_token")).toBe(true);
    expect(needsRefresh(401, "unauthenticated")).toBe(true);
    expect(needsRefresh(401, "invalid_credentials")).toBe(false);
    expect(needsRefresh(401, "account_closed")).toBe(false);
    expect(needsRefresh(403, "invalid_token")).toBe(false);
  });
});
