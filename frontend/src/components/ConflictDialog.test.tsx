import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { ConflictDialog } from "./ConflictDialog";

describe("ConflictDialog", () => {
  it.each([
    ["Replace", "replace"],
    ["Keep both", "rename"],
    ["Skip this file", "cancel"],
  ])("answers %s as %s", async (label, choice) => {
    const onChoose = vi.fn();
    render(<ConflictDialog names={["report.pdf"]} onChoose={onChoose} />);
    expect(screen.getByRole("dialog", { name: "report.pdf already exists" })).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: label }));
    expect(onChoose).toHaveBeenCalledWith(choice);
  });

  it("starts on Keep both, which loses nothing, and skips the file on Escape", async () => {
    const onChoose = vi.fn();
    render(<ConflictDialog names={["report.pdf"]} onChoose={onChoose} />);
    expect(screen.getByRole("button", { name: "Keep both" })).toHaveFocus();
    await userEvent.keyboard("{Escape}");
    expect(onChoose).toHaveBeenCalledWith("cancel");
  });

  it("offers a copy only Keep both or Skip, naming every item whose name is taken", async () => {
    const onChoose = vi.fn();
    render(<ConflictDialog names={["a.txt", "Photos"]} arriving="copy" onChoose={onChoose} />);
    const dialog = screen.getByRole("dialog", { name: "2 items already exist" });
    expect(dialog).toHaveTextContent("This folder already has items named a.txt, Photos.");
    expect(screen.queryByRole("button", { name: "Replace" })).not.toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Skip them" }));
    expect(onChoose).toHaveBeenCalledWith("cancel");
  });
});
