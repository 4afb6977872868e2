import { useEffect, useState, type DragEvent } from "react";
import type { FileRead } from "../api/upload";
import { formatBytes } from "../lib/format";
import { UploadQueue, type UploadItem } from "../lib/uploadQueue";

interface UploadDropzoneProps {
  maxUploadBytes: number | null;
  onUploaded(file: FileRead): void;
}

export function UploadDropzone({ maxUploadBytes, onUploaded }: UploadDropzoneProps) {
  const [items, setItems] = useState<UploadItem[]>([]);
  const [dragging, setDragging] = useState(false);
  const [queue] = useState(() => new UploadQueue(setItems));
  useEffect(() => {
    queue.configure({ maxBytes: maxUploadBytes, onUploaded });
  }, [queue, maxUploadBytes, onUploaded]);

  useEffect(() => {
    const finished = items.filter((item) => item.status === "done");
    if (!finished.length) return;
    const timer = setTimeout(() => finished.forEach((item) => queue.dismiss(item.id)), 4000);
    return () => clearTimeout(timer);
  }, [items, queue]);

  function handleDrop(event: DragEvent) {
    event.preventDefault();
    setDragging(false);
    if (event.dataTransfer.files.length) queue.add(Array.from(event.dataTransfer.files));
  }

  return (
    <section aria-label="Upload files" className="space-y-3">
      <div
        data-testid="upload-dropzone"
        onDragEnter={(event) => {
          event.preventDefault();
          setDragging(true);
        }}
        onDragOver={(event) => event.preventDefault()}
        onDragLeave={() => setDragging(false)}
        onDrop={handleDrop}
        className={`flex flex-col items-center justify-center gap-2 rounded-lg border-2 border-dashed px-6 py-8 text-center transition ${
          dragging ? "border-indigo-500 bg-indigo-50" : "border-slate-300 bg-white"
        }`}
      >
        <p className="text-sm text-slate-600">Drag and drop files here, or</p>
        <label className="cursor-pointer rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm hover:bg-indigo-500 focus-within:outline focus-within:outline-3 focus-within:outline-indigo-500">
          Choose files
          <input
            type="file"
            multiple
            className="sr-only"
            onChange={(event) => {
              if (event.target.files?.length) queue.add(Array.from(event.target.files));
              event.target.value = "";
            }}
          />
        </label>
        {maxUploadBytes !== null && (
          <p className="text-xs text-slate-500">Up to {formatBytes(maxUploadBytes)} per file.</p>
        )}
      </div>
      {items.length > 0 && (
        <ul className="space-y-2" aria-label="Uploads">
          {items.map((item) => (
            <UploadRow
              key={item.id}
              item={item}
              onCancel={() => queue.cancel(item.id)}
              onDismiss={() => queue.dismiss(item.id)}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function UploadRow({ item, onCancel, onDismiss }: { item: UploadItem; onCancel(): void; onDismiss(): void }) {
  const percent = item.size ? Math.round((item.loaded / item.size) * 100) : 100;
  return (
    <li className="rounded-md border border-slate-200 bg-white px-3 py-2 text-sm">
      <div className="flex items-center justify-between gap-2">
        <span className="truncate font-medium">{item.name}</span>
        {item.status === "uploading" || item.status === "waiting" ? (
          <button
            type="button"
            onClick={onCancel}
            aria-label={`Cancel upload of ${item.name}`}
            className="text-slate-600 underline hover:text-slate-900"
          >
            Cancel
          </button>
        ) : (
          <button
            type="button"
            onClick={onDismiss}
            aria-label={`Dismiss ${item.name}`}
            className="text-slate-500 hover:text-slate-900"
          >
            ✕
          </button>
        )}
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
          <span className="w-10 text-right text-xs tabular-nums text-slate-500">{percent}%</span>
        </div>
      )}
      {item.status === "waiting" && <p className="mt-1 text-slate-500">Waiting…</p>}
      {item.status === "done" && (
        <p className="mt-1 text-emerald-700" role="status">
          Uploaded
        </p>
      )}
      {(item.status === "failed" || item.status === "rejected") && (
        <p className="mt-1 text-red-700" role="alert">
          {item.message}
        </p>
      )}
      {item.status === "cancelled" && <p className="mt-1 text-slate-600">{item.message}</p>}
    </li>
  );
}
