import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "../api/session";
import { SessionProvider } from "../session/SessionProvider";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

const json = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

function session(emailVerified: boolean) {
  return {
    user: {
      userId: "u1",
      email: "ada@example.com",
      username: "Ada",
      gender: null,
      dateOfBirth: null,
      createdAt: "2026-11-25T10:00:00Z",
      emailVerified,
    },
    accessToken: "token",
    accessTokenExpiresAt: "2026-11-25T11:00:00Z",
  };
}

function stubApi(emailVerified: boolean, resend: () => Response) {
  const calls: string[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: Request | string, init?: RequestInit) => {
      const request = typeof input === "string" ? new Request(new URL(input, "http://x"), init) : input;
      const path = new URL(request.url).pathname;
      calls.push(path);
      if (path === "/api/auth/refresh") return json(200, session(emailVerified));
      if (path === "/api/auth/verify-email/resend") return resend();
      return json(404, { error: { code: "not_found", message: "Not found." } });
    }),
  );
  return calls;
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.set(null);
});

function renderBanner() {
  render(
    <SessionProvider>
      <VerifyEmailBanner />
    </SessionProvider>,
  );
}

describe("VerifyEmailBanner", () => {
  it("asks an unverified user to confirm and resends the link", async () => {
    const calls = stubApi(false, () => new Response(null, { status: 202 }));
    renderBanner();
    expect(await screen.findByRole("region", { name: "Email confirmation" })).toHaveTextContent("ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Resend" }));
    expect(await screen.findByText("Sent. Check your inbox.")).toBeInTheDocument();
    expect(calls).toContain("/api/auth/verify-email/resend");
  });

  it("says how long to wait after too many resends", async () => {
    stubApi(false, () => json(429, { error: { code: "too_many_emails", message: "Too many emails." } }));
    renderBanner();
    await userEvent.click(await screen.findByRole("button", { name: "Resend" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts");
  });

  it("is not shown once the address is confirmed", async () => {
    const calls = stubApi(true, () => new Response(null, { status: 202 }));
    renderBanner();
    await vi.waitFor(() => expect(calls).toContain("/api/auth/refresh"));
    await vi.waitFor(() => expect(sessionStore.current).not.toBeNull());
    expect(screen.queryByRole("region", { name: "Email confirmation" })).toBeNull();
  });
});
