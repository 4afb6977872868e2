import { useEffect, useState } from "react";
import { directUploadApi, takesDirectUploads, type StorageLimits } from "../api/directUpload";
import { formatBytes } from "../lib/format";

type Usage = Pick<StorageLimits, "quotaBytes" | "usedBytes" | "trashBytes">;

const share = (bytes: number, quota: number) => `${Math.min(100, (bytes / quota) * 100)}%`;

/** "1.2 GB of 10 GB used · 300 MB in the trash", for the bar's label and its screen-reader text. */
function describe({ quotaBytes, usedBytes, trashBytes }: Usage): string {
  const used = `${formatBytes(usedBytes)} of ${formatBytes(quotaBytes)} used`;
  return trashBytes > 0 ? `${used} · ${formatBytes(trashBytes)} in the trash` : used;
}

/**
 * The user's storage against their quota, the trash's share apart (it counts until emptied).
 * Asks the files service again whenever `reload` changes; shows nothing for a server without
 * quotas. Its line is kept while the figures load, so nothing moves when they come.
 */
export function UsageBar({ reload = 0 }: { reload?: number }) {
  const [usage, setUsage] = useState<Usage | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    directUploadApi
      .limits(controller.signal)
      .then((limits) => setUsage(takesDirectUploads(limits) && limits.quotaBytes > 0 ? limits : null))
      .catch(() => !controller.signal.aborted && setUsage(null));
    return () => controller.abort();
  }, [reload]);

  const full = usage !== null && usage.usedBytes >= usage.quotaBytes;
  return (
    <div className="mt-1 min-h-8 max-w-sm text-xs text-slate-600 dark:text-slate-400">
      {usage && (
        <>
          <div
            role="meter"
            aria-label="Storage used"
            aria-valuemin={0}
            aria-valuemax={usage.quotaBytes}
            aria-valuenow={Math.min(usage.usedBytes, usage.quotaBytes)}
            aria-valuetext={describe(usage)}
            className="flex h-2 overflow-hidden rounded-full bg-slate-200 dark:bg-slate-700"
          >
            <div
              className={full ? "bg-red-600" : "bg-indigo-600"}
              style={{ width: share(usage.usedBytes - usage.trashBytes, usage.quotaBytes) }}
            />
            <div
              data-testid="usage-trash"
              className="bg-amber-500"
              style={{ width: share(usage.trashBytes, usage.quotaBytes) }}
            />
          </div>
          <p className="mt-1 tabular-nums">
            {describe(usage)}
            {full && " · full: empty the trash or delete files to upload more"}
          </p>
        </>
      )}
    </div>
  );
}
