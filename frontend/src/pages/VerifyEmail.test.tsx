import { render, screen } from "@testing-library/react";
import { StrictMode } from "react";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { SessionProvider } from "../session/SessionProvider";
import { VerifyEmail } from "./VerifyEmail";

afterEach(() => vi.unstubAllGlobals());

function renderPage() {
  render(
    <StrictMode>
      <MemoryRouter>
        <SessionProvider>
          <VerifyEmail />
        </SessionProvider>
      </MemoryRouter>
    </StrictMode>,
  );
}

function answer(verify: Response) {
  // The provider's silent refresh finds no session; the page's call gets `verify`.
  return vi.fn(async (input: Request | string) => {
    const url = typeof input === "string" ? input : input.url;
    if (url.endsWith("/api/v1/auth/refresh")) return new Response(null, { status: 401 });
    return verify;
  });
}

describe("VerifyEmail", () => {
  it("confirms the address with the token of the link, once", async () => {
    window.history.replaceState(null, "", "/verify-email#token=tok-456");
    const fetchMock = answer(new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetchMock);
    renderPage();
    expect(await screen.findByText("Your email address is confirmed. Thank you!")).toBeInTheDocument();
    const verifications = fetchMock.mock.calls
      .map(([input]) => input as unknown as Request)
      .filter((request) => typeof request !== "string" && request.url.endsWith("/api/v1/auth/verify-email"));
    expect(verifications).toHaveLength(1);
    expect(await verifications[0].json()).toEqual({ token: "tok-456" });
    expect(window.location.hash).toBe("");
  });

  it("says why a used or forged link does not work", async () => {
    window.history.replaceState(null, "", "/verify-email#token=used");
    vi.stubGlobal(
      "fetch",
      answer(
        new Response(JSON.stringify({ error: { code: "invalid_link", message: "This link is not valid." } }), {
          status: 400,
          headers: { "content-type": "application/json" },
        }),
      ),
    );
    renderPage();
    expect(await screen.findByRole("alert")).toHaveTextContent("This link is not valid. Log in to ask for a new link.");
  });
});
