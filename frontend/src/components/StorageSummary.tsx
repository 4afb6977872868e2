import { formatBytes } from "../lib/format";

export interface Usage {
  storageUsed: number;
  fileCount: number;
}

/** "3 files · 1.2 MB used". Its line is kept while the figures load, so nothing moves when they come. */
export function StorageSummary({ usage }: { usage: Usage | null }) {
  return (
    <p className="min-h-5 text-sm text-slate-600 dark:text-slate-400">
      {usage &&
        `${usage.fileCount} ${usage.fileCount === 1 ? "file" : "files"} · ${formatBytes(usage.storageUsed)} used`}
    </p>
  );
}
