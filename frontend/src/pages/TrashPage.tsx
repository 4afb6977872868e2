import { useCallback, useMemo, useRef, useState } from "react";
import { Link } from "react-router";
import { describePath, drive, type Item } from "../api/drive";
import { messageOf } from "../api/errors";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { ConflictDialog } from "../components/ConflictDialog";
import { Button } from "../components/Field";
import { ItemIcon } from "../components/ItemIcon";
import { SelectCheckbox } from "../components/SelectCheckbox";
import { useLimits } from "../components/LimitsProvider";
import { ListStatus } from "../components/ListStatus";
import { RowMenu } from "../components/RowMenu";
import { describeProgress, SelectionToolbar } from "../components/SelectionToolbar";
import { useToast } from "../components/Toast";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { EMPTY_SELECTION, retain, toggle, toggleAll, type Selection } from "../lib/selection";
import { useDocumentTitle } from "../lib/documentTitle";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";

type Pending = { kind: "forever"; items: Item[] } | { kind: "empty" } | null;
type Outcome = { items: Item[]; failed: { id: string; code: string; message: string }[] };

/** How long the trash keeps an item: the files service's setting, once it has answered. */
function describeRetention(days: number | undefined): string {
  if (days === undefined) return "for a set time";
  return days === 1 ? "for 1 day" : `for ${days} days`;
}

/** /trash: deleted items with where they were and when, to restore or delete forever. */
export function TrashPage() {
  const load = useCallback(({ cursor, limit, signal }: PageRequest) => drive.trash({ limit, cursor }, signal), []);
  const list = usePagedList(load, "trash");
  const items = list.items;
  const [rawSelection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const [pending, setPending] = useState<Pending>(null);
  const [progress, setProgress] = useState<string | null>(null);
  const [conflicts, setConflicts] = useState<Item[]>([]);
  const headingRef = useRef<HTMLHeadingElement>(null);
  const toast = useToast();
  const toastError = (message: string) => toast({ kind: "error", message });
  const restoring = useSubmit({ onError: toastError });
  const deleting = useSubmit({ onError: toastError });
  const retentionDays = useLimits()?.trashRetentionDays;
  useDocumentTitle("Trash");

  const order = useMemo(() => items.map((item) => item.id), [items]);
  const selection = useMemo(() => retain(rawSelection, order), [rawSelection, order]);
  const selected = items.filter((item) => selection.ids.has(item.id));
  const progressOf = (verb: string) => (done: number, total: number) =>
    setProgress(describeProgress(verb, done, total));

  /** Takes the items acted on off the list: every id asked for that did not fail. */
  function settle(ids: string[], result: Outcome, verb: string) {
    const failedIds = new Set(result.failed.map((entry) => entry.id));
    const done = new Set(ids.filter((id) => !failedIds.has(id)));
    const failed = result.failed.filter((entry) => entry.code !== "name_taken");
    list.setItems((current) => current.filter((item) => !done.has(item.id)));
    setSelection(EMPTY_SELECTION);
    if (done.size) toast({ message: `${done.size === 1 ? "1 item" : `${done.size} items`} ${verb}` });
    if (failed.length) toast({ kind: "error", message: failed.map((entry) => entry.message).join(" ") });
    headingRef.current?.focus();
  }

  async function restore(targets: Item[], onConflict: "fail" | "rename" | "replace" = "fail") {
    await restoring.run(
      async () => {
        const ids = targets.map((item) => item.id);
        const result = await drive.restore(ids, onConflict, progressOf("Restoring"));
        settle(ids, result, "restored");
        const taken = new Set(result.failed.filter((entry) => entry.code === "name_taken").map((entry) => entry.id));
        setConflicts((current) => [...current, ...targets.filter((item) => taken.has(item.id))]);
      },
      (reason) => `Could not restore: ${messageOf(reason)}`,
    );
    setProgress(null);
  }

  async function confirm() {
    if (!pending) return;
    await deleting.run(async () => {
      if (pending.kind === "empty") {
        await drive.emptyTrash();
        list.setItems(() => []);
        list.reload();
        toast({ message: "Trash emptied" });
      } else {
        const ids = pending.items.map((item) => item.id);
        settle(ids, await drive.deleteForever(ids, progressOf("Deleting")), "deleted forever");
      }
    });
    setProgress(null);
    setPending(null);
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
        Deleted items stay here {describeRetention(retentionDays)}, then are deleted for good. They count against your
        storage until then.
      </p>
      {selected.length > 0 && (
        <SelectionToolbar count={selected.length} onClear={() => setSelection(EMPTY_SELECTION)} progress={progress}>
          <Button variant="secondary" onClick={() => void restore(selected)}>
            Restore
          </Button>
          <Button variant="danger" onClick={() => setPending({ kind: "forever", items: selected })}>
            Delete forever
          </Button>
        </SelectionToolbar>
      )}
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : items.length === 0 ? (
        <p className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center text-lg font-medium dark:border-slate-700 dark:bg-slate-900">
          The trash is empty
        </p>
      ) : (
        <div
          id="file-list"
          tabIndex={-1}
          className="rounded-lg border border-slate-200 bg-white sm:overflow-x-auto dark:border-slate-700 dark:bg-slate-900"
        >
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
                    <SelectCheckbox
                      name={item.name}
                      checked={selection.ids.has(item.id)}
                      onToggle={(shiftKey) => setSelection(toggle(selection, order, item.id, shiftKey))}
                    />
                  </td>
                  <td className="w-full px-4 py-3 sm:w-1/2">
                    <span className="flex items-center gap-2 font-medium">
                      <ItemIcon family={fileTypeOf(item).family} />
                      <span className="[overflow-wrap:anywhere]" title={item.name}>
                        {item.name}
                      </span>
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
                  <td className="whitespace-nowrap px-2 py-3 text-right sm:px-4">
                    <span className="sm:hidden">
                      <RowMenu
                        label={`Actions for ${item.name}`}
                        actions={[
                          { label: "Restore", run: () => void restore([item]) },
                          {
                            label: "Delete forever",
                            run: () => setPending({ kind: "forever", items: [item] }),
                            danger: true,
                          },
                        ]}
                      />
                    </span>
                    <span className="hidden sm:inline">
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
                    </span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
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
          busy={deleting.busy}
          onConfirm={() => void confirm()}
          onCancel={() => setPending(null)}
          fallbackFocus={() => headingRef.current}
        />
      )}
      {conflict && (
        <ConflictDialog
          key={conflict.id}
          names={[conflict.name]}
          onChoose={(choice) => {
            setConflicts((current) => current.slice(1));
            if (choice !== "cancel") void restore([conflict], choice);
          }}
        />
      )}
    </section>
  );
}
