import { useCallback, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useSearchParams } from "react-router";
import { drive, navigateTo, type Item, type Page, type SortKey, type SortOrder } from "../api/drive";
import { messageOf } from "../api/errors";
import { EMPTY_SELECTION, retain, toggle, toggleAll, type Selection } from "../lib/selection";
import { useShortcuts } from "../lib/shortcuts";
import { Button } from "./Field";
import { ItemTable } from "./ItemTable";
import { MoveDialog } from "./MoveDialog";
import { NameDialog } from "./NameDialog";
import { Notice } from "./Notice";
import { PreviewDialog } from "./PreviewDialog";
import { Spinner } from "./Spinner";
import { useToast } from "./Toast";

export const PAGE_SIZE = 50;
const SORT_KEYS: SortKey[] = ["name", "size", "modified"];

/** The listing's order, kept in the URL (?sort=size&order=desc) so reload and back keep it. */
export function useSortParams(): [{ key: SortKey; order: SortOrder }, (key: SortKey) => void] {
  const [params, setParams] = useSearchParams();
  const key = SORT_KEYS.includes(params.get("sort") as SortKey) ? (params.get("sort") as SortKey) : "name";
  const order: SortOrder = params.get("order") === "desc" ? "desc" : "asc";
  const sortBy = (next: SortKey) => {
    const nextOrder: SortOrder = next === key ? (order === "asc" ? "desc" : "asc") : next === "name" ? "asc" : "desc";
    setParams(
      (current) => {
        const updated = new URLSearchParams(current);
        updated.set("sort", next);
        updated.set("order", nextOrder);
        return updated;
      },
      { replace: true },
    );
  };
  return [{ key, order }, sortBy];
}

interface ItemBrowserProps {
  caption: string;
  load(options: { sort: SortKey; order: SortOrder; cursor: string | null; limit: number }): Promise<Page>;
  /** The folder shown (the move dialog starts there); "root" for listings across folders. */
  folderId: string;
  /** The shown folder's own path, for previews of items that carry none. */
  location?: Item["path"];
  showLocation?: boolean;
  empty: ReactNode;
  /** Bumped by the page to reload (after an upload or a new folder). */
  reloadSignal?: number;
  /** Where focus goes when the focused row is gone and no row is left. */
  fallbackFocus(): HTMLElement | null;
}

/**
 * A server-sorted, paged listing with everything done to its items: selection, preview, rename,
 * move (dialog or drag), download (one file, or a ZIP of several), delete to the trash with Undo,
 * and the keyboard shortcuts. Give it a `key` per listing (folder, query) so each starts afresh.
 */
