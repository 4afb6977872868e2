import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import {
  BULK_MAX_IDS,
  collectIds,
  drive,
  MAX_SELECT_ALL,
  navigateTo,
  type Item,
  type ListOptions,
  type Page,
} from "../api/drive";
import { messageOf } from "../api/errors";
import { EMPTY_SELECTION, retain, toggle, toggleAll, type Selection } from "../lib/selection";
import { useShortcuts } from "../lib/shortcuts";
import { useSubmit } from "../lib/useSubmit";
import { useSortParams } from "../lib/sortParams";
import { useThumbnailWatch } from "../lib/thumbnailWatch";
import { useCopyItems } from "../lib/useCopyItems";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { ConflictDialog } from "./ConflictDialog";
import { CopyProgress } from "./CopyProgress";
import { Button } from "./Field";
import { ItemGrid } from "./ItemGrid";
import { ItemTable, type ItemListProps } from "./ItemTable";
import { ListStatus } from "./ListStatus";
import { MoveDialog } from "./MoveDialog";
import { NameDialog } from "./NameDialog";
import { PreviewDialog } from "./PreviewDialog";
import { FileRequestDialog } from "./FileRequestDialog";
import { ShareDialog } from "./ShareDialog";
import { describeProgress, SelectionToolbar } from "./SelectionToolbar";
import { useToast } from "./Toast";

export type ItemLoader = (options: ListOptions, signal?: AbortSignal) => Promise<Page>;

interface ItemBrowserProps {
  caption: string;
  load: ItemLoader;
  /** What is listed (a folder id, a query): a new value starts a new listing, keeping the old rows until it answers. */
  listKey: string;
  /** The folder shown (the move dialog starts there); "root" for listings across folders. */
  folderId: string;
  /** The shown folder's own path, for previews of items that carry none. */
  location?: Item["path"];
  showLocation?: boolean;
  /** The server's order is fixed (search): sort the rows shown here instead. */
  sortLocally?: boolean;
  /** "in this folder", "matching “q”": what "Select all" takes. */
  scope: string;
  empty: ReactNode;
  /** Bumped by the page to reload (after an upload or a new folder). */
  reloadSignal?: number;
  /** Puts focus on the list once it has loaded, unless something else holds it (opening a folder). */
  focusOnLoad?: boolean;
  /** Where focus goes when the focused row is gone and no row is left. */
  fallbackFocus(): HTMLElement | null;
  /** Rows of a table (the default), or tiles with thumbnails. */
  view?: "list" | "grid";
  /** Starred: a row unstarred leaves the list. */
  dropUnstarred?: boolean;
}

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

function sortShown(items: Item[], key: string, order: string): Item[] {
  const value = (item: Item) => (key === "size" ? (item.size ?? -1) : Date.parse(item.modifiedAt));
  const sign = order === "desc" ? -1 : 1;
  return [...items].sort((a, b) => {
    if (a.kind !== b.kind) return a.kind === "folder" ? -1 : 1;
    const difference = key === "name" ? byName.compare(a.name, b.name) : value(a) - value(b);
    return sign * (difference || byName.compare(a.name, b.name));
  });
}

/**
 * A server-sorted, paged listing with everything done to its items: selection (of every item in
 * scope, too), preview, rename, move (dialog or drag), copy (a job with progress when large),
 * download (one file, or a ZIP of several), delete to the trash with Undo, and the keyboard shortcuts.
 */
