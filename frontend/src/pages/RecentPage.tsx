import { useCallback } from "react";
import { Link } from "react-router";
import { activity } from "../api/activity";
import { describePath, drive, navigateTo } from "../api/drive";
import { messageOf } from "../api/errors";
import { Button } from "../components/Field";
import { ItemIcon } from "../components/ItemIcon";
import { ListStatus } from "../components/ListStatus";
import { useToast } from "../components/Toast";
import { useDocumentTitle } from "../lib/documentTitle";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";

/** /recent: the files the user opened, uploaded or changed, the most recent first. */
export function RecentPage() {
  const load = useCallback(({ cursor, limit, signal }: PageRequest) => activity.recent({ limit, cursor }, signal), []);
  const list = usePagedList(load, "recent");
  const toast = useToast();
  const downloading = useSubmit({ onError: (message) => toast({ kind: "error", message }) });
  useDocumentTitle("Recent");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Recent</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Files you opened, uploaded or changed, the most recent first.
      </p>
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : list.items.length === 0 && !list.error ? (
        <p className="text-sm">
          Nothing yet. Files you open or upload in{" "}
          <Link to="/files" className="text-indigo-700 underline dark:text-indigo-300">
            your files
          </Link>{" "}
          show here.
        </p>
      ) : (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm dark:divide-slate-700 dark:border-slate-700 dark:bg-slate-900">
          {list.items.map((file) => (
            <li key={file.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
              <div className="flex min-w-0 items-center gap-2">
                <ItemIcon family={fileTypeOf(file).family} />
                <div className="min-w-0">
                  <p className="font-medium [overflow-wrap:anywhere]">{file.name}</p>
                  <p className="text-xs text-slate-600 dark:text-slate-400">
                    <Link
                      to={file.parentId && file.parentId !== "root" ? `/files/${file.parentId}` : "/files"}
                      className="hover:underline"
                    >
                      {describePath(file.path)}
                    </Link>{" "}
                    · {formatBytes(file.size ?? 0)} ·{" "}
                    <time dateTime={file.touchedAt}>{formatDate(file.touchedAt)}</time>
                  </p>
                </div>
              </div>
              <Button
                variant="secondary"
                aria-label={`Download ${file.name}`}
                busy={downloading.busy}
                onClick={() =>
                  void downloading.run(
                    async () => navigateTo((await drive.link(file.id)).url),
                    (reason) => `Could not download ${file.name}: ${messageOf(reason)}`,
                  )
                }
              >
                Download
              </Button>
            </li>
          ))}
        </ul>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
    </div>
  );
}