export function ItemBrowser({
  caption,
  load,
  folderId,
  location,
  showLocation,
  empty,
  reloadSignal = 0,
  fallbackFocus,
}: ItemBrowserProps) {
  const [sort, sortBy] = useSortParams();
  const sortKey = `${sort.key}:${sort.order}`;
  // The rows belong to one order: until the new order's first page answers, a spinner shows.
  const [listing, setListing] = useState<{ sortKey: string; items: Item[]; nextCursor: string | null } | null>(null);
  const loading = listing?.sortKey !== sortKey;
  const items = useMemo(() => (listing && !loading ? listing.items : []), [listing, loading]);
  const nextCursor = loading ? null : (listing?.nextCursor ?? null);
  const setItems = (update: (current: Item[]) => Item[]) =>
    setListing((current) => current && { ...current, items: update(current.items) });
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rawSelection, setSelection] = useState<Selection>(EMPTY_SELECTION);
  const order = useMemo(() => items.map((item) => item.id), [items]);
  const selection = useMemo(() => retain(rawSelection, order), [rawSelection, order]);
  const [renaming, setRenaming] = useState<Item | null>(null);
  const [moving, setMoving] = useState<Item[] | null>(null);
  const [previewIndex, setPreviewIndex] = useState<number | null>(null);
  const [archiving, setArchiving] = useState(false);
  const [reloads, setReloads] = useState(0);
  const reload = () => setReloads((count) => count + 1);
  const toast = useToast();
  const loadRef = useRef(load);
  const focusAfter = useRef<string | null>(null);
  const tableRef = useRef<HTMLDivElement>(null);
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    loadRef.current = load;
  });

  useEffect(() => {
    let current = true;
    loadRef
      .current({ sort: sort.key, order: sort.order, cursor: null, limit: PAGE_SIZE })
      .then((page) => {
        if (!current) return;
        setError(null);
        setListing({ sortKey: `${sort.key}:${sort.order}`, items: page.items, nextCursor: page.nextCursor });
      })
      .catch((reason) => {
        if (!current) return;
        setError(messageOf(reason));
        setListing((existing) => existing ?? { sortKey: `${sort.key}:${sort.order}`, items: [], nextCursor: null });
      });
    return () => {
      current = false;
    };
  }, [sort.key, sort.order, reloadSignal, reloads]);

  useEffect(() => {
    const target = focusAfter.current;
    if (target === null) return;
    focusAfter.current = null;
    const row = tableRef.current?.querySelector<HTMLElement>(`[data-item-id="${target}"] [data-focus-target]`);
    (row ?? fallbackFocus())?.focus();
  }, [items, fallbackFocus]);

  const loadMore = useCallback(async () => {
    if (!nextCursor || loadingMore) return;
    setLoadingMore(true);
    try {
      const page = await loadRef.current({ sort: sort.key, order: sort.order, cursor: nextCursor, limit: PAGE_SIZE });
      setListing(
        (current) =>
          current && {
            ...current,
            items: [...current.items, ...page.items.filter((item) => !current.items.some((c) => c.id === item.id))],
            nextCursor: page.nextCursor,
          },
      );
    } catch (reason) {
      setError(messageOf(reason));
    } finally {
      setLoadingMore(false);
    }
  }, [nextCursor, loadingMore, sort.key, sort.order]);

  useEffect(() => {
    const element = sentinel.current;
    if (!element || !nextCursor || typeof IntersectionObserver === "undefined") return;
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((entry) => entry.isIntersecting)) void loadMore();
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [nextCursor, loadMore]);

  const selected = items.filter((item) => selection.ids.has(item.id));

  /** What a shortcut acts on: the checked rows, or else the row holding focus. */
  function targets(): Item[] {
    if (selected.length) return selected;
    const row = (document.activeElement as HTMLElement | null)?.closest<HTMLElement>("[data-item-id]");
    const item = row && items.find((candidate) => candidate.id === row.dataset.itemId);
    return item ? [item] : [];
  }

  async function trash(victims: Item[]) {
    if (!victims.length) return;
    const ids = victims.map((item) => item.id);
    const gone = new Set(ids);
    const first = order.findIndex((id) => gone.has(id));
    const survivors = order.filter((id) => !gone.has(id));
    try {
      const result = await drive.trashItems(ids);
      const trashed = new Set(result.items.map((item) => item.id));
      focusAfter.current = survivors[Math.min(first, survivors.length - 1)] ?? "";
      setItems((current) => current.filter((item) => !trashed.has(item.id)));
      const restoreIds = [...trashed];
      toast({
        message:
          restoreIds.length === 1
            ? `${victims.find((item) => item.id === restoreIds[0])?.name ?? "1 item"} moved to the trash`
            : `${restoreIds.length} items moved to the trash`,
        action: {
          label: "Undo",
          run: () => {
            drive
              .restore(restoreIds, "rename")
              .then(() => reload())
              .catch((reason) => toast({ kind: "error", message: `Could not undo: ${messageOf(reason)}` }));
          },
        },
      });
      if (result.failed.length) toast({ kind: "error", message: result.failed.map((f) => f.message).join(" ") });
    } catch (reason) {
      toast({ kind: "error", message: `Could not delete: ${messageOf(reason)}` });
    }
  }

  async function move(ids: string[], parentId: string | null) {
    const result = await drive.move(ids, parentId);
    setSelection(EMPTY_SELECTION);
    if (result.failed.length) {
      const names = result.failed.map((f) => `${items.find((item) => item.id === f.id)?.name ?? f.id}: ${f.message}`);
      toast({ kind: "error", message: `Not moved: ${names.join("; ")}` });
    }
    if (result.items.length)
      toast({ message: `Moved ${result.items.length === 1 ? result.items[0].name : `${result.items.length} items`}` });
    reload();
  }

  async function download(item: Item) {
    try {
      if (item.kind === "folder") navigateTo((await drive.archive([item.id])).url);
      else navigateTo((await drive.link(item.id)).url);
    } catch (reason) {
      toast({ kind: "error", message: `Could not download ${item.name}: ${messageOf(reason)}` });
    }
  }

  async function downloadSelected() {
    setArchiving(true);
    try {
      navigateTo((await drive.archive(selected.map((item) => item.id))).url);
    } catch (reason) {
      toast({ kind: "error", message: `Could not download: ${messageOf(reason)}` });
    } finally {
      setArchiving(false);
    }
  }

  useShortcuts({
    trash: () => void trash(targets()),
    rename: () => {
      const [only, ...rest] = targets();
      if (only && !rest.length) setRenaming(only);
    },
    selectAll: () => setSelection({ ids: new Set(items.map((item) => item.id)), anchor: null }),
  });

  const files = items.filter((item) => item.kind === "file");

  return (
    <div className="space-y-3">
      {selected.length > 0 && (
        <div
          role="toolbar"
          aria-label="Selection"
          className="flex flex-wrap items-center gap-2 rounded-lg border border-indigo-200 bg-indigo-50 px-3 py-2 text-sm dark:border-indigo-800 dark:bg-indigo-950"
        >
          <span className="font-medium">{selected.length} selected</span>
          <Button variant="secondary" busy={archiving} onClick={downloadSelected}>
            Download
          </Button>
          <Button variant="secondary" onClick={() => setMoving(selected)}>
            Move to…
          </Button>
          <Button variant="danger" onClick={() => void trash(selected)}>
            Delete
          </Button>
          <Button variant="secondary" onClick={() => setSelection(EMPTY_SELECTION)}>
            Clear selection
          </Button>
        </div>
      )}
      {error && <Notice kind="error">{error}</Notice>}
      {loading ? (
        <div className="flex justify-center py-8">
          <Spinner label="Loading" />
        </div>
      ) : items.length === 0 && !error ? (
        empty
      ) : (
        <div ref={tableRef}>
          <ItemTable
            caption={caption}
            items={items}
            sort={sort}
            onSort={sortBy}
            selection={selection}
            onToggle={(id, shift) => setSelection(toggle(selection, order, id, shift))}
            onToggleAll={() => setSelection(toggleAll(selection, order))}
            showLocation={showLocation}
            onOpenFile={(file) => setPreviewIndex(files.indexOf(file))}
            onDownload={download}
            onRename={setRenaming}
            onTrash={(item) => void trash([item])}
            onDropItems={(ids, target) =>
              void move(ids, target).catch((r) => toast({ kind: "error", message: messageOf(r) }))
            }
          />
          {nextCursor && (
            <div ref={sentinel} className="mt-3 flex justify-center">
              <Button variant="secondary" busy={loadingMore} onClick={() => void loadMore()}>
                Load more
              </Button>
            </div>
          )}
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
            setItems((current) => current.map((item) => (item.id === renamed.id ? { ...item, ...renamed } : item)));
          }}
          onClose={() => setRenaming(null)}
        />
      )}
      {moving && (
        <MoveDialog
          moving={moving}
          startFolderId={folderId}
          onMove={(parentId) =>
            move(
              moving.map((item) => item.id),
              parentId,
            )
          }
          onClose={() => setMoving(null)}
          fallbackFocus={() => tableRef.current?.querySelector<HTMLElement>("[data-focus-target]") ?? fallbackFocus()}
        />
      )}
      {previewIndex !== null && files[previewIndex] && (
        <PreviewDialog
          files={files}
          index={previewIndex}
          location={location}
          onIndexChange={setPreviewIndex}
          onDownload={download}
          onClose={() => setPreviewIndex(null)}
        />
      )}
    </div>
  );
}
