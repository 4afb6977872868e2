import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { MemoryRouter } from "react-router";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ResetPassword } from "./ResetPassword";

beforeEach(() => window.history.replaceState(null, "", "/reset-password#token=tok-123"));
afterEach(() => vi.unstubAllGlobals());

function renderPage() {
  render(
    <MemoryRouter>
      <ResetPassword />
    </MemoryRouter>,
  );
}

async function choose(password: string, confirm = password) {
  await userEvent.type(screen.getByLabelText("New password"), password);
  await userEvent.type(screen.getByLabelText("Confirm new password"), confirm);
  await userEvent.click(screen.getByRole("button", { name: "Set my new password" }));
}

describe("ResetPassword", () => {
  it("sends the token from the link with the new password, and takes the token off the address bar", async () => {
    const fetchMock = vi.fn<(request: Request) => Promise<Response>>(async () => new Response(null, { status: 204 }));
    vi.stubGlobal("fetch", fetchMock);
    renderPage();
    expect(window.location.hash).toBe("");
    await choose("Rainy night 77 stars");
    expect(await screen.findByRole("status")).toHaveTextContent("every device was signed out");
    const request = fetchMock.mock.calls[0][0];
    expect(await request.json()).toEqual({ token: "tok-123", newPassword: "Rainy night 77 stars" });
  });

  it("refuses a short password before asking the service", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    renderPage();
    await choose("short");
    expect(await screen.findByRole("alert")).toHaveTextContent("at least 12 characters");
    expect(fetchMock).not.toHaveBeenCalled();
  });

  it("offers a new link when this one has expired", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: "link_expired", message: "This link has expired." } }), {
            status: 410,
            headers: { "content-type": "application/json" },
          }),
      ),
    );
    renderPage();
    await choose("Rainy night 77 stars");
    expect(await screen.findByRole("alert")).toHaveTextContent("This link has expired.");
    expect(screen.getByRole("link", { name: "Ask for a new link" })).toHaveAttribute("href", "/forgot-password");
  });
});
