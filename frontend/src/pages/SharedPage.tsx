import { useCallback, useEffect, useState } from "react";
import { Link } from "react-router";
import { drive } from "../api/drive";
import { shareLinks, type AccessEntry, type ShareLink } from "../api/share";
import { Button } from "../components/Field";
import { FileRequestList } from "../components/FileRequestList";
import { ListStatus } from "../components/ListStatus";
import { Notice } from "../components/Notice";
import { describeLink } from "../components/ShareDialog";
import { Spinner } from "../components/Spinner";
import { useToast } from "../components/Toast";
import { useDocumentTitle } from "../lib/documentTitle";
import { formatDate } from "../lib/format";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";

const LOG_PAGE = 20;

const REASONS: Record<NonNullable<AccessEntry["reason"]>, string> = {
  password_required: "no password given",
  wrong_password: "wrong password",
  throttled: "too many attempts",
  expired: "expired",
  revoked: "revoked",
  exhausted: "used up",
};

const EVENTS: Record<AccessEntry["event"], string> = {
  open: "Opened",
  list: "Browsed a folder",
  download: "Downloaded",
  zip: "Downloaded a ZIP",
  refused: "Refused",
};

/** /shared: the user's links, newest first, each with one-click revoke and its access log. */
export function SharedPage() {
  const load = useCallback(({ cursor, limit, signal }: PageRequest) => shareLinks.list({ limit, cursor }, signal), []);
  const list = usePagedList(load, "links");
  useDocumentTitle("Shared");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Shared</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Links you made, newest first. A revoked or expired link stays here with its log for a while, then goes.
      </p>
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : list.items.length === 0 && !list.error ? (
        <p className="text-sm">
          You share nothing yet. Choose “Share” in a file or folder’s actions in{" "}
          <Link to="/files" className="text-indigo-700 underline dark:text-indigo-300">
            your files
          </Link>
          .
        </p>
      ) : (
        <ul className="space-y-3">
          {list.items.map((link) => (
            <LinkRow
              key={link.id}
              link={link}
              onChange={(next) => list.setItems((items) => items.map((item) => (item.id === next.id ? next : item)))}
            />
          ))}
        </ul>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
      <FileRequestList />
    </div>
  );
}

/** The shared item's name, read from the drive: the link itself carries only its id. */
function useItemName(link: ShareLink): { name: string | null; href: string | null } {
  const [found, setFound] = useState<{ name: string | null; href: string | null }>({ name: null, href: null });
  useEffect(() => {
    const controller = new AbortController();
    const read =
      link.itemKind === "folder"
        ? drive
            .folder(link.itemId, controller.signal)
            .then((folder) => ({ name: folder.name, href: `/files/${folder.id}` }))
        : drive
            .file(link.itemId, controller.signal)
            .then((file) => ({ name: file.name, href: file.parentId ? `/files/${file.parentId}` : "/files" }));
    read.then(setFound).catch(() => !controller.signal.aborted && setFound({ name: "", href: null }));
    return () => controller.abort();
  }, [link.itemId, link.itemKind]);
  return found;
}

function LinkRow({ link, onChange }: { link: ShareLink; onChange(link: ShareLink): void }) {
  const { name, href } = useItemName(link);
  const [showLog, setShowLog] = useState(false);
  const toast = useToast();
  const revoking = useSubmit({ onError: (message) => toast({ kind: "error", message }) });
  const label = name === null ? "…" : name || `A ${link.itemKind} no longer in your drive`;
  const logId = `log-${link.id}`;
  return (
    <li className="rounded-lg border border-slate-200 bg-white p-4 text-sm dark:border-slate-700 dark:bg-slate-900">
      <div className="flex flex-wrap items-start justify-between gap-2">
        <div className="min-w-0">
          <p className="font-medium [overflow-wrap:anywhere]">
            {href ? (
              <Link to={href} className="hover:underline">
                {label}
              </Link>
            ) : (
              label
            )}{" "}
            <span className="text-xs font-normal text-slate-600 dark:text-slate-400">({link.itemKind})</span>
          </p>
          <p className="text-slate-600 dark:text-slate-400">
            Created {formatDate(link.createdAt)} · {describeLink(link)}
            {link.refusals > 0 && ` · ${link.refusals} refused`}
            {link.lastAccessAt && ` · last used ${formatDate(link.lastAccessAt)}`}
          </p>
        </div>
        <div className="flex gap-2">
          <Button
            variant="secondary"
            aria-expanded={showLog}
            aria-controls={showLog ? logId : undefined}
            onClick={() => setShowLog(!showLog)}
          >
            {showLog ? "Hide log" : "Access log"}
          </Button>
          {link.status === "active" && (
            <Button
              variant="danger"
              busy={revoking.busy}
              aria-label={`Revoke the link to ${label}`}
              onClick={() =>
                void revoking.run(async () => {
                  await shareLinks.revoke(link.id);
                  onChange({ ...link, status: "revoked", revokedAt: new Date().toISOString() });
                  toast({ message: "Link revoked: it no longer opens." });
                })
              }
            >
              Revoke
            </Button>
          )}
        </div>
      </div>
      {showLog && <AccessLog id={logId} linkRef={link.id} />}
    </li>
  );
}

function AccessLog({ id, linkRef }: { id: string; linkRef: string }) {
  const [entries, setEntries] = useState<AccessEntry[] | null>(null);
  const [cursor, setCursor] = useState<string | null>(null);
  const { busy, result, run } = useSubmit();

  const loadPage = useCallback(
    (from: string | null) =>
      run(async (signal) => {
        const page = await shareLinks.log(linkRef, { limit: LOG_PAGE, cursor: from }, signal);
        setEntries((current) => [...(from ? (current ?? []) : []), ...page.items]);
        setCursor(page.nextCursor);
      }),
    [linkRef, run],
  );
  useEffect(() => {
    void loadPage(null);
  }, [loadPage]);

  return (
    <div id={id} className="mt-3">
      {result?.kind === "error" && <Notice kind="error">{result.text}</Notice>}
      {entries === null && busy && <Spinner label="Loading the log" />}
      {entries?.length === 0 && <p className="text-slate-600 dark:text-slate-400">Nobody has used this link yet.</p>}
      {entries && entries.length > 0 && (
        <table className="w-full text-left text-xs">
          <caption className="sr-only">Access log, newest first</caption>
          <thead className="text-slate-600 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-1 pr-3">
                When
              </th>
              <th scope="col" className="py-1 pr-3">
                What
              </th>
              <th scope="col" className="py-1 pr-3">
                Browser
              </th>
              <th scope="col" className="py-1">
                Network
              </th>
            </tr>
          </thead>
          <tbody>
            {entries.map((entry, index) => (
              <tr key={`${entry.at}-${index}`} className="border-t border-slate-100 dark:border-slate-800">
                <td className="py-1 pr-3 whitespace-nowrap">{formatDate(entry.at)}</td>
                <td className="py-1 pr-3">
                  {EVENTS[entry.event]}
                  {entry.reason && `: ${REASONS[entry.reason]}`}
                </td>
                <td className="py-1 pr-3">{entry.browser}</td>
                <td className="py-1 font-mono">{entry.network}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {cursor && (
        <Button variant="secondary" className="mt-2" busy={busy} onClick={() => void loadPage(cursor)}>
          Older entries
        </Button>
      )}
    </div>
  );
}
