import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderApp, session } from "../test/harness";
import { Login } from "./Login";

function renderLogin() {
  return renderApp("/login", [
    { path: "/login", element: <Login /> },
    { path: "/files", element: <p>Files page</p> },
  ]).router;
}

describe("Login with two-factor sign-in", () => {
  it("asks for the app's code after the password and signs in with it", async () => {
    const codes: unknown[] = [];
    fakeApi(({ path, body }) => {
      if (path === "/api/v1/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
      if (path === "/api/v1/auth/login") return json(202, { twoFactorRequired: true, challenge: "c1", expiresAt: "" });
      if (path === "/api/v1/auth/login/two-factor") {
        codes.push(body);
        if (body.code !== "123456") {
          return json(401, { error: { code: "invalid_two_factor_code", message: "That code is not right." } });
        }
        return json(200, session());
      }
    });
    const router = renderLogin();
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Secret pass 1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));

    const codeField = await screen.findByLabelText("Code from your authenticator app");
    expect(codeField).toHaveFocus();
    await userEvent.type(codeField, "654321");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("That code is not right.");

    await userEvent.clear(codeField);
    await userEvent.type(codeField, " 123456 ");
    await userEvent.click(screen.getByRole("button", { name: "Verify" }));
    await screen.findByText("Files page");
    expect(router.state.location.pathname).toBe("/files");
    expect(codes).toEqual([
      { challenge: "c1", code: "654321" },
      { challenge: "c1", code: "123456" },
    ]);
  });
});

describe("Login when the server is busy", () => {
  const busy = () => json(503, { error: { code: "busy", message: "Busy." } }, { "Retry-After": "1" });

  it("says it is still signing in while it waits, then signs in", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    let logins = 0;
    fakeApi(({ path }) => {
      if (path === "/api/v1/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
      if (path === "/api/v1/auth/login") return (logins += 1) < 3 ? busy() : json(200, session());
    });
    const router = renderLogin();
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Secret pass 1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    expect(await screen.findByText("Still signing in…")).toBeInTheDocument();
    await vi.advanceTimersByTimeAsync(10_000);
    await screen.findByText("Files page");
    expect(router.state.location.pathname).toBe("/files");
    expect(logins).toBe(3);
  });

  it("gives up after the bound with a readable error", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    fakeApi(({ path }) =>
      path === "/api/v1/auth/refresh" ? json(401, { error: { code: "invalid_refresh_token", message: "" } }) : busy(),
    );
    renderLogin();
    await userEvent.type(await screen.findByLabelText("Email"), "ada@example.com");
    await userEvent.type(screen.getByLabelText("Password"), "Secret pass 1");
    await userEvent.click(screen.getByRole("button", { name: "Log in" }));
    await screen.findByText("Still signing in…");
    await vi.advanceTimersByTimeAsync(30_000);
    expect(await screen.findByRole("alert")).toHaveTextContent("SCloud is busy signing people in");
    expect(screen.queryByText("Still signing in…")).toBeNull();
  });
});
