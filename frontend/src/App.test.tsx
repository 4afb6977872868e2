import { act, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { sessionStore } from "./api/session";
import { ConfirmDialog } from "./components/ConfirmDialog";
import { DeleteAccount } from "./components/DeleteAccount";
import { fakeApi, json, limits, renderApp, session as signedIn, user } from "./test/harness";

const renderAt = (path: string) => renderApp(path).router;

describe("routing", () => {
  it("sends a signed-out visitor of /files to the login page and back after logging in", async () => {
    fakeApi(({ method, path }) => {
      if (path === "/api/v1/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
      if (method === "POST" && path === "/api/v1/auth/login") return json(200, signedIn());
      if (path === "/api/v1/folders/root")
        return json(200, { id: "root", kind: "folder", name: "", parentId: null, path: [] });
      if (path === "/api/v1/folders/root/children") return json(200, { items: [], nextCursor: null });
      if (path === "/api/v1/files/limits") return json(200, limits);
      if (path === "/api/v1/users/me") return json(200, { ...user, storageUsed: 0, fileCount: 0 });
    });
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
    fakeApi(({ path }) =>
      path === "/api/v1/auth/refresh"
        ? json(401, { error: { code: "invalid_refresh_token", message: "" } })
        : json(401, { error: { code: "invalid_credentials", message: "Email or password is incorrect." } }),
    );
    renderAt("/login");
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Email or password is incorrect.");
  });

  it("says how long to wait when login is throttled", async () => {
    fakeApi(({ path }) =>
      path === "/api/v1/auth/refresh"
        ? json(401, { error: { code: "invalid_refresh_token", message: "" } })
        : json(429, { error: { code: "too_many_attempts", message: "Too many attempts." } }, { "Retry-After": "840" }),
    );
    renderAt("/login");
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "nope");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Try again in 14 minutes.");
  });

  it("sends a signed-in person to the login page, once, when their session was ended elsewhere", async () => {
    let refreshes = 0;
    const api = fakeApi(({ path }) => {
      if (path === "/api/v1/auth/refresh") {
        refreshes += 1;
        // The first refresh restores the session on load; after that it was revoked.
        if (refreshes === 1) return json(200, { ...signedIn(), accessToken: "revoked soon" });
        return json(401, { error: { code: "invalid_refresh_token", message: "Sign in again." } });
      }
      return json(401, { error: { code: "invalid_token", message: "Your session has ended." } });
    });
    const router = renderAt("/files");
    expect(await screen.findByText(/Your session has ended/)).toBeInTheDocument();
    expect(screen.getByRole("heading", { name: "Log in to SCloud" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/login");
    expect(router.state.location.search).toBe("?next=%2Ffiles");
    await waitFor(() => expect(refreshes).toBe(2));
    // Every answer is already settled: let their promise chains run out before counting.
    await act(async () => {});
    expect(refreshes).toBe(2);
    // The files page's five calls (upload limit, folder, its children, usage, the usage bar's
    // quota), each refused once; nothing is retried after the sign-out.
    expect(api.fetch.mock.calls.length).toBeLessThanOrEqual(2 + 5);
    expect(router.state.location.pathname).toBe("/login");
  });

  it("does not say a session ended to a visitor who was never signed in", async () => {
    fakeApi(() => json(401, { error: { code: "invalid_refresh_token", message: "" } }));
    renderAt("/files");
    await screen.findByRole("heading", { name: "Log in to SCloud" });
    expect(screen.queryByText(/session has ended/)).toBeNull();
  });

  it("shows a not-found page for unknown addresses", async () => {
    fakeApi(() => json(401, null));
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
    const { fetch: fetchMock } = fakeApi(({ body }) => {
      bodies.push(body);
      return json(204, null);
    });
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
    fakeApi(() => json(503, { error: { code: "service_unavailable", message: "down" } }));
    const onDeleted = vi.fn();
    render(<DeleteAccount onDeleted={onDeleted} />);
    await fillDeletion("Sunny day 42", "DELETE");
    expect(await screen.findByRole("alert")).toHaveTextContent("Your account was not deleted");
    expect(onDeleted).not.toHaveBeenCalled();
  });

  it("says the password is wrong, without signing out", async () => {
    fakeApi(() => json(401, { error: { code: "invalid_credentials", message: "Email or password is incorrect." } }));
    sessionStore.set(signedIn());
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
    fakeApi(() =>
      json(429, { error: { code: "too_many_attempts", message: "Too many attempts." } }, { "Retry-After": "300" }),
    );
    render(<DeleteAccount onDeleted={vi.fn()} />);
    await fillDeletion("Wrong pass 1", "DELETE");
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Too many attempts. Try again in 5 minutes. Your account was not deleted.",
    );
  });

  it("lands on the home page, signed out, once the account is deleted", async () => {
    fakeApi(({ method, path }) => {
      const key = `${method} ${path}`;
      if (key === "POST /api/v1/auth/refresh") return json(200, signedIn());
      if (key === "GET /api/v1/users/me") return json(200, { ...user, storageUsed: 0, fileCount: 0 });
      if (key === "GET /api/v1/auth/sessions") return json(200, { sessions: [] });
      if (key === "DELETE /api/v1/users/me") return json(204, null);
    });
    const router = renderAt("/profile");
    await screen.findByLabelText("Your password");
    await fillDeletion("Sunny day 42", "DELETE");
    await screen.findByRole("heading", { name: "Your files, in your cloud." });
    await waitFor(() => expect(router.state.location.pathname).toBe("/"));
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
