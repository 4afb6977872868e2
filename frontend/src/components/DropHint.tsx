import { formatBytes } from "../lib/format";

/** The drop zone's hint under a folder's upload controls, lit while files are dragged over. */
export function DropHint({ dragging, maxUploadBytes }: { dragging: boolean; maxUploadBytes: number | null }) {
  return (
    <p
      className={`rounded-lg border-2 border-dashed px-4 py-3 text-center text-sm ${
        dragging
          ? "border-indigo-500 bg-indigo-50 text-indigo-800 dark:bg-indigo-950 dark:text-indigo-200"
          : "border-slate-300 text-slate-600 dark:border-slate-700 dark:text-slate-400"
      }`}
    >
      Drop files or folders anywhere here to upload them to this folder.{" "}
      {/* Its own line on a phone, kept while the limit loads, so the list below never moves. */}
      <span className="block min-h-5 sm:inline">
        {maxUploadBytes !== null && `Up to ${formatBytes(maxUploadBytes)} per file.`}
      </span>
    </p>
  );
}
