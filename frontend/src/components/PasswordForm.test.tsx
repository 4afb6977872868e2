import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PasswordForm } from "./PasswordForm";

afterEach(() => vi.unstubAllGlobals());

async function change(current: string, next: string, confirm = next) {
  await userEvent.type(screen.getByLabelText("Current password"), current);
  await userEvent.type(screen.getByLabelText("New password"), next);
  await userEvent.type(screen.getByLabelText("Confirm new password"), confirm);
  await userEvent.click(screen.getByRole("button", { name: "Change password" }));
}

describe("PasswordForm", () => {
  it("says how long to wait after too many wrong current passwords", async () => {
    vi.stubGlobal(
      "fetch",
      vi.fn(
        async () =>
          new Response(JSON.stringify({ error: { code: "too_many_attempts", message: "Too many attempts." } }), {
            status: 429,
            headers: { "content-type": "application/json", "Retry-After": "60" },
          }),
      ),
    );
    render(<PasswordForm />);
    await change("Wrong pass 1", "Rainy night 77");
    expect(await screen.findByRole("alert")).toHaveTextContent("Too many attempts. Try again in 1 minute.");
  });

  it("refuses a new password shorter than 12 characters before asking the service", async () => {
    const fetchMock = vi.fn();
    vi.stubGlobal("fetch", fetchMock);
    render(<PasswordForm />);
    await change("Sunny day 42", "Rainy 77");
    expect(await screen.findByRole("alert")).toHaveTextContent("at least 12 characters");
    expect(fetchMock).not.toHaveBeenCalled();
  });
});
