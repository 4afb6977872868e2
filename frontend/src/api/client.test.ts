import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { authFetch } from "./client";
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
        if (new URL(request.url).pathname === "/api/auth/refresh") {
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
    const responses = await Promise.all([1, 2, 3].map(() => authFetch(new Request("http://x/api/files"))));
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
    const response = await authFetch(new Request("http://x/api/auth/password", { method: "POST", body: "{}" }));
    expect(response.status).toBe(401);
    expect(refreshCalls).toBe(0);
  });

  it("signs out when the refresh cookie is no longer valid", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(401, { error: { code: "invalid_token", message: "expired" } })),
    );
    const response = await authFetch(new Request("http://x/api/users/me"));
    expect(response.status).toBe(401);
    expect(sessionStore.current).toBeNull();
  });
});
