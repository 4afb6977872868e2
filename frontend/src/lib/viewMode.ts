import { useCallback, useState } from "react";

export type ViewMode = "list" | "grid";

/** Where this browser keeps the view of the files and search pages (per browser, whoever signs in). */
export const VIEW_MODE_KEY = "scloud.filesView";

function storedViewMode(): ViewMode {
  try {
    return localStorage.getItem(VIEW_MODE_KEY) === "grid" ? "grid" : "list";
  } catch {
    // Storage refused (private mode, blocked cookies): the list, every time.
    return "list";
  }
}

/** The list or grid view of the files and search pages (one choice for both), remembered in localStorage. */
export function useViewMode(): [ViewMode, (mode: ViewMode) => void] {
  const [mode, setMode] = useState(storedViewMode);
  const choose = useCallback((next: ViewMode) => {
    setMode(next);
    try {
      localStorage.setItem(VIEW_MODE_KEY, next);
    } catch {
      // Not remembered, still shown.
    }
  }, []);
  return [mode, choose];
}
