import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { fakeSignedInApi, json, renderWithProviders } from "../test/harness";
import { ShareDialog } from "./ShareDialog";

const folder = { id: "F1", name: "Trip", kind: "folder" as const };
const person = (id: string, email: string, role: "viewer" | "editor") => ({
  id,
  email,
  role,
  addedAt: "2026-01-01T00:00:00Z",
});

describe("the share dialog's People section", () => {
  it("shares with an email as editor and says the invitation was sent", async () => {
    const bodies: unknown[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
      if (method === "GET" && path === "/api/v1/items/F1/people") return json(200, { items: [] });
      if (method === "POST" && path === "/api/v1/items/F1/people") {
        bodies.push(body);
        return json(202, person("P1", "bob@example.com", "editor"));
      }
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    expect(await screen.findByText(/Only you/)).toBeInTheDocument();
    const form = screen.getByRole("form", { name: "Share with a person" });
    await userEvent.type(within(form).getByLabelText("Email address"), " Bob@example.com ");
    await userEvent.selectOptions(within(form).getByLabelText("Role"), "editor");
    await userEvent.click(within(form).getByRole("button", { name: "Share" }));

    expect(await screen.findByText("Invitation sent to bob@example.com.")).toBeInTheDocument();
    expect(bodies).toEqual([{ email: "Bob@example.com", role: "editor" }]);
    const people = screen.getByRole("list", { name: "People with access" });
    expect(within(people).getByText("bob@example.com")).toBeInTheDocument();
    expect(within(people).getByLabelText("Role of bob@example.com")).toHaveValue("editor");
    expect(within(form).getByLabelText("Email address")).toHaveValue("");
  });

  it("lists who has access, changes a role and removes a person", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      requests.push(`${method} ${path} ${body ? JSON.stringify(body) : ""}`.trim());
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
      if (method === "GET" && path === "/api/v1/items/F1/people")
        return json(200, {
          items: [person("P1", "bob@example.com", "viewer"), person("P2", "cy@example.com", "editor")],
        });
      if (method === "PATCH" && path === "/api/v1/items/F1/people/P1")
        return json(200, person("P1", "bob@example.com", "editor"));
      if (method === "DELETE" && path === "/api/v1/items/F1/people/P2") return new Response(null, { status: 204 });
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    const people = await screen.findByRole("list", { name: "People with access" });
    expect(within(people).getAllByRole("listitem")).toHaveLength(2);
    await userEvent.selectOptions(within(people).getByLabelText("Role of bob@example.com"), "editor");
    await userEvent.click(within(people).getByRole("button", { name: "Remove cy@example.com" }));

    await waitFor(() => expect(within(people).getAllByRole("listitem")).toHaveLength(1));
    expect(within(people).queryByText("cy@example.com")).not.toBeInTheDocument();
    expect(within(people).getByLabelText("Role of bob@example.com")).toHaveValue("editor");
    expect(requests).toContain('PATCH /api/v1/items/F1/people/P1 {"role":"editor"}');
    expect(requests).toContain("DELETE /api/v1/items/F1/people/P2");
  });

  it("shows the API's message when sharing is refused", async () => {
    fakeSignedInApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/files/links") return json(200, { items: [], nextCursor: null });
      if (method === "GET" && path === "/api/v1/items/F1/people") return json(200, { items: [] });
      if (method === "POST" && path === "/api/v1/items/F1/people")
        return json(403, { error: { code: "cannot_share_with_self", message: "You cannot share with yourself." } });
    });
    renderWithProviders(<ShareDialog item={folder} onClose={() => {}} />);

    await userEvent.type(await screen.findByLabelText("Email address"), "ada@example.com");
    await userEvent.click(screen.getByRole("button", { name: "Share" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("You cannot share with yourself.");
    expect(screen.queryByRole("list", { name: "People with access" })).not.toBeInTheDocument();
  });
});
