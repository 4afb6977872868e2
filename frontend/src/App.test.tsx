import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "./api/session";
import { routes } from "./App";
import { ConfirmDialog } from "./components/ConfirmDialog";
import { DeleteAccount } from "./components/DeleteAccount";
import { SessionProvider } from "./session/SessionProvider";

const json = (status: number, body: unknown) =>
  new Response(body === null ? null : JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

function renderAt(path: string) {
  const router = createMemoryRouter(routes, { initialEntries: [path] });
  render(
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return router;
}

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStore.set(null);
});

describe("routing", () => {
  it("sends a signed-out visitor of /files to the login page and back after logging in", async () => {
    const session = {
      user: { userId: "u1", email: "ada@example.com", username: "Ada", gender: null, dateOfBirth: null, createdAt: "" },
      accessToken: "token",
      accessTokenExpiresAt: "",
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string) => {
        const path = new URL(typeof input === "string" ? input : input.url, "http://x").pathname;
        if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
        if (path === "/api/auth/login") return json(200, session);
        if (path === "/api/files") return json(200, { files: [], nextCursor: null });
        if (path === "/api/files/limits") return json(200, { maxUploadBytes: 1000 });
        if (path === "/api/users/me") return json(200, { ...session.user, storageUsed: 0, fileCount: 0 });
        return json(404, { error: { code: "not_found", message: "" } });
      }),
    );
    const router = renderAt("/files");
    await screen.findByRole("heading", { name: "Log in to SCloud" });
    expect(router.state.location.search).toBe("?next=%2Ffiles");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Secret pass 1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await screen.findByRole("heading", { name: "Your files" });
    expect(router.state.location.pathname).toBe("/files");
    expect(await screen.findByText("No files yet")).toBeInTheDocument();
  });

  it("shows the API's message when login fails", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string) => {
        const path = new URL(typeof input === "string" ? input : input.url, "http://x").pathname;
        if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
        return json(401, { error: { code: "invalid_credentials", message: "Email or password is incorrect." } });
      }),
    );
    renderAt("/login");
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is incorrect.");
  });

  it("shows a not-found page for unknown addresses", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(401, null)));
    renderAt("/nowhere");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});

describe("confirmations", () => {
  it("deletes the account only after DELETE is typed", async () => {
    const fetchMock = vi.fn(async () => json(204, null));
    vi.stubGlobal("fetch", fetchMock);
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    const button = screen.getByRole("button", { name: "Delete account" });
    expect(button).toBeDisabled();
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), "delete");
    expect(button).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("Type DELETE to confirm"));
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), "DELETE");
    await userEvent.click(button);
    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(fetchMock).toHaveBeenCalledTimes(1);
  });

  it("keeps the account and says so when deletion fails", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => json(503, { error: { code: "service_unavailable", message: "down" } })));
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), "DELETE");
    await userEvent.click(screen.getByRole("button", { name: "Delete account" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Your account was not deleted");
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("a confirm dialog focuses Cancel and closes on Escape", async () => {
    const onCancel = vi.fn();
    const onConfirm = vi.fn();
    render(<ConfirmDialog title="Delete a.txt?" message="Gone for good." confirmLabel="Delete" onConfirm={onConfirm} onCancel={onCancel} />);
    expect(screen.getByRole("dialog", { name: "Delete a.txt?" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
