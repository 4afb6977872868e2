import { render } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { shortcutOf, useShortcuts } from "./shortcuts";

const key = (key: string, extra: Partial<KeyboardEvent> = {}) => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  target: document.body,
  ...extra,
});

describe("shortcutOf", () => {
  it("maps the drive's keys", () => {
    expect(shortcutOf(key("/"))).toBe("search");
    expect(shortcutOf(key("Delete"))).toBe("trash");
    expect(shortcutOf(key("F2"))).toBe("rename");
    expect(shortcutOf(key("a", { ctrlKey: true }))).toBe("selectAll");
    expect(shortcutOf(key("A", { metaKey: true }))).toBe("selectAll");
    expect(shortcutOf(key("a"))).toBeNull();
    expect(shortcutOf(key("/", { ctrlKey: true }))).toBeNull();
  });

  it("leaves keys to a text field being typed in, but not to a checkbox", () => {
    const input = document.createElement("input");
    expect(shortcutOf(key("/", { target: input }))).toBeNull();
    expect(shortcutOf(key("a", { ctrlKey: true, target: input }))).toBeNull();
    const checkbox = document.createElement("input");
    checkbox.type = "checkbox";
    expect(shortcutOf(key("Delete", { target: checkbox }))).toBe("trash");
  });
});

function Harness({ onTrash, onSearch }: { onTrash(): void; onSearch(): void }) {
  useShortcuts({ trash: onTrash, search: onSearch });
  return (
    <>
      <label>
        Name <input />
      </label>
      <button type="button">Row</button>
    </>
  );
}

describe("useShortcuts", () => {
  it("runs the page's handler, but not while typing or while a dialog is open", async () => {
    const onTrash = vi.fn();
    const onSearch = vi.fn();
    const { getByRole, getByLabelText } = render(<Harness onTrash={onTrash} onSearch={onSearch} />);
    getByRole("button", { name: "Row" }).focus();
    await userEvent.keyboard("{Delete}/");
    expect(onTrash).toHaveBeenCalledTimes(1);
    expect(onSearch).toHaveBeenCalledTimes(1);

    await userEvent.click(getByLabelText("Name"));
    await userEvent.keyboard("/{Delete}");
    expect(onSearch).toHaveBeenCalledTimes(1);
    expect(onTrash).toHaveBeenCalledTimes(1);

    const dialog = document.createElement("dialog");
    dialog.setAttribute("open", "");
    document.body.appendChild(dialog);
    getByRole("button", { name: "Row" }).focus();
    await userEvent.keyboard("{Delete}");
    expect(onTrash).toHaveBeenCalledTimes(1);
    dialog.remove();
  });
});
