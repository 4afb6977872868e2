import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { sessionStore } from "../api/session";
import { fakeApi, json, renderWithProviders, session } from "../test/harness";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

function stubApi(emailVerified: boolean, resend: () => Response) {
  const api = fakeApi(({ path }) => {
    if (path === "/api/v1/auth/refresh") return json(200, session({ emailVerified }));
    if (path === "/api/v1/auth/verify-email/resend") return resend();
  });
  return api.requests;
}

function renderBanner() {
  renderWithProviders(<VerifyEmailBanner />);
}

describe("VerifyEmailBanner", () => {
  it("asks an unverified user to confirm and resends the link", async () => {
    const calls = stubApi(false, () => new Response(null, { status: 202 }));
    renderBanner();
    expect(await screen.findByRole("region", { name: "Email confirmation" })).toHaveTextContent("ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Resend" }));
    expect(await screen.findByText("Sent. Check your inbox.")).toBeInTheDocument();
    expect(calls).toContain("POST /api/v1/auth/verify-email/resend");
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
    await vi.waitFor(() => expect(calls).toContain("POST /api/v1/auth/refresh"));
    await vi.waitFor(() => expect(sessionStore.current).not.toBeNull());
    expect(screen.queryByRole("region", { name: "Email confirmation" })).toBeNull();
  });
});
