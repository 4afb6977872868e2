import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { describePath, drive, type BulkResult, type Item } from "../api/drive";
import { messageOf } from "../api/errors";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ConflictDialog } from "../components/ConflictDialog";
import { Button } from "../components/Field";
import { ItemIcon } from "../components/ItemIcon";
import { Notice } from "../components/Notice";
import { Spinner } from "../components/Spinner";
import { useToast } from "../components/Toast";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { EMPTY_SELECTION, retain, toggle, toggleAll, type Selection } from "../lib/selection";
import { useDocumentTitle } from "../lib/documentTitle";

type Pending = { kind: "forever"; items: Item[] } | { kind: "empty" } | null;

/** /trash: deleted items with where they were and when, to restore or delete forever. */
export function TrashPage() {
  const [items, setItems] = useState<Item[]>([]);
  const [nextCursor, setNextCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [rawSelection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [pending, setPending] = useState<Pending>(null);
  const [busy, setBusy] = useState(false);
  const [conflicts, setConflicts] = useState<Item[]>([]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const toast = useToast();
  useDocumentTitle("Trash");

  const load = useCallback(
    (cursor: string | null) =>
      drive
        .trash({ limit: 50, cursor })
        .then((page) => {
          setError(null);
          setItems((current) => (cursor ? [...current, ...page.items] : page.items));
          setNextCursor(page.nextCursor);
        })
        .catch((reason) => setError(messageOf(reason)))
        .finally(() => setLoading(false)),
    [],
  );
  useEffect(() => {
    void load(null);
  }, [load]);

  const order = useMemo(() => items.map((item) => item.id), [items]);
  const selection = useMemo(() => retain(rawSelection, order), [rawSelection, order]);
  const selected = items.filter((item) => selection.ids.has(item.id));

  /** Takes the items acted on off the list: every id asked for that did not fail. */
  function settle(ids: string[], result: BulkResult, verb: string) {
    const failedIds = new Set(result.failed.map((entry) => entry.id));
    const done = new Set(ids.filter((id) => !failedIds.has(id)));
    const failed = result.failed.filter((entry) => entry.code !== "name_taken");
    setItems((current) => current.filter((item) => !done.has(item.id)));
    if (done.size) toast({ message: `${done.size === 1 ? "1 item" : `${done.size} items`} ${verb}` });
    if (failed.length) toast({ kind: "error", message: failed.map((entry) => entry.message).join(" ") });
    headingRef.current?.focus();
  }

  async function restore(targets: Item[], onConflict: "fail" | "rename" | "replace" = "fail") {
    try {
      const ids = targets.map((item) => item.id);
      const result = await drive.restore(ids, onConflict);
      settle(ids, result, "restored");
      const taken = new Set(result.failed.filter((entry) => entry.code === "name_taken").map((entry) => entry.id));
      setConflicts((current) => [...current, ...targets.filter((item) => taken.has(item.id))]);
    } catch (reason) {
      toast({ kind: "error", message: `Could not restore: ${messageOf(reason)}` });
    }
  }

  async function confirm() {
    if (!pending) return;
    setBusy(true);
    try {
      if (pending.kind === "empty") {
        await drive.emptyTrash();
        setItems([]);
        setNextCursor(null);
        toast({ message: "Trash emptied" });
      } else {
        const ids = pending.items.map((item) => item.id);
        settle(ids, await drive.deleteForever(ids), "deleted forever");
      }
    } catch (reason) {
      toast({ kind: "error", message: messageOf(reason) });
    } finally {
      setBusy(false);
      setPending(null);
    }
  }

  const conflict = conflicts[0];

  return (
    <section aria-labelledby="trash-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 id="trash-heading" ref={headingRef} tabIndex={-1} className="text-2xl font-bold">
          Trash
        </h1>
        <Button variant="danger" disabled={!items.length} onClick={() => setPending({ kind: "empty" })}>
          Empty trash
        </Button>
      </div>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Deleted items stay here for a while, then are deleted for good. They count against your storage until then.
      </p>
      {selected.length > 0 && (
        <div
          role="toolbar"
          aria-label="Selection"
          className="flex flex-wrap items-center gap-2 rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm dark:border-indigo-800 dark:bg-indigo-950"
        >
          <span className="font-medium">{selected.length} selected</span>
          <Button variant="secondary" onClick={() => void restore(selected)}>
            Restore
          </Button>
          <Button variant="danger" onClick={() => setPending({ kind: "forever", items: selected })}>
            Delete forever
          </Button>
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {loading ? (
        <div className="flex justify-center py-8">
          <Spinner label="Loading the trash" />
        </div>
      ) : items.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center text-lg font-medium dark:border-slate-700 dark:bg-slate-900">
          The trash is empty
        </p>
      ) : (
        <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white dark:border-slate-700 dark:bg-slate-900">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Deleted items, most recently deleted first</caption>
            <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
              <tr>
                <th scope="col" className="w-10 px-4 py-3">
                  <input
                    type="checkbox"
                    aria-label="Select all"
                    checked={order.length > 0 && order.every((id) => selection.ids.has(id))}
                    onChange={() => setSelection(toggleAll(selection, order))}
                    className="h-4 w-4 accent-indigo-600"
                  />
                </th>
                <th scope="col" className="px-4 py-3">
                  Name
                </th>
                <th scope="col" className="hidden px-4 py-3 md:table-cell">
                  Original location
                </th>
                <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                  Deleted
                </th>
                <th scope="col" className="hidden px-4 py-3 sm:table-cell">
                  Size
                </th>
                <th scope="col" className="px-4 py-3 text-right">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
              {items.map((item) => (
                <tr key={item.id} data-testid="trash-row" data-item-id={item.id}>
                  <td className="px-4 py-3">
                    <input
                      type="checkbox"
                      aria-label={`Select ${item.name}`}
                      checked={selection.ids.has(item.id)}
                      onChange={() => {}}
                      onClick={(event) => setSelection(toggle(selection, order, item.id, event.shiftKey))}
                      className="h-4 w-4 accent-indigo-600"
                    />
                  </td>
                  <td className="max-w-0 px-4 py-3">
                    <span className="flex items-center gap-2 font-medium">
                      <ItemIcon family={fileTypeOf(item).family} />
                      <span className="truncate">{item.name}</span>
                    </span>
                  </td>
                  <td className="hidden px-4 py-3 md:table-cell">
                    <Link
                      to={item.path?.length ? `/files/${item.path[item.path.length - 1].id}` : "/files"}
                      className="text-indigo-700 hover:underline dark:text-indigo-300"
                    >
                      {describePath(item.path)}
                    </Link>
                  </td>
                  <td className="hidden whitespace-nowrap px-4 py-3 sm:table-cell">
                    {item.trashedAt ? formatDate(item.trashedAt) : "—"}
                  </td>
                  <td className="hidden whitespace-nowrap px-4 py-3 tabular-nums sm:table-cell">
                    {item.kind === "folder" ? "—" : formatBytes(item.size ?? 0)}
                  </td>
                  <td className="whitespace-nowrap px-4 py-3 text-right">
                    <button
                      type="button"
                      aria-label={`Restore ${item.name}`}
                      onClick={() => void restore([item])}
                      className="rounded-md px-2 py-1 font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-slate-800"
                    >
                      Restore
                    </button>
                    <button
                      type="button"
                      aria-label={`Delete forever ${item.name}`}
                      onClick={() => setPending({ kind: "forever", items: [item] })}
                      className="rounded-md px-2 py-1 font-medium text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-slate-800"
                    >
                      Delete forever
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {nextCursor && (
        <div className="flex justify-center">
          <Button variant="secondary" onClick={() => void load(nextCursor)}>
            Load more
          </Button>
        </div>
      )}
      {pending && (
        <ConfirmDialog
          title={
            pending.kind === "empty"
              ? "Empty the trash?"
              : pending.items.length === 1
                ? `Delete ${pending.items[0].name} forever?`
                : `Delete ${pending.items.length} items forever?`
          }
          message="They will be gone for good. This cannot be undone."
          confirmLabel={pending.kind === "empty" ? "Empty trash" : "Delete forever"}
          busy={busy}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
          fallbackFocus={() => headingRef.current}
        />
      )}
      {conflict && (
        <ConflictDialog
          key={conflict.id}
          name={conflict.name}
          onChoose={(choice) => {
            setConflicts((current) => current.slice(1));
            if (choice !== "cancel") void restore([conflict], choice);
          }}
        />
      )}
    </section>
  );
}
