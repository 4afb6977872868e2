import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { createMemoryRouter, RouterProvider } from "react-router";
import { describe, expect, it } from "vitest";
import { SessionProvider } from "../session/SessionProvider";
import { Privacy } from "./Privacy";
import { Register } from "./Register";

describe("Privacy", () => {
  it("is linked from registration, where the optional details say what they are for", async () => {
    const router = createMemoryRouter(
      [
        { path: "/register", element: <Register /> },
        { path: "/privacy", element: <Privacy /> },
      ],
      { initialEntries: ["/register"] },
    );
    render(
      <SessionProvider>
        <RouterProvider router={router} />
      </SessionProvider>,
    );
    expect(screen.getByLabelText("Gender")).toHaveAccessibleDescription(/Optional\. Shown only to you/);
    expect(screen.getByLabelText("Date of birth")).toHaveAccessibleDescription(/Optional\. Shown only to you/);
    await userEvent.click(screen.getByRole("link", { name: "How SCloud handles your data" }));
    expect(await screen.findByRole("heading", { name: "How SCloud handles your data" })).toBeInTheDocument();
    expect(router.state.location.pathname).toBe("/privacy");
  });
});
