import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { afterEach, describe, expect, it, vi } from "vitest";
import { sessionStore } from "../api/session";
import { SessionProvider } from "../session/SessionProvider";
import { Login } from "./Login";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json" } });

const session = {
  user: { userId: "u1", email: "ada@example.com", username: "Ada", gender: null, dateOfBirth: null, createdAt: "" },
  accessToken: "token",
  accessTokenExpiresAt: "",
};

function renderLogin() {
  const router = createMemoryRouter(
    [
      { path: "/login", element: <Login /> },
      { path: "/files", element: <p>Files page</p> },
    ],
    { initialEntries: ["/login"] },
  );
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

describe("Login with two-factor sign-in", () => {
  it("asks for the app's code after the password and signs in with it", async () => {
    const codes: unknown[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: Request) => {
        const path = new URL(input.url).pathname;
        if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
        if (path === "/api/auth/login") return json(202, { twoFactorRequired: true, challenge: "c1", expiresAt: "" });
        if (path === "/api/auth/login/two-factor") {
          const body = await input.json();
          codes.push(body);
          if (body.code !== "123456") {
            return json(401, { error: { code: "invalid_two_factor_code", message: "That code is not right." } });
          }
          return json(200, session);
        }
        return json(404, { error: { code: "not_found", message: "" } });
      }),
    );
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
