import type { ReactNode } from "react";
import { Button } from "./Field";

interface SelectionToolbarProps {
  /** How many items are selected, loaded or not. */
  count: number;
  /** The actions on the selection (buttons). */
  children: ReactNode;
  onClear(): void;
  /** A bulk action under way: "Deleting 500 of 1,200…". */
  progress?: string | null;
  /** Shown under the actions: "Select all N in this folder", or what is selected. */
  note?: ReactNode;
}

/** The bar over a listing while items are checked: how many, what can be done to them, clearing. */
export function SelectionToolbar({ count, children, onClear, progress, note }: SelectionToolbarProps) {
  return (
    <div
      role="toolbar"
      aria-label="Selection"
      className="rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm dark:border-indigo-800 dark:bg-indigo-950"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="font-medium">{count.toLocaleString()} selected</span>
        {children}
        <Button variant="secondary" onClick={onClear}>
          Clear selection
        </Button>
      </div>
      {progress && (
        <p role="status" className="mt-2 text-indigo-900 dark:text-indigo-100">
          {progress}
        </p>
      )}
      {note && <div className="mt-2 text-indigo-900 dark:text-indigo-100">{note}</div>}
    </div>
  );
}

/** "Deleting 500 of 1,200…" while a bulk action on many items runs; nothing for a few. */
export function describeProgress(verb: string, done: number, total: number): string | null {
  return total > 1 ? `${verb} ${done.toLocaleString()} of ${total.toLocaleString()}…` : null;
}
