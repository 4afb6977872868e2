import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { UploadedFile } from "../api/drive";
import { formatBytes } from "../lib/format";
import { overallProgress, UploadQueue, type UploadItem, type UploadRequest } from "../lib/uploadQueue";
import { ConflictDialog } from "./ConflictDialog";
import { useLimits } from "./LimitsProvider";

type UploadedListener = (file: UploadedFile, parentId: string | null) => void;

interface UploadContextValue {
  add(requests: UploadRequest[]): void;
  maxUploadBytes: number | null;
  /** Called for every finished upload; answers the unsubscribe. */
  onUploaded(listener: UploadedListener): () => void;
}

const UploadContext = createContext<UploadContextValue | null>(null);
const UploadPanelContext = createContext<{ items: UploadItem[]; queue: UploadQueue } | null>(null);

export function useUploads(): UploadContextValue {
  const value = useContext(UploadContext);
  if (!value) throw new Error("useUploads needs an UploadProvider");
  return value;
}

/** One upload queue for the whole signed-in app, so uploads go on while the user browses folders. */
export function UploadProvider({
  children,
  queue: given,
  docked = false,
}: {
  children: ReactNode;
  queue?: UploadQueue;
  /** The page places `<UploadDock />` itself (the Layout's dock, under the toasts). */
  docked?: boolean;
}) {
  const maxUploadBytes = useLimits()?.maxUploadBytes ?? null;
  const [items, setItems] = useState<UploadItem[]>([]);
  const [queue] = useState(() => given ?? new UploadQueue(() => {}));
  const listeners = useRef(new Set<UploadedListener>());

  useEffect(() => {
    queue.observe(setItems);
  }, [queue]);
  useEffect(() => {
    queue.configure({
      maxBytes: maxUploadBytes,
      onUploaded: (file, parentId) => listeners.current.forEach((listener) => listener(file, parentId)),
    });
  }, [queue, maxUploadBytes]);

  const onUploaded = useCallback((listener: UploadedListener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);
  const value = useMemo(
    () => ({ add: (requests: UploadRequest[]) => queue.add(requests), maxUploadBytes, onUploaded }),
    [queue, maxUploadBytes, onUploaded],
  );
  const conflict = items.find((item) => item.status === "conflict");
  const panel = useMemo(() => ({ items, queue }), [items, queue]);
  const sending = overallProgress(items).active > 0;

  // Leaving or reloading the page would drop the uploads still running (nothing resumes them yet).
  useEffect(() => {
    if (!sending) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = "";
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [sending]);

  return (
    <UploadContext.Provider value={value}>
      <UploadPanelContext.Provider value={panel}>
        {children}
        {!docked && <UploadDock />}
      </UploadPanelContext.Provider>
      {conflict && (
        <ConflictDialog
          key={conflict.id}
          name={conflict.name}
          onChoose={(choice) => queue.resolve(conflict.id, choice)}
        />
      )}
    </UploadContext.Provider>
  );
}

/** The upload panel where the page docks it, while there are uploads to show. */
export function UploadDock() {
  const panel = useContext(UploadPanelContext);
  return panel && panel.items.length > 0 ? <UploadPanel items={panel.items} queue={panel.queue} /> : null;
}

/**
 * Every upload in one card: overall progress, each file's state, retry, and clearing the finished.
 * It folds to its summary by itself once everything is sent (unless some failed), and opens again
 * when new files start.
 */
export function UploadPanel({ items, queue }: { items: UploadItem[]; queue: UploadQueue }) {
  const [collapsed, setCollapsed] = useState(false);
  const overall = overallProgress(items);
  const [wasActive, setWasActive] = useState(overall.active > 0);
  const active = overall.active > 0;
  if (active !== wasActive) {
    setWasActive(active);
    setCollapsed(!active && !items.some((item) => item.status === "failed" || item.status === "conflict"));
  }
  const percent = overall.total ? Math.round((overall.loaded / overall.total) * 100) : 100;
  const failed = items.filter((item) => item.status === "failed").length;
  const summary = overall.active
    ? `Uploading ${overall.active} ${overall.active === 1 ? "file" : "files"}`
    : failed
      ? `${failed} ${failed === 1 ? "upload" : "uploads"} failed`
      : "Uploads finished";
  return (
    <section
      aria-label="Uploads"
      className="pointer-events-auto w-full rounded-lg border border-slate-200 bg-white text-sm shadow-lg sm:w-96 dark:border-slate-700 dark:bg-slate-900"
    >
      <div className="flex items-center justify-between gap-2 border-b border-slate-200 px-3 py-2 dark:border-slate-700">
        <h2 className="font-semibold">{summary}</h2>
        <div className="flex gap-2">
          <button
            type="button"
            onClick={() => queue.clearFinished()}
            className="rounded px-2 py-1 text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-slate-800"
          >
            Clear finished
          </button>
          <button
            type="button"
            aria-expanded={!collapsed}
            onClick={() => setCollapsed(!collapsed)}
            className="rounded px-2 py-1 text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800"
          >
            {collapsed ? "Show" : "Hide"}
          </button>
        </div>
      </div>
      <div className="px-3 py-2">
        <progress
          className="h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600"
          max={100}
          value={percent}
          aria-label="All uploads"
          aria-valuetext={`${formatBytes(overall.loaded)} of ${formatBytes(overall.total)}`}
        />
      </div>
      <ul hidden={collapsed} className="max-h-[40vh] space-y-2 overflow-y-auto px-3 pb-3">
        {items.map((item) => (
          <UploadRow key={item.id} item={item} queue={queue} />
        ))}
      </ul>
    </section>
  );
}

const linkButton = "text-slate-600 underline hover:text-slate-900 dark:text-slate-300 dark:hover:text-white";

function UploadRow({ item, queue }: { item: UploadItem; queue: UploadQueue }) {
  const percent = item.size ? Math.round((item.loaded / item.size) * 100) : 100;
  const active = item.status === "uploading" || item.status === "waiting" || item.status === "conflict";
  return (
    <li data-testid="upload-card" className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-700">
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-medium">{item.name}</span>
        <span className="flex shrink-0 gap-2">
          {item.status === "failed" && (
            <button
              type="button"
              onClick={() => queue.retry(item.id)}
              aria-label={`Retry upload of ${item.name}`}
              className={linkButton}
            >
              Retry
            </button>
          )}
          {active ? (
            <button
              type="button"
              onClick={() => queue.cancel(item.id)}
              aria-label={`Cancel upload of ${item.name}`}
              className={linkButton}
            >
              Cancel
            </button>
          ) : (
            <button
              type="button"
              onClick={() => queue.dismiss(item.id)}
              aria-label={`Dismiss ${item.name}`}
              className="text-slate-500 hover:text-slate-900 dark:text-slate-400 dark:hover:text-white"
            >
              ✕
            </button>
          )}
        </span>
      </div>
      {item.status === "uploading" && (
        <div className="mt-2 flex items-center gap-2">
          <progress
            className="h-2 w-full overflow-hidden rounded [&::-webkit-progress-bar]:bg-slate-200 [&::-webkit-progress-value]:bg-indigo-600"
            max={100}
            value={percent}
            aria-label={`Uploading ${item.name}`}
            aria-valuetext={`${formatBytes(item.loaded)} of ${formatBytes(item.size)}`}
          />
          <span className="w-10 text-right text-xs tabular-nums text-slate-500 dark:text-slate-400">{percent}%</span>
        </div>
      )}
      {item.status === "waiting" && <p className="mt-1 text-slate-500 dark:text-slate-400">Waiting…</p>}
      {item.status === "conflict" && <p className="mt-1 text-amber-700 dark:text-amber-300">{item.message}</p>}
      {item.status === "done" && <p className="mt-1 text-emerald-700 dark:text-emerald-400">Uploaded</p>}
      {(item.status === "failed" || item.status === "rejected") && (
        <p className="mt-1 text-red-700 dark:text-red-400" role="alert">
          {item.message}
        </p>
      )}
      {item.status === "cancelled" && <p className="mt-1 text-slate-600 dark:text-slate-400">{item.message}</p>}
    </li>
  );
}
