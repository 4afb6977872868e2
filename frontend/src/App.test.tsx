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
  new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });

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
      user: {
        userId: "u1",
        email: "ada@example.com",
        username: "Ada",
        gender: null,
        dateOfBirth: null,
        createdAt: "",
        emailVerified: true,
      },
      accessToken: "token",
      accessTokenExpiresAt: "",
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string) => {
        const path = new URL(typeof input === "string" ? input : input.url, "http://x").pathname;
        if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
        if (path === "/api/auth/login") return json(200, session);
        if (path === "/api/folders/root")
          return json(200, { id: "root", kind: "folder", name: "", parentId: null, path: [] });
        if (path === "/api/folders/root/children") return json(200, { items: [], nextCursor: null });
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

  it("says how long to wait when login is throttled", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string) => {
        const path = new URL(typeof input === "string" ? input : input.url, "http://x").pathname;
        if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
        return new Response(JSON.stringify({ error: { code: "too_many_attempts", message: "Too many attempts." } }), {
          status: 429,
          headers: { "content-type": "application/json", "Retry-After": "840" },
        });
      }),
    );
    renderAt("/login");
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Try again in 14 minutes.");
  });

  it("sends a signed-in person to the login page, once, when their session was ended elsewhere", async () => {
    const user = {
      userId: "u1",
      email: "ada@example.com",
      username: "Ada",
      gender: null,
      dateOfBirth: null,
      createdAt: "",
    };
    let refreshes = 0;
    const fetchMock = vi.fn(async (input: Request | string) => {
      const path = new URL(typeof input === "string" ? input : input.url, "http://x").pathname;
      if (path === "/api/auth/refresh") {
        refreshes += 1;
        // The first refresh restores the session on load; after that it was revoked.
        if (refreshes === 1) return json(200, { user, accessToken: "revoked soon", accessTokenExpiresAt: "" });
        return json(401, { error: { code: "invalid_refresh_token", message: "Sign in again." } });
      }
      return json(401, { error: { code: "invalid_token", message: "Your session has ended." } });
    });
    vi.stubGlobal("fetch", fetchMock);
    const router = renderAt("/files");
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Log in to SCloud" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe("?next=%2Ffiles");
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(refreshes).toBe(2);
    // The files page's four calls (upload limit, folder, its children, usage), each refused once;
    // nothing is retried after the sign-out.
    expect(fetchMock.mock.calls.length).toBeLessThanOrEqual(2 + 4);
    expect(router.state.location.pathname).toBe("/login");
  });

  it("does not say a session ended to a visitor who was never signed in", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(401, { error: { code: "invalid_refresh_token", message: "" } })),
    );
    renderAt("/files");
    await screen.findByRole("heading", { name: "Log in to SCloud" });
    expect(screen.queryByText(/session has ended/)).toBeNull();
  });

  it("shows a not-found page for unknown addresses", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(401, null)),
    );
    renderAt("/nowhere");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});

describe("confirmations", () => {
  async function fillDeletion(password: string, word: string) {
    await userEvent.type(screen.getByLabelText("Your password"), password);
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), word);
    await userEvent.click(screen.getByRole("button", { name: "Delete account" }));
  }

  it("deletes the account only after the password and DELETE are given, and sends the password", async () => {
    const bodies: unknown[] = [];
    const fetchMock = vi.fn(async (request: Request) => {
      bodies.push(await request.json());
      return json(204, null);
    });
    vi.stubGlobal("fetch", fetchMock);
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    const button = screen.getByRole("button", { name: "Delete account" });
    expect(button).toBeDisabled();
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), "delete");
    expect(button).toBeDisabled();
    await userEvent.clear(screen.getByLabelText("Type DELETE to confirm"));
    await userEvent.type(screen.getByLabelText("Type DELETE to confirm"), "DELETE");
    expect(button).toBeDisabled();
    await userEvent.type(screen.getByLabelText("Your password"), "Sunny day 42");
    await userEvent.click(button);
    await vi.waitFor(() => expect(onDeleted).toHaveBeenCalled());
    expect(fetchMock).toHaveBeenCalledTimes(1);
    expect(bodies).toEqual([{ password: "Sunny day 42" }]);
  });

  it("keeps the account and says so when deletion fails", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => json(503, { error: { code: "service_unavailable", message: "down" } })),
    );
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    await fillDeletion("Sunny day 42", "DELETE");
    expect(await screen.findByRole("alert")).toHaveTextContent("Your account was not deleted");
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("says the password is wrong, without signing out", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(async () =>
        json(401, { error: { code: "invalid_credentials", message: "Email or password is incorrect." } }),
      ),
    );
    sessionStore.set({
      user: {
        userId: "u1",
        email: "a@b.co",
        username: "Ada",
        gender: null,
        dateOfBirth: null,
        createdAt: "",
        emailVerified: true,
      },
      accessToken: "t",
      accessTokenExpiresAt: "",
    });
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    await fillDeletion("Wrong pass 1", "DELETE");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "That password is not right. Your account was not deleted.",
    );
    expect(onDeleted).not.toHaveBeenCalled();
    expect(sessionStore.current).not.toBeNull();
  });

  it("says how long to wait after too many wrong passwords", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: "too_many_attempts", message: "Too many attempts." } }), {
            status: 429,
            headers: { "content-type": "application/json", "Retry-After": "300" },
          }),
      ),
    );
    render(<DeleteAccount onDeleted={vi.fn()} />);
    await fillDeletion("Wrong pass 1", "DELETE");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Too many attempts. Try again in 5 minutes. Your account was not deleted.",
    );
  });

  it("lands on the home page, signed out, once the account is deleted", async () => {
    const user = {
      userId: "u1",
      email: "ada@example.com",
      username: "Ada",
      gender: null,
      dateOfBirth: null,
      createdAt: "",
    };
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request | string, init?: RequestInit) => {
        const request = typeof input === "string" ? new Request(new URL(input, "http://x"), init) : input;
        const key = `${request.method} ${new URL(request.url).pathname}`;
        if (key === "POST /api/auth/refresh")
          return json(200, { user, accessToken: "token", accessTokenExpiresAt: "" });
        if (key === "GET /api/users/me") return json(200, { ...user, storageUsed: 0, fileCount: 0 });
        if (key === "GET /api/auth/sessions") return json(200, { sessions: [] });
        if (key === "DELETE /api/users/me") return json(204, null);
        return json(404, { error: { code: "not_found", message: "" } });
      }),
    );
    const router = renderAt("/profile");
    await screen.findByLabelText("Your password");
    await fillDeletion("Sunny day 42", "DELETE");
    await screen.findByRole("heading", { name: "Your files, in your cloud." });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(router.state.location.pathname).toBe("/");
    expect(sessionStore.current).toBeNull();
  });

  it("a confirm dialog focuses Cancel and closes on Escape", async () => {
    const onCancel = vi.fn();
    const onConfirm = vi.fn();
    render(
      <ConfirmDialog
        title="Delete a.txt?"
        message="Gone for good."
        confirmLabel="Delete"
        onConfirm={onConfirm}
        onCancel={onCancel}
      />,
    );
    expect(screen.getByRole("dialog", { name: "Delete a.txt?" })).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Cancel" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(onCancel).toHaveBeenCalled();
    expect(onConfirm).not.toHaveBeenCalled();
  });
});
