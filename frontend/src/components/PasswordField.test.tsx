import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { useState } from "react";
import { describe, expect, it } from "vitest";
import { PasswordField } from "./PasswordField";

function Harness({ meter = false }: { meter?: boolean }) {
  const [value, setValue] = useState("");
  return (
    <PasswordField
      label="New password"
      meter={meter}
      userInputs={["ada@example.com"]}
      value={value}
      onChange={(e) => setValue(e.target.value)}
    />
  );
}

describe("PasswordField", () => {
  it("shows and hides what was typed", async () => {
    render(<Harness />);
    const input = screen.getByLabelText("New password");
    await userEvent.type(input, "correct horse");
    expect(input).toHaveAttribute("type", "password");
    const toggle = screen.getByRole("button", { name: "Show new password" });
    await userEvent.click(toggle);
    expect(input).toHaveAttribute("type", "text");
    expect(screen.getByRole("button", { name: "Hide new password" })).toHaveAttribute("aria-pressed", "true");
  });

  it("rates a common password weak and a long unusual one strong", async () => {
    render(<Harness meter />);
    const input = screen.getByLabelText("New password");
    await userEvent.type(input, "password1234");
    expect(await screen.findByText(/Strength: (Very weak|Weak) — add another word/)).toBeInTheDocument();
    await userEvent.clear(input);
    await userEvent.type(input, "violet tractor under 7 moons");
    expect(await screen.findByText("Strength: Strong")).toBeInTheDocument();
    expect(input).toHaveAccessibleDescription(/Strength: Strong/);
  });
});