export function ItemBrowser(props: ItemBrowserProps) {
  const { caption, load, listKey, folderId, location, showLocation, sortLocally, scope, empty } = props;
  const { reloadSignal = 0, focusOnLoad, fallbackFocus, view = "list", dropUnstarred } = props;
  const [sort, sortBy] = useSortParams();
  const loadRef = useRef(load);
  useEffect(() => {
    loadRef.current = load;
  });
  const pageLoader = useCallback(
    ({ cursor, limit, signal }: PageRequest) =>
      loadRef.current({ sort: sort.key, order: sort.order, cursor, limit }, signal),
    [sort.key, sort.order],
  );
  const list = usePagedList(pageLoader, `${listKey}|${sort.key}:${sort.order}`, reloadSignal);
  const items = useMemo(
    () => (sortLocally ? sortShown(list.items, sort.key, sort.order) : list.items),
    [list.items, sortLocally, sort.key, sort.order],
  );
  const { setItems } = list;
  // Tiles of images uploaded a moment ago show their thumbnail once the worker has made it.
  const showThumbnails = useCallback(
    (fresh: Item[]) => {
      const byId = new Map(fresh.map((item) => [item.id, item]));
      setItems((current) =>
        current.map((item) => {
          const now = byId.get(item.id);
          // The details carry no path; a search result keeps its own.
          return now ? { ...item, ...now, path: item.path ?? now.path } : item;
        }),
      );
    },
    [setItems],
  );
  useThumbnailWatch(list.items, showThumbnails, view === "grid");
  const [rawSelection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  /** Every id in scope, once "Select all in this folder" has collected them. */
  const [everything, setEverything] = useState<string[] | null>(null);
  const order = useMemo(() => items.map((item) => item.id), [items]);
  const selection = useMemo(() => retain(rawSelection, order), [rawSelection, order]);
  const [renaming, setRenaming] = useState<Item | null>(null);
  const [sharing, setSharing] = useState<Item | null>(null);
  const [requesting, setRequesting] = useState<Item | null>(null);
  const [moving, setMoving] = useState<{ ids: string[]; items: Item[]; action: "move" | "copy" } | null>(null);
  const [previewIndex, setPreviewIndex] = useState<number | null>(null);
  const [progress, setProgress] = useState<string | null>(null);
  /**
   * Stars given or taken here, by id, over what the server listed: kept apart from the items so
   * an open preview (whose file is one of them) is not loaded again by a star.
   */
  const [stars, setStars] = useState<Record<string, boolean>>({});
  const shown = useMemo(
    () => items.map((item) => (item.id in stars ? { ...item, starred: stars[item.id] } : item)),
    [items, stars],
  );
  const toast = useToast();
  const toastError = (message: string) => toast({ kind: "error", message });
  // Actions outside a form report failures as toasts; each kind has its own cycle so one never drops another's.
  const bulk = useSubmit({ onError: toastError });
  const selecting = useSubmit({ onError: toastError });
  const downloading = useSubmit({ onError: toastError });
  /**
   * The row that gets focus once the list shows an action's outcome ("" for the fallback), and what
   * held focus when the action began: focus the person has put elsewhere since then stays there.
   */
  const focusAfter = useRef<{ id: string; from: Element | null } | null>(null);
  const tableRef = useRef<HTMLDivElement>(null);

  const selected = items.filter((item) => selection.ids.has(item.id));
  const selectedIds = everything ?? selected.map((item) => item.id);
  const select = (next: Selection) => {
    setEverything(null);
    setSelection(next);
  };
  const clearSelection = () => select(EMPTY_SELECTION);
  const progressOf = (verb: string) => (done: number, total: number) =>
    setProgress(describeProgress(verb, done, total));
  const copying = useCopyItems({
    nameOf: (id) => items.find((item) => item.id === id)?.name ?? id,
    onSettled: list.reload,
    toast,
  });

  useEffect(() => {
    const pending = focusAfter.current;
    if (pending === null) return;
    const row = tableRef.current?.querySelector<HTMLElement>(`[data-item-id="${pending.id}"] [data-focus-target]`);
    if (!row && list.stale) return;
    focusAfter.current = null;
    // An Undo's rows come back with a reload, a moment later: a keyboard user may have moved on to
    // another row by then, and taking focus from it would make their next key act on the wrong row.
    const active = document.activeElement;
    if (active && active !== document.body && active !== pending.from && active.isConnected) return;
    (row ?? fallbackFocus())?.focus();
  }, [items, list.stale, fallbackFocus]);

  // Opening a folder puts focus on its list, unless the person has put it somewhere already.
  const focusedOnLoad = useRef(!focusOnLoad);
  useEffect(() => {
    if (focusedOnLoad.current || list.loading) return;
    focusedOnLoad.current = true;
    if (document.activeElement && document.activeElement !== document.body) return;
    (tableRef.current?.querySelector<HTMLElement>("[data-focus-target]") ?? fallbackFocus())?.focus();
  }, [list.loading, fallbackFocus]);

  // A new order starts at its top; a reload (after an upload, a rename) keeps the place.
  const wasStale = useRef(false);
  useEffect(() => {
    if (wasStale.current && !list.stale && (tableRef.current?.getBoundingClientRect().top ?? 0) < 0) {
      tableRef.current?.scrollIntoView?.({ block: "start" });
    }
    wasStale.current = list.stale;
  }, [list.stale]);

  /** What a shortcut acts on: the checked rows, or else the row holding focus. */
  function targets(): Item[] {
    if (selected.length) return selected;
    const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[data-item-id]");
    const item = row && items.find((candidate) => candidate.id === row.dataset.itemId);
    return item ? [item] : [];
  }

  async function undo(ids: string[]) {
    clearSelection();
    focusAfter.current = ids.length ? { id: ids[0], from: document.activeElement } : null;
    await bulk.run(
      async () => {
        await drive.restore(ids, "rename", progressOf("Restoring"));
        list.reload();
      },
      (reason) => `Could not undo: ${messageOf(reason)}`,
    );
    setProgress(null);
  }

  async function trash(ids: string[]) {
    if (!ids.length) return;
    const gone = new Set(ids);
    const first = order.findIndex((id) => gone.has(id));
    const survivors = order.filter((id) => !gone.has(id));
    const from = document.activeElement;
    clearSelection();
    await bulk.run(
      async () => {
        const result = await drive.trashItems(ids, progressOf("Deleting"));
        const trashed = result.items.map((item) => item.id);
        const trashedSet = new Set(trashed);
        focusAfter.current = { id: survivors[Math.min(first, survivors.length - 1)] ?? "", from };
        list.setItems((current) => current.filter((item) => !trashedSet.has(item.id)));
        const only =
          trashed.length === 1 && (result.items[0]?.name ?? items.find((item) => item.id === trashed[0])?.name);
        toast({
          message: only ? `${only} moved to the trash` : `${trashed.length} items moved to the trash`,
          action: { label: "Undo", run: () => void undo(trashed) },
        });
        if (result.failed.length) toastError(result.failed.map((f) => f.message).join(" "));
      },
      (reason) => `Could not delete: ${messageOf(reason)}`,
    );
    setProgress(null);
  }

  /** Runs inside the move dialog's own submit cycle, which shows a failure there. */
  async function move(ids: string[], parentId: string | null) {
    try {
      const result = await drive.move(ids, parentId, progressOf("Moving"));
      clearSelection();
      if (result.failed.length) {
        const names = result.failed.map((f) => `${items.find((item) => item.id === f.id)?.name ?? f.id}: ${f.message}`);
        toast({ kind: "error", message: `Not moved: ${names.join("; ")}` });
      }
      if (result.items.length)
        toast({
          message: `Moved ${result.items.length === 1 ? result.items[0].name : `${result.items.length} items`}`,
        });
    } finally {
      setProgress(null);
      list.reload();
    }
  }

  async function star(item: Item, starred: boolean, { drop = false } = {}) {
    setStars((current) => ({ ...current, [item.id]: starred }));
    try {
      await drive.setStarred(item.id, starred);
      if (drop && !starred) list.setItems((current) => current.filter((row) => row.id !== item.id));
    } catch (reason) {
      setStars((current) => ({ ...current, [item.id]: !starred }));
      toastError(`Could not ${starred ? "star" : "unstar"} ${item.name}: ${messageOf(reason)}`);
    }
  }

  async function download(item: Item) {
    await downloading.run(
      async () => navigateTo((item.kind === "folder" ? await drive.archive([item.id]) : await drive.link(item.id)).url),
      (reason) => `Could not download ${item.name}: ${messageOf(reason)}`,
    );
  }

  async function downloadSelected() {
    await downloading.run(
      async () => navigateTo((await drive.archive(selectedIds)).url),
      (reason) => `Could not download: ${messageOf(reason)}`,
    );
  }

  async function selectEverything() {
    setProgress("Selecting…");
    await selecting.run(
      async () => {
        const ids = await collectIds(
          ({ cursor, limit, signal }) => load({ sort: sort.key, order: sort.order, cursor, limit }, signal),
          undefined,
          (count) => setProgress(`Selecting… ${count.toLocaleString()}`),
        );
        setSelection({ ids: new Set(order), anchor: null });
        setEverything(ids);
      },
      (reason) => `Could not select everything: ${messageOf(reason)}`,
    );
    setProgress(null);
  }

  useShortcuts({
    trash: () => void trash(targets().map((item) => item.id)),
    rename: () => {
      const [only, ...rest] = targets();
      if (only && !rest.length) setRenaming(only);
    },
    selectAll: () => select({ ids: new Set(order), anchor: null }),
  });

  const files = items.filter((item) => item.kind === "file");
  const allLoadedSelected = order.length > 0 && selected.length === order.length;
  const note = everything ? (
    <>
      {everything.length >= MAX_SELECT_ALL
        ? `The first ${everything.length.toLocaleString()} items ${scope} are selected.`
        : `All ${everything.length.toLocaleString()} items ${scope} are selected.`}
    </>
  ) : allLoadedSelected && list.nextCursor ? (
    <>
      All {order.length} items shown are selected.{" "}
      <button type="button" className="font-semibold underline" onClick={() => void selectEverything()}>
        Select all {scope}
      </button>
    </>
  ) : null;

  const listProps: ItemListProps = {
    caption,
    items: shown,
    stale: list.stale,
    sort,
    onSort: sortBy,
    selection,
    onToggle: (id, shift) => select(toggle(selection, order, id, shift)),
    onToggleAll: () => select(toggleAll(selection, order)),
    showLocation,
    onOpenFile: (file) => setPreviewIndex(files.indexOf(file)),
    onDownload: download,
    onRename: setRenaming,
    onTrash: (item) => void trash([item.id]),
    onShare: setSharing,
    onRequestFiles: setRequesting,
    onCopy: (item) => setMoving({ ids: [item.id], items: [item], action: "copy" }),
    onDropItems: (ids, target) => void move(ids, target).catch((r) => toast({ kind: "error", message: messageOf(r) })),
    onStar: (item, starred) => void star(item, starred, { drop: dropUnstarred }),
  };

  return (
    <div className="space-y-3">
      {selectedIds.length > 0 && (
        <SelectionToolbar count={selectedIds.length} onClear={clearSelection} progress={progress} note={note}>
          <Button
            variant="secondary"
            busy={downloading.busy}
            disabled={selectedIds.length > BULK_MAX_IDS}
            title={selectedIds.length > BULK_MAX_IDS ? `At most ${BULK_MAX_IDS} items fit in one ZIP` : undefined}
            onClick={downloadSelected}
          >
            Download
          </Button>
          <Button variant="secondary" onClick={() => setMoving({ ids: selectedIds, items: selected, action: "move" })}>
            Move to…
          </Button>
          <Button
            variant="secondary"
            disabled={selectedIds.length > BULK_MAX_IDS}
            title={selectedIds.length > BULK_MAX_IDS ? `At most ${BULK_MAX_IDS} items are copied at once` : undefined}
            onClick={() => setMoving({ ids: selectedIds, items: selected, action: "copy" })}
          >
            Copy to…
          </Button>
          <Button variant="danger" onClick={() => void trash(selectedIds)}>
            Delete
          </Button>
        </SelectionToolbar>
      )}
      {!selectedIds.length && progress && (
        <p role="status" className="text-sm">
          {progress}
        </p>
      )}
      {copying.job && <CopyProgress job={copying.job} onCancel={() => void copying.cancel()} />}
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : items.length === 0 && !list.error ? (
        empty
      ) : (
        <div ref={tableRef} id="file-list" tabIndex={-1} aria-busy={list.stale || undefined}>
          {view === "grid" ? <ItemGrid {...listProps} /> : <ItemTable {...listProps} />}
          {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
        </div>
      )}
      {renaming && (
        <NameDialog
          title={`Rename ${renaming.name}`}
          label="New name"
          initial={renaming.name}
          submitLabel="Rename"
          onSubmit={async (name) => {
            const renamed = await drive.rename(renaming, name);
            list.setItems((current) =>
              // A rename's answer carries no marks: the row keeps its own.
              current.map((item) =>
                item.id === renamed.id ? { ...item, ...renamed, shared: item.shared, starred: item.starred } : item,
              ),
            );
          }}
          onClose={() => setRenaming(null)}
        />
      )}
      {moving && (
        <MoveDialog
          moving={moving.items}
          count={moving.ids.length}
          startFolderId={folderId}
          action={moving.action}
          onChoose={(parentId) =>
            moving.action === "copy"
              ? copying.copy(moving.ids, parentId).then(clearSelection)
              : move(moving.ids, parentId)
          }
          onClose={() => setMoving(null)}
          fallbackFocus={() => tableRef.current?.querySelector<HTMLElement>("[data-focus-target]") ?? fallbackFocus()}
        />
      )}
      {copying.conflict && <ConflictDialog names={copying.conflict.names} arriving="copy" onChoose={copying.resolve} />}
      {previewIndex !== null && files[previewIndex] && (
        <PreviewDialog
          files={files}
          index={previewIndex}
          location={location}
          onIndexChange={setPreviewIndex}
          onDownload={download}
          onShare={(file) => {
            setPreviewIndex(null);
            setSharing(file);
          }}
          onFileChanged={(changed) =>
            list.setItems((current) => current.map((item) => (item.id === changed.id ? { ...item, ...changed } : item)))
          }
          starredOf={(file) => stars[file.id] ?? file.starred}
          onStar={(file, starred) => void star(file, starred)}
          onClose={() => setPreviewIndex(null)}
        />
      )}
      {requesting && (
        <FileRequestDialog
          folder={requesting}
          onClose={() => setRequesting(null)}
          fallbackFocus={() => tableRef.current?.querySelector<HTMLElement>("[data-focus-target]") ?? fallbackFocus()}
        />
      )}
      {sharing && (
        <ShareDialog
          item={sharing}
          onClose={() => setSharing(null)}
          fallbackFocus={() => tableRef.current?.querySelector<HTMLElement>("[data-focus-target]") ?? fallbackFocus()}
        />
      )}
    </div>
  );
}
