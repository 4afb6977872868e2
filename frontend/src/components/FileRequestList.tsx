import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { drive } from "../api/drive";
import { fileRequests, type FileRequest } from "../api/fileRequest";
import { formatBytes, formatDate } from "../lib/format";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";
import { Button } from "./Field";
import { RequestSettingsForm } from "./FileRequestDialog";
import { ListStatus } from "./ListStatus";
import { useToast } from "./Toast";

const STATUS: Record<FileRequest["status"], string> = { active: "Open", revoked: "Revoked", expired: "Expired" };

/** "Open until …, 3 files (2.0 MB) received, up to 10 MB each" */
export function describeRequest(request: FileRequest): string {
  const files = request.filesReceived === 1 ? "1 file" : `${request.filesReceived} files`;
  const parts = [
    request.status === "active" ? `Open until ${formatDate(request.expiresAt)}` : STATUS[request.status],
    `${files} (${formatBytes(request.bytesReceived)}) received`,
    `up to ${formatBytes(request.maxFileBytes)} each`,
  ];
  if (request.maxTotalBytes !== null) parts.push(`${formatBytes(request.maxTotalBytes)} in all`);
  return parts.join(" · ");
}

/** The user's file requests, newest first, each with one-click revoke: part of the Shared page. */
export function FileRequestList() {
  const load = useCallback(
    ({ cursor, limit, signal }: PageRequest) => fileRequests.list({ limit, cursor }, signal),
    [],
  );
  const list = usePagedList(load, "file requests");
  return (
    <section aria-labelledby="file-requests" className="space-y-3">
      <h2 id="file-requests" className="text-xl font-semibold">
        File requests
      </h2>
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : list.items.length === 0 && !list.error ? (
        <p className="text-sm">
          No file requests yet. Choose “Request files” in a folder’s actions to let others send you files.
        </p>
      ) : (
        <ul className="space-y-3">
          {list.items.map((request) => (
            <RequestRow
              key={request.id}
              request={request}
              onChange={(next) => list.setItems((items) => items.map((item) => (item.id === next.id ? next : item)))}
            />
          ))}
        </ul>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
    </section>
  );
}

function RequestRow({ request, onChange }: { request: FileRequest; onChange(request: FileRequest): void }) {
  const [name, setName] = useState<string | null>(null);
  const [editing, setEditing] = useState(false);
  const toast = useToast();
  const revoking = useSubmit({ onError: (message) => toast({ kind: "error", message }) });
  useEffect(() => {
    const controller = new AbortController();
    drive
      .folder(request.folderId, controller.signal)
      .then((folder) => setName(folder.name))
      .catch(() => !controller.signal.aborted && setName(""));
    return () => controller.abort();
  }, [request.folderId]);
  const label = name === null ? "…" : name || "A folder no longer in your drive";
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-700 dark:bg-slate-900">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium [overflow-wrap:anywhere]">
            {name ? (
              <Link to={`/files/${request.folderId}`} className="hover:underline">
                {label}
              </Link>
            ) : (
              label
            )}{" "}
            <span className="text-xs font-normal text-slate-600 dark:text-slate-400">(file request)</span>
          </p>
          <p className="text-slate-600 dark:text-slate-400">
            Created {formatDate(request.createdAt)} · {describeRequest(request)}
          </p>
        </div>
        {request.status === "active" && (
          <div className="flex gap-2">
            <Button
              variant="secondary"
              aria-expanded={editing}
              aria-label={`Change the file request into ${label}`}
              onClick={() => setEditing((open) => !open)}
            >
              {editing ? "Cancel" : "Change"}
            </Button>
            <Button
              variant="danger"
              busy={revoking.busy}
              aria-label={`Revoke the file request into ${label}`}
              onClick={() =>
                void revoking.run(async () => {
                  await fileRequests.revoke(request.id);
                  onChange({ ...request, status: "revoked", revokedAt: new Date().toISOString() });
                  toast({ message: "Request revoked: nobody can send files through it any more." });
                })
              }
            >
              Revoke
            </Button>
          </div>
        )}
      </div>
      {editing && request.status === "active" && (
        <RequestSettingsForm
          initial={{ ...request, showOwnerName: request.ownerName !== null }}
          submitLabel="Save changes"
          onSubmit={async (settings) => {
            const { maxFileBytes, ...rest } = settings;
            // An empty per-file field keeps the current limit; an empty total removes it.
            onChange(await fileRequests.update(request.id, maxFileBytes === null ? rest : settings));
            setEditing(false);
            toast({ message: "Request changed." });
          }}
        />
      )}
    </li>
  );
}
