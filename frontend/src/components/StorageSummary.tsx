import { formatBytes } from "../lib/format";

export function StorageSummary({ storageUsed, fileCount }: { storageUsed: number; fileCount: number }) {
  return (
    <p className="text-sm text-slate-600 dark:text-slate-400">
      {fileCount} {fileCount === 1 ? "file" : "files"} · {formatBytes(storageUsed)} used
    </p>
  );
}
