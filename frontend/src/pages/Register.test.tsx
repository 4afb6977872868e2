import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeApi, json, renderApp, session } from "../test/harness";
import { Register } from "./Register";

type Door = { mode: "open" | "invite" | "domains"; domains: string[] };

function serve(door: Door, registrations: unknown[], refusal?: { code: string; message: string }) {
  fakeApi(({ path, body }) => {
    if (path === "/api/v1/auth/refresh") return json(401, { error: { code: "invalid_refresh_token", message: "" } });
    if (path === "/api/v1/users/registration") return json(200, door);
    if (path === "/api/v1/auth/register") {
      registrations.push(body);
      return refusal ? json(403, { error: refusal }) : json(201, session());
    }
  });
}

function renderRegister(at: string) {
  return renderApp(at, [
    { path: "/register", element: <Register /> },
    { path: "/files", element: <p>Files page</p> },
  ]).router;
}

async function fillIn(email: string) {
  await userEvent.type(await screen.findByLabelText("Email"), email);
  await userEvent.type(screen.getByLabelText("Username"), "Ada");
  await userEvent.type(screen.getByLabelText("Password"), "correct horse battery staple 91");
  await userEvent.click(screen.getByRole("button", { name: "Create account" }));
}

describe("Register: who may register", () => {
  it("says up front that an invite-only SCloud needs an invitation, instead of a form that would fail", async () => {
    serve({ mode: "invite", domains: [] }, []);
    renderRegister("/register");
    expect(await screen.findByText(/This SCloud is invite-only/)).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Create account" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Log in" })).toBeInTheDocument();
  });

  it("sends the token of the invitation link with the registration", async () => {
    const registrations: unknown[] = [];
    serve({ mode: "invite", domains: [] }, registrations);
    const router = renderRegister("/register?invite=abc.secret");
    expect(await screen.findByText(/You were invited/)).toBeInTheDocument();
    await fillIn("ada@example.com");
    await screen.findByText("Files page");
    expect(router.state.location.pathname).toBe("/files");
    expect(registrations).toEqual([
      expect.objectContaining({ email: "ada@example.com", invitationToken: "abc.secret" }),
    ]);
  });

  it("shows the server's message when the invitation cannot be used", async () => {
    serve({ mode: "invite", domains: [] }, [], {
      code: "invitation_invalid",
      message: "This invitation link cannot be used: it has expired.",
    });
    renderRegister("/register?invite=abc.used");
    await fillIn("ada@example.com");
    expect(await screen.findByRole("alert")).toHaveTextContent("This invitation link cannot be used");
  });

  it("names the allowed domains beside the email field", async () => {
    serve({ mode: "domains", domains: ["example.com", "example.org"] }, []);
    renderRegister("/register");
    expect(await screen.findByText(/Use an address at example.com or example.org/)).toBeInTheDocument();
  });

  it("sends no invitation token when registration is open", async () => {
    const registrations: unknown[] = [];
    serve({ mode: "open", domains: [] }, registrations);
    renderRegister("/register");
    await fillIn("ada@example.com");
    await screen.findByText("Files page");
    expect(registrations).toEqual([expect.objectContaining({ invitationToken: null })]);
  });
});
