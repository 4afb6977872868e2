import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ForgotPassword } from "./ForgotPassword";

afterEach(() => vi.unstubAllGlobals());

function renderPage() {
  render(
    <MemoryRouter>
      <ForgotPassword />
    </MemoryRouter>,
  );
}

describe("ForgotPassword", () => {
  it("asks for a link and says one was sent if the address has an account", async () => {
    const fetchMock = vi.fn<(request: Request) => Promise<Response>>(async () => new Response(null, { status: 202 }));
    vi.stubGlobal("fetch", fetchMock);
    renderPage();
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(await screen.findByRole("status")).toHaveTextContent("If an account uses ada@example.com");
    const request = fetchMock.mock.calls[0][0];
    expect(new URL(request.url).pathname).toBe("/api/v1/auth/password-reset");
    expect(await request.json()).toEqual({ email: "ada@example.com" });
  });

  it("says how long to wait when the network asked too often", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: "too_many_requests", message: "Too many." } }), {
            status: 429,
            headers: { "content-type": "application/json", "Retry-After": "900" },
          }),
      ),
    );
    renderPage();
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Send me a link" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Try again in 15 minutes.");
  });
});
