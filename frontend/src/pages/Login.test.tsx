import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
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
      if (path === "/api/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
      if (path === "/api/auth/login") return json(202, { twoFactorRequired: true, challenge: "c1", expiresAt: "" });
      if (path === "/api/auth/login/two-factor") {
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
