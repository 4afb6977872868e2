import { useEffect, useId, useMemo, useState, type DragEvent } from "react";
import { useParams } from "react-router";
import { ApiError, messageOf } from "../api/errors";
import { requestVisitor, type RequestedFolder } from "../api/fileRequest";
import { Button } from "../components/Field";
import { Notice } from "../components/Notice";
import { Spinner } from "../components/Spinner";
import { useDocumentTitle } from "../lib/documentTitle";
import { formatBytes, formatDate } from "../lib/format";
import { sendThroughRequest } from "../lib/requestUpload";

const MAX_NOTE = 500;

interface Sent {
  key: number;
  file: File;
  state: "waiting" | "sending" | "done" | "failed";
  sent: number;
  name?: string;
  error?: string;
}

type State = { kind: "loading" } | { kind: "open"; folder: RequestedFolder } | { kind: "refused"; message: string };

/**
 * The public page of a file request, `/r/<requestId>`: a visitor signed out drops files and sends
 * them into the owner's folder. It shows only what this visitor sent from this page.
 */
export function RequestPage() {
  const { requestId = "" } = useParams();
  const api = useMemo(() => requestVisitor(requestId), [requestId]);
  const [state, setState] = useState<State>({ kind: "loading" });
  const [files, setFiles] = useState<Sent[]>([]);
  const [note, setNote] = useState("");
  const [sending, setSending] = useState(false);
  const noteId = useId();
  const inputId = useId();

  useEffect(() => {
    const controller = new AbortController();
    api
      .open(controller.signal)
      .then((folder) => setState({ kind: "open", folder }))
      .catch((reason) => !controller.signal.aborted && setState({ kind: "refused", message: messageOf(reason) }));
    return () => controller.abort();
  }, [api]);

  useDocumentTitle(state.kind === "open" ? `Send files to ${state.folder.folderName}` : "Send files");

  const update = (key: number, change: Partial<Sent>) =>
    setFiles((current) => current.map((entry) => (entry.key === key ? { ...entry, ...change } : entry)));

  function add(list: FileList | null) {
    if (!list) return;
    const added = [...list].map((file, index) => ({
      key: Date.now() + index,
      file,
      state: "waiting" as const,
      sent: 0,
    }));
    setFiles((current) => [...current, ...added]);
  }

  async function sendAll() {
    setSending(true);
    for (const entry of files.filter((each) => each.state === "waiting" || each.state === "failed")) {
      update(entry.key, { state: "sending", sent: 0, error: undefined });
      try {
        const received = await sendThroughRequest(api, entry.file, note.trim() || null, (sent) =>
          update(entry.key, { sent }),
        );
        update(entry.key, { state: "done", sent: entry.file.size, name: received.name });
      } catch (reason) {
        update(entry.key, { state: "failed", error: messageOf(reason) });
        if (reason instanceof ApiError && [404, 410].includes(reason.status)) {
          setState({ kind: "refused", message: reason.message });
          break;
        }
      }
    }
    setSending(false);
  }

  function drop(event: DragEvent) {
    event.preventDefault();
    add(event.dataTransfer.files);
  }

  if (state.kind === "loading")
    return (
      <div className="flex justify-center py-16">
        <Spinner label="Opening the request" />
      </div>
    );
  if (state.kind === "refused")
    return (
      <div className="mx-auto max-w-xl space-y-4">
        <h1 className="text-2xl font-bold">Send files</h1>
        <Notice kind="error">{state.message}</Notice>
        <SentList files={files} />
      </div>
    );
  const { folder } = state;
  const pending = files.some((entry) => entry.state === "waiting" || entry.state === "failed");
  return (
    <div className="mx-auto max-w-xl space-y-4">
      <h1 className="text-2xl font-bold">Send files to “{folder.folderName}”</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {folder.ownerName ? `${folder.ownerName} asks you for files. ` : ""}
        Each file up to {formatBytes(folder.maxFileBytes)}
        {folder.bytesLeft !== null ? `, ${formatBytes(folder.bytesLeft)} in all` : ""}; open until{" "}
        {formatDate(folder.expiresAt)}. You will not see the folder’s other files.
      </p>
      <div
        onDragOver={(event) => event.preventDefault()}
        onDrop={drop}
        className="rounded-lg border-2 border-dashed border-slate-300 p-6 text-center dark:border-slate-600"
      >
        <p className="text-sm">Drop files here, or</p>
        <label
          htmlFor={inputId}
          className="mt-2 inline-block cursor-pointer rounded-md px-3 py-2 text-sm font-semibold text-indigo-700 underline focus-within:outline focus-within:outline-2 dark:text-indigo-300"
        >
          choose files
          <input id={inputId} type="file" multiple className="sr-only" onChange={(event) => add(event.target.files)} />
        </label>
      </div>
      <div>
        <label htmlFor={noteId} className="block text-sm font-medium">
          Note to the owner (optional)
        </label>
        <textarea
          id={noteId}
          maxLength={MAX_NOTE}
          rows={3}
          value={note}
          onChange={(event) => setNote(event.target.value)}
          className="mt-1 block w-full rounded-md border border-slate-300 px-3 py-2 text-sm dark:border-slate-600 dark:bg-slate-900"
        />
      </div>
      <Button type="button" busy={sending} disabled={!pending || sending} onClick={() => void sendAll()}>
        Send
      </Button>
      <SentList files={files} />
    </div>
  );
}

function SentList({ files }: { files: Sent[] }) {
  if (files.length === 0) return null;
  return (
    <section aria-labelledby="sent-files">
      <h2 id="sent-files" className="text-sm font-semibold">
        Your files
      </h2>
      <ul className="mt-2 space-y-2">
        {files.map((entry) => (
          <li key={entry.key} className="rounded-md border border-slate-200 p-2 text-sm dark:border-slate-700">
            <div className="flex justify-between gap-2">
              <span className="truncate">{entry.name ?? entry.file.name}</span>
              <span>{formatBytes(entry.file.size)}</span>
            </div>
            {entry.state === "sending" && (
              <progress
                className="mt-1 w-full"
                max={entry.file.size}
                value={entry.sent}
                aria-label={`Sending ${entry.file.name}`}
              />
            )}
            {entry.state === "done" && <p className="text-green-700 dark:text-green-400">Sent</p>}
            {entry.state === "failed" && <p className="text-red-700 dark:text-red-400">{entry.error}</p>}
          </li>
        ))}
      </ul>
    </section>
  );
}
