import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { takesDirectUploads, type StorageLimits } from "../api/directUpload";
import { uploadFile } from "../api/upload";
import { BatchUploads } from "../lib/batchUploads";
import { chooseUploader, DirectUploads, SharedFolderUploads, withSharedFolders } from "../lib/directUploads";
import { formatBytes, formatSpeed, formatTimeLeft } from "../lib/format";
import { secondsLeft } from "../lib/transferRate";
import {
  overallProgress,
  UploadQueue,
  type UploadedListener,
  type UploadItem,
  type UploadRequest,
} from "../lib/uploadQueue";
import { useSession } from "../session/SessionProvider";
import { ConflictDialog } from "./ConflictDialog";
import { useLimits } from "./LimitsProvider";

interface UploadContextValue {
  add(requests: UploadRequest[]): void;
  /** The largest file an upload takes: in parts when the server takes direct uploads, else in one request. */
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

/** Pause after an upload lands before the folder shown reloads: a burst of uploads reloads it once. */
const RELOAD_AFTER_UPLOAD_MS = 250;

/** Calls `reload` after uploads land where `isHere` says (once per burst of them). */
export function useReloadOnUpload(
  isHere: (parentId: string | null, shareId: string | undefined) => boolean,
  reload: () => void,
): void {
  const { onUploaded } = useUploads();
  const latest = useRef({ isHere, reload });
  useEffect(() => {
    latest.current = { isHere, reload };
  });
  useEffect(() => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const unsubscribe = onUploaded((_file, parentId, shareId) => {
      if (!latest.current.isHere(parentId, shareId)) return;
      clearTimeout(timer);
      timer = setTimeout(() => latest.current.reload(), RELOAD_AFTER_UPLOAD_MS);
    });
    return () => {
      clearTimeout(timer);
      unsubscribe();
    };
  }, [onUploaded]);
}

/** One upload queue for the whole signed-in app, so uploads go on while the user browses folders. */
export function UploadProvider({
  children,
  queue: given,
  docked = false,
  directUploads,
}: {
  children: ReactNode;
  queue?: UploadQueue;
  /** The page places `<UploadDock />` itself (the Layout's dock, under the toasts). */
  docked?: boolean;
  /** Tests pass direct uploads over a fake Uppy transfer. */
  directUploads?: (userId: string) => DirectUploads;
}) {
  const limits = useLimits() as Partial<StorageLimits> | null;
  const direct = takesDirectUploads(limits) ? limits : null;
  const maxUploadBytes = direct?.maxFileBytes ?? limits?.maxUploadBytes ?? null;
  const userId = useSession().user?.userId ?? null;
  const [items, setItems] = useState<UploadItem[]>([]);
  const [queue] = useState(() => given ?? new UploadQueue(() => {}));
  const listeners = useRef(new Set<UploadedListener>());
  // One user's direct uploads. Built without loading Uppy; it loads on the first direct upload or resume.
  const transfers = useMemo(
    () => (userId ? (directUploads?.(userId) ?? new DirectUploads(userId)) : null),
    [userId, directUploads],
  );

  const shares = useMemo(() => (userId ? new SharedFolderUploads(userId) : null), [userId]);
  useEffect(() => () => shares?.destroy(), [shares]);

  const [batches] = useState(() => new BatchUploads());

  useEffect(() => {
    queue.observe(setItems);
  }, [queue]);
  // What a reload or a crashed tab left of this user's direct uploads resumes.
  useEffect(() => {
    if (!transfers) return;
    void transfers.resumeKept((restored) => queue.adopt(restored)).catch(() => {});
    return () => transfers.destroy();
  }, [transfers, queue]);
  useEffect(() => {
    queue.configure({
      maxBytes: maxUploadBytes,
      onUploaded: (file, parentId, shareId) =>
        listeners.current.forEach((listener) => listener(file, parentId, shareId)),
      ...(given
        ? {}
        : { uploader: withSharedFolders(chooseUploader(direct, transfers, uploadFile, batches), direct, shares) }),
    });
  }, [queue, given, maxUploadBytes, direct, transfers, batches, shares]);

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
  const sending = items.some((item) => item.status === "uploading" || item.status === "waiting");

  // Leaving or reloading stops every upload: those in one request are lost, those in parts resume
  // only if the browser kept the file (Golden Retriever's bounds), so the user is asked first.
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
          names={[conflict.name]}
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
        {overall.active > 0 && (
          <p className="mt-1 min-h-4 text-xs tabular-nums text-slate-500 dark:text-slate-400" data-testid="upload-pace">
            {pace(overall.total - overall.loaded, overall.speed)}
          </p>
        )}
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

/** "2.1 MB/s · 40 s left", or nothing until the speed is known. */
function pace(remaining: number, speed: number | undefined): string {
  if (!speed) return "";
  const left = secondsLeft(remaining, speed);
  return left === null ? formatSpeed(speed) : `${formatSpeed(speed)} · ${formatTimeLeft(left)}`;
}

function UploadRow({ item, queue }: { item: UploadItem; queue: UploadQueue }) {
  const percent = item.size ? Math.round((item.loaded / item.size) * 100) : 100;
  const active = ["uploading", "waiting", "paused", "conflict"].includes(item.status);
  return (
    <li data-testid="upload-card" className="rounded-md border border-slate-200 px-3 py-2 dark:border-slate-700">
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-medium">{item.name}</span>
        <span className="flex shrink-0 gap-2">
          {item.resumable && item.status === "uploading" && (
            <button
              type="button"
              onClick={() => queue.pause(item.id)}
              aria-label={`Pause upload of ${item.name}`}
              className={linkButton}
            >
              Pause
            </button>
          )}
          {item.status === "paused" && (
            <button
              type="button"
              onClick={() => queue.resume(item.id)}
              aria-label={`Resume upload of ${item.name}`}
              className={linkButton}
            >
              Resume
            </button>
          )}
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
          {active || (item.status === "failed" && item.resumable) ? (
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
      {item.status === "uploading" && item.speed ? (
        <p className="mt-1 text-xs tabular-nums text-slate-500 dark:text-slate-400">
          {pace(item.size - item.loaded, item.speed)}
        </p>
      ) : null}
      {item.status === "paused" && (
        <p className="mt-1 text-slate-600 dark:text-slate-400">
          Paused at {formatBytes(item.loaded)} of {formatBytes(item.size)}
        </p>
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
