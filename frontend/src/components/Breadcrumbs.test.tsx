import { createEvent, fireEvent, render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router";
import { describe, expect, it, vi } from "vitest";
import { ITEMS_MIME } from "../lib/dragItems";
import { Breadcrumbs } from "./Breadcrumbs";

const folder = {
  id: "F3",
  name: "2024",
  path: [
    { id: "F1", name: "Projects" },
    { id: "F2", name: "Taxes" },
  ],
};

function dataTransfer(ids: string[]) {
  const data = new Map([[ITEMS_MIME, JSON.stringify(ids)]]);
  return { types: [...data.keys()], getData: (type: string) => data.get(type) ?? "", dropEffect: "none" };
}

describe("Breadcrumbs", () => {
  it("links every ancestor, root first, and names the current folder last", () => {
    render(
      <MemoryRouter>
        <Breadcrumbs folder={folder} />
      </MemoryRouter>,
    );
    const links = screen.getAllByRole("link");
    expect(links.map((link) => [link.textContent, link.getAttribute("href")])).toEqual([
      ["My files", "/files"],
      ["Projects", "/files/F1"],
      ["Taxes", "/files/F2"],
    ]);
    expect(screen.getByText("2024")).toHaveAttribute("aria-current", "page");
  });

  it("shows only My files at the root", () => {
    render(
      <MemoryRouter>
        <Breadcrumbs folder={{ id: "root", name: "", path: [] }} />
      </MemoryRouter>,
    );
    expect(screen.queryAllByRole("link")).toHaveLength(0);
    expect(screen.getByText("My files")).toHaveAttribute("aria-current", "page");
  });

  it("moves rows dropped on a crumb into that folder", () => {
    const onDropItems = vi.fn();
    render(
      <MemoryRouter>
        <Breadcrumbs folder={folder} onDropItems={onDropItems} />
      </MemoryRouter>,
    );
    const target = screen.getByRole("link", { name: "Projects" });
    const over = createEvent.dragOver(target);
    Object.defineProperty(over, "dataTransfer", { value: dataTransfer(["a", "b"]) });
    fireEvent(target, over);
    expect(over.defaultPrevented).toBe(true);
    const drop = createEvent.drop(target);
    Object.defineProperty(drop, "dataTransfer", { value: dataTransfer(["a", "b"]) });
    fireEvent(target, drop);
    expect(onDropItems).toHaveBeenCalledWith(["a", "b"], "F1");
  });
});
