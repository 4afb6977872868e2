import { useEffect, useRef } from "react";

export type ShortcutAction = "search" | "trash" | "rename" | "selectAll";

/** True when keys belong to what the user is typing in, not to the page. */
export function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  if (target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit"].includes(target.type);
}

/** The drive action a key press asks for, or null. */
export function shortcutOf(event: Pick<KeyboardEvent, "key" | "ctrlKey" | "metaKey" | "altKey" | "target">) {
  if (event.altKey || isTyping(event.target)) return null;
  if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "a") return "selectAll";
  if (event.ctrlKey || event.metaKey) return null;
  if (event.key === "/") return "search";
  if (event.key === "Delete") return "trash";
  if (event.key === "F2") return "rename";
  return null;
}

/**
 * Calls the handler for the drive's keyboard shortcuts on the whole page, unless a dialog is
 * open (its own keys win) or the user is typing.
 */
export function useShortcuts(handlers: Partial<Record<ShortcutAction, () => void>>): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  useEffect(() => {
    function onKeyDown(event: KeyboardEvent) {
      if (document.querySelector("dialog[open]")) return;
      const action = shortcutOf(event);
      const handler = action && latest.current[action];
      if (!handler) return;
      event.preventDefault();
      handler();
    }
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, []);
}
