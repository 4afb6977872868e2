import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderWithProviders, type ApiCall } from "../test/harness";
import { lifetimeChoices, PersonalAccessTokens, type AccessToken } from "./PersonalAccessTokens";

const SCOPES = ["files:read", "files:write", "shares:write", "profile:read", "profile:write"];
const SECRET = "scloud_pat_" + "s".repeat(43);

const backup: AccessToken = {
  id: "t-backup",
  name: "nightly backup",
  scopes: ["files:read"],
  createdAt: "2026-11-20T10:00:00Z",
  expiresAt: "2027-02-18T10:00:00Z",
  lastUsedAt: "2026-11-25T03:00:00Z",
  expired: false,
};

const unused: AccessToken = { ...backup, id: "t-old", name: "old sync", lastUsedAt: null, expired: true };

function stubApi(handlers: Record<string, (call: ApiCall) => Response | Promise<Response>>) {
  return fakeApi((call) => handlers[`${call.method} ${call.path}`]?.(call));
}

const listed =
  (tokens: AccessToken[], maxLifetimeDays = 90) =>
  () =>
    json(200, { tokens, maxLifetimeDays, scopes: SCOPES });

describe("PersonalAccessTokens", () => {
  it("lists each token with its scopes and last use, and marks expired ones", async () => {
    stubApi({ "GET /api/v1/auth/tokens": listed([backup, unused]) });
    renderWithProviders(<PersonalAccessTokens />);
    const items = await screen.findAllByTestId("access-token");
    expect(items[0]).toHaveTextContent("nightly backup");
    expect(items[0]).toHaveTextContent("files:read");
    expect(items[0]).toHaveTextContent("Last used");
    expect(items[1]).toHaveTextContent("Never used");
    expect(items[1]).toHaveTextContent("Expired");
  });

  it("creates a token with the chosen name, lifetime and scopes and shows its secret once", async () => {
    let sent: ApiCall["body"] = null;
    stubApi({
      "GET /api/v1/auth/tokens": listed([]),
      "POST /api/v1/auth/tokens": (call) => {
        sent = call.body;
        return json(201, { secret: SECRET, token: { ...backup, id: "t-new", name: "deploy", lastUsedAt: null } });
      },
    });
    renderWithProviders(<PersonalAccessTokens />);
    await userEvent.type(await screen.findByLabelText("Token name"), "deploy");
    await userEvent.selectOptions(screen.getByLabelText("Expires after"), "90 days");
    await userEvent.click(screen.getByRole("checkbox", { name: /files:write/ }));
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));

    expect(await screen.findByLabelText("Your new token")).toHaveValue(SECRET);
    expect(sent).toEqual({ name: "deploy", scopes: ["files:read", "files:write"], expiresInDays: 90 });
    expect(screen.getByTestId("access-token")).toHaveTextContent("deploy");
    await userEvent.click(screen.getByRole("button", { name: "Done" }));
    expect(screen.queryByLabelText("Your new token")).toBeNull();
    expect(document.body).not.toHaveTextContent(SECRET);
  });

  it("copies the secret", async () => {
    stubApi({
      "GET /api/v1/auth/tokens": listed([]),
      "POST /api/v1/auth/tokens": () => json(201, { secret: SECRET, token: backup }),
    });
    const writeText = vi.fn(async () => undefined);
    vi.stubGlobal("navigator", { ...navigator, clipboard: { writeText } });
    renderWithProviders(<PersonalAccessTokens />);
    await userEvent.type(await screen.findByLabelText("Token name"), "x");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    await userEvent.click(await screen.findByRole("button", { name: "Copy" }));
    expect(writeText).toHaveBeenCalledWith(SECRET);
    expect(await screen.findByText("Token copied.")).toBeInTheDocument();
  });

  it("cannot create a token without a scope", async () => {
    stubApi({ "GET /api/v1/auth/tokens": listed([]) });
    renderWithProviders(<PersonalAccessTokens />);
    await userEvent.type(await screen.findByLabelText("Token name"), "nothing");
    await userEvent.click(screen.getByRole("checkbox", { name: /files:read/ }));
    expect(screen.getByRole("button", { name: "Create token" })).toBeDisabled();
  });

  it("says why a token was not created", async () => {
    stubApi({
      "GET /api/v1/auth/tokens": listed([]),
      "POST /api/v1/auth/tokens": () =>
        json(409, { error: { code: "too_many_tokens", message: "You have as many tokens as an account may have." } }),
    });
    renderWithProviders(<PersonalAccessTokens />);
    await userEvent.type(await screen.findByLabelText("Token name"), "one more");
    await userEvent.click(screen.getByRole("button", { name: "Create token" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("The token was not created");
    expect(screen.queryByLabelText("Your new token")).toBeNull();
  });

  it("revokes a token after confirmation and takes it off the list", async () => {
    const api = stubApi({
      "GET /api/v1/auth/tokens": listed([backup, unused]),
      "DELETE /api/v1/auth/tokens/t-backup": () => json(204, null),
    });
    renderWithProviders(<PersonalAccessTokens />);
    const item = (await screen.findAllByTestId("access-token"))[0];
    await userEvent.click(within(item).getByRole("button", { name: "Revoke" }));
    const dialog = await screen.findByRole("dialog");
    expect(api.requests).not.toContain("DELETE /api/v1/auth/tokens/t-backup");
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke" }));
    await vi.waitFor(() => expect(screen.getAllByTestId("access-token")).toHaveLength(1));
    expect(screen.getByTestId("access-token")).toHaveTextContent("old sync");
    expect(api.requests).toContain("DELETE /api/v1/auth/tokens/t-backup");
  });

  it("keeps a token when the revocation is cancelled", async () => {
    const api = stubApi({ "GET /api/v1/auth/tokens": listed([backup]) });
    renderWithProviders(<PersonalAccessTokens />);
    await userEvent.click(await screen.findByRole("button", { name: "Revoke" }));
    await userEvent.click(within(await screen.findByRole("dialog")).getByRole("button", { name: "Cancel" }));
    expect(screen.getAllByTestId("access-token")).toHaveLength(1);
    expect(api.requests.filter((request) => request.startsWith("DELETE"))).toEqual([]);
  });

  it("offers lifetimes up to the maximum auth allows", async () => {
    expect(lifetimeChoices(90)).toEqual([7, 30, 60, 90]);
    expect(lifetimeChoices(45)).toEqual([7, 30, 45]);
    expect(lifetimeChoices(1)).toEqual([1]);
    stubApi({ "GET /api/v1/auth/tokens": listed([], 45) });
    renderWithProviders(<PersonalAccessTokens />);
    const options = within(await screen.findByLabelText("Expires after")).getAllByRole("option");
    expect(options.map((option) => option.textContent)).toEqual(["7 days", "30 days", "45 days"]);
  });

  it("says so when the tokens could not be listed", async () => {
    stubApi({
      "GET /api/v1/auth/tokens": () => json(503, { error: { code: "service_unavailable", message: "down" } }),
    });
    renderWithProviders(<PersonalAccessTokens />);
    expect(await screen.findByRole("alert")).toHaveTextContent("Your tokens could not be listed");
  });
});
