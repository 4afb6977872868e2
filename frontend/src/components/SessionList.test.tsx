import { render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { sessionStore } from "../api/session";
import { fakeApi, json, renderApp } from "../test/harness";
import { SessionList, type DeviceSession } from "./SessionList";

const FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0";
const IPHONE =
  "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1";

const sessions: DeviceSession[] = [
  {
    id: "s-phone",
    userAgent: IPHONE,
    createdAt: "2026-11-25T10:00:00Z",
    lastUsedAt: "2026-11-25T11:00:00Z",
    current: false,
  },
  {
    id: "s-here",
    userAgent: FIREFOX,
    createdAt: "2026-11-20T10:00:00Z",
    lastUsedAt: "2026-11-25T12:00:00Z",
    current: true,
  },
];

type Handler = (request: Request) => Response | Promise<Response>;

function stubApi(handlers: Record<string, Handler>) {
  const api = fakeApi(({ method, path, request }) => handlers[`${method} ${path}`]?.(request));
  return api.requests;
}

describe("SessionList", () => {
  it("lists each device readably and marks this one", async () => {
    stubApi({ "GET /api/v1/auth/sessions": () => json(200, { sessions }) });
    render(<SessionList onSignedOutEverywhere={vi.fn()} />);
    const items = await screen.findAllByTestId("device-session");
    expect(items).toHaveLength(2);
    expect(items[0]).toHaveTextContent("Safari on iOS");
    expect(items[0]).not.toHaveTextContent("This device");
    expect(items[1]).toHaveTextContent("Firefox on Linux");
    expect(items[1]).toHaveTextContent("This device");
    expect(within(items[1]).queryByRole("button", { name: "Sign out" })).toBeNull();
  });

  it("signs another device out and takes it off the list", async () => {
    let finish: (response: Response) => void = () => undefined;
    const calls = stubApi({
      "GET /api/v1/auth/sessions": () => json(200, { sessions }),
      "DELETE /api/v1/auth/sessions/s-phone": () => new Promise((resolve) => (finish = resolve)),
    });
    render(<SessionList onSignedOutEverywhere={vi.fn()} />);
    const phone = (await screen.findAllByTestId("device-session"))[0];
    const button = within(phone).getByRole("button", { name: "Sign out" });
    await userEvent.click(button);
    expect(button).toHaveAttribute("aria-busy", "true");
    finish(json(204, null));
    await vi.waitFor(() => expect(screen.getAllByTestId("device-session")).toHaveLength(1));
    expect(screen.getByTestId("device-session")).toHaveTextContent("This device");
    expect(calls).toContain("DELETE /api/v1/auth/sessions/s-phone");
  });

  it("says so when a device could not be signed out, and keeps it listed", async () => {
    stubApi({
      "GET /api/v1/auth/sessions": () => json(200, { sessions }),
      "DELETE /api/v1/auth/sessions/s-phone": () =>
        json(503, { error: { code: "service_unavailable", message: "down" } }),
    });
    render(<SessionList onSignedOutEverywhere={vi.fn()} />);
    const phone = (await screen.findAllByTestId("device-session"))[0];
    await userEvent.click(within(phone).getByRole("button", { name: "Sign out" }));
    expect(await within(phone).findByRole("alert")).toHaveTextContent("Safari on iOS is still signed in");
    expect(within(phone).getByRole("button", { name: "Sign out" })).toBeEnabled();
    expect(screen.getAllByTestId("device-session")).toHaveLength(2);
  });

  it("drops a device that had already signed out", async () => {
    stubApi({
      "GET /api/v1/auth/sessions": () => json(200, { sessions }),
      "DELETE /api/v1/auth/sessions/s-phone": () =>
        json(404, { error: { code: "session_not_found", message: "No such session." } }),
    });
    render(<SessionList onSignedOutEverywhere={vi.fn()} />);
    const phone = (await screen.findAllByTestId("device-session"))[0];
    await userEvent.click(within(phone).getByRole("button", { name: "Sign out" }));
    await vi.waitFor(() => expect(screen.getAllByTestId("device-session")).toHaveLength(1));
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("says so when the devices cannot be listed", async () => {
    stubApi({
      "GET /api/v1/auth/sessions": () => json(503, { error: { code: "service_unavailable", message: "down" } }),
    });
    render(<SessionList onSignedOutEverywhere={vi.fn()} />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Your devices could not be listed");
  });

  it("signs out everywhere from the profile page and goes to the login page", async () => {
    const user = {
      userId: "u1",
      email: "ada@example.com",
      username: "Ada",
      gender: null,
      dateOfBirth: null,
      createdAt: "",
    };
    const calls = stubApi({
      "POST /api/v1/auth/refresh": () => json(200, { user, accessToken: "token", accessTokenExpiresAt: "" }),
      "GET /api/v1/users/me": () => json(200, { ...user, storageUsed: 0, fileCount: 0 }),
      "GET /api/v1/auth/sessions": () => json(200, { sessions }),
      "POST /api/v1/auth/logout-all": () => json(204, null),
    });
    const { router } = renderApp("/profile");
    await userEvent.click(await screen.findByRole("button", { name: "Sign out everywhere" }));
    await screen.findByRole("heading", { name: "Log in to SCloud" });
    expect(router.state.location.pathname).toBe("/login");
    expect(calls).toContain("POST /api/v1/auth/logout-all");
    expect(sessionStore.current).toBeNull();
    // Signing out on purpose is not a session that "ended".
    expect(screen.queryByText(/session has ended/)).toBeNull();
  });

  it("stays signed in and says so when signing out everywhere fails", async () => {
    const onSignedOutEverywhere = vi.fn(async () => {
      throw new TypeError("Failed to fetch");
    });
    stubApi({ "GET /api/v1/auth/sessions": () => json(200, { sessions }) });
    render(<SessionList onSignedOutEverywhere={onSignedOutEverywhere} />);
    await userEvent.click(screen.getByRole("button", { name: "Sign out everywhere" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You are still signed in");
    expect(screen.getByRole("button", { name: "Sign out everywhere" })).toBeEnabled();
  });
});
