import { act, fireEvent, render, screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { TOAST_MS, ToastProvider, useToast } from "./Toast";

function Trigger({ onUndo }: { onUndo(): void }) {
  const toast = useToast();
  return (
    <button
      type="button"
      onClick={() => toast({ message: "a.txt moved to the trash", action: { label: "Undo", run: onUndo } })}
    >
      Delete
    </button>
  );
}

afterEach(() => vi.useRealTimers());

describe("toast with Undo", () => {
  it("runs Undo once and goes away", () => {
    const onUndo = vi.fn();
    render(
      <ToastProvider>
        <Trigger onUndo={onUndo} />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    expect(screen.getByRole("status")).toHaveTextContent("a.txt moved to the trash");
    fireEvent.click(screen.getByRole("button", { name: "Undo" }));
    expect(onUndo).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Undo" })).not.toBeInTheDocument();
  });

  it("stays long enough to be read, then leaves by itself", () => {
    vi.useFakeTimers();
    render(
      <ToastProvider>
        <Trigger onUndo={() => {}} />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    act(() => vi.advanceTimersByTime(TOAST_MS - 100));
    expect(screen.getByRole("button", { name: "Undo" })).toBeInTheDocument();
    act(() => vi.advanceTimersByTime(200));
    expect(screen.queryByRole("button", { name: "Undo" })).not.toBeInTheDocument();
  });

  it("runs Undo with Ctrl+Z or Cmd+Z, but not while typing", () => {
    const onUndo = vi.fn();
    render(
      <ToastProvider>
        <Trigger onUndo={onUndo} />
        <input aria-label="Name" />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    fireEvent.keyDown(screen.getByLabelText("Name"), { key: "z", ctrlKey: true });
    expect(onUndo).not.toHaveBeenCalled();
    fireEvent.keyDown(document.body, { key: "z", metaKey: true });
    expect(onUndo).toHaveBeenCalledTimes(1);
    expect(screen.queryByRole("button", { name: "Undo" })).not.toBeInTheDocument();
    fireEvent.keyDown(document.body, { key: "z", ctrlKey: true });
    expect(onUndo).toHaveBeenCalledTimes(1);
  });

  it("puts focus on Undo with F8, and waits while it holds focus", () => {
    vi.useFakeTimers();
    render(
      <ToastProvider>
        <Trigger onUndo={() => {}} />
      </ToastProvider>,
    );
    fireEvent.click(screen.getByRole("button", { name: "Delete" }));
    fireEvent.keyDown(document.body, { key: "F8" });
    expect(screen.getByRole("button", { name: "Undo" })).toHaveFocus();
    act(() => vi.advanceTimersByTime(TOAST_MS * 3));
    expect(screen.getByRole("button", { name: "Undo" })).toBeInTheDocument();
  });
});
