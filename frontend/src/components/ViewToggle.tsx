import type { ViewMode } from "../lib/viewMode";

const VIEWS: { mode: ViewMode; label: string; glyph: string }[] = [
  { mode: "list", label: "List", glyph: "M3 5h14M3 10h14M3 15h14" },
  { mode: "grid", label: "Grid", glyph: "M3 3h6v6H3zM11 3h6v6h-6zM3 11h6v6H3zM11 11h6v6h-6z" },
];

/** The "List | Grid" switch of the files and search pages: a labelled group of two toggle buttons, the shown one pressed. */
export function ViewToggle({ value, onChange }: { value: ViewMode; onChange(mode: ViewMode): void }) {
  return (
    <div
      role="group"
      aria-label="View"
      className="inline-flex rounded-md border border-slate-300 bg-white shadow-sm dark:border-slate-600 dark:bg-slate-900"
    >
      {VIEWS.map(({ mode, label, glyph }) => (
        <button
          key={mode}
          type="button"
          aria-pressed={value === mode}
          onClick={() => onChange(mode)}
          className={`inline-flex items-center gap-1.5 px-3 py-2 text-sm font-semibold first:rounded-l-md last:rounded-r-md ${
            value === mode
              ? "bg-indigo-600 text-white"
              : "text-slate-800 hover:bg-slate-50 dark:text-slate-200 dark:hover:bg-slate-800"
          }`}
        >
          <svg
            aria-hidden="true"
            viewBox="0 0 20 20"
            className="h-4 w-4"
            fill="none"
            stroke="currentColor"
            strokeWidth={1.6}
            strokeLinecap="round"
            strokeLinejoin="round"
          >
            <path d={glyph} />
          </svg>
          {label}
        </button>
      ))}
    </div>
  );
}
