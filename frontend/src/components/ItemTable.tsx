import { Link } from "react-router";
import { ItemIcon } from "./ItemIcon";
import { SharedMark } from "./SharedMark";
import { StarToggle } from "./StarToggle";
import { SelectCheckbox } from "./SelectCheckbox";
import { RowMenu, type RowAction } from "./RowMenu";
import { describePath, type Item, type SortKey, type SortOrder } from "../api/drive";
import { useItemDrag } from "../lib/dragItems";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import type { Selection } from "../lib/selection";

/** What a listing of items (the table, the grid) is given. */
export interface ItemListProps {
  caption: string;
  items: Item[];
  /** The rows are the previous order's, while the new one loads. */
  stale?: boolean;
  sort: { key: SortKey; order: SortOrder };
  onSort(key: SortKey): void;
  selection: Selection;
  onToggle(id: string, shift: boolean): void;
  onToggleAll(): void;
  /** Shows each item's folder (search results). */
  showLocation?: boolean;
  onOpenFile(item: Item): void;
  onDownload(item: Item): void;
  onRename(item: Item): void;
  onTrash(item: Item): void;
  onShare(item: Item): void;
  /** A folder's "Request files" (an upload-only link into it); absent where none can be made. */
  onRequestFiles?(folder: Item): void;
  /** "Copy to…"; absent where copies cannot be made. */
  onCopy?(item: Item): void;
  /** Rows dropped on a folder row move into it. */
  onDropItems(ids: string[], folderId: string): void;
  /** Stars or unstars an item; absent where items cannot be starred. */
  onStar?(item: Item, starred: boolean): void;
}

const COLUMNS: { key: SortKey; label: string; className: string }[] = [
  { key: "name", label: "Name", className: "" },
  { key: "size", label: "Size", className: "hidden sm:table-cell" },
  { key: "modified", label: "Modified", className: "hidden sm:table-cell" },
];

/** An item's actions as a RowMenu lists them. */
export function itemActions(
  item: Item,
  {
    onDownload,
    onRename,
    onTrash,
    onShare,
    onRequestFiles,
    onStar,
    onCopy,
  }: Pick<ItemListProps, "onDownload" | "onRename" | "onTrash" | "onShare" | "onRequestFiles" | "onStar" | "onCopy">,
): RowAction[] {
  return [
    { label: "Download", run: () => onDownload(item) },
    { label: "Share", run: () => onShare(item) },
    ...(onStar ? [{ label: item.starred ? "Unstar" : "Star", run: () => onStar(item, !item.starred) }] : []),
    ...(item.kind === "folder" && onRequestFiles ? [{ label: "Request files", run: () => onRequestFiles(item) }] : []),
    { label: "Rename", run: () => onRename(item) },
    ...(onCopy ? [{ label: "Copy to…", run: () => onCopy(item) }] : []),
    { label: "Delete", run: () => onTrash(item), danger: true },
  ];
}

const actionClass =
  "rounded-md px-2 py-1 font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-slate-800";

/** Folders and files of one listing, sorted by the server; rows can be checked, opened and dragged. */
export function ItemTable(props: ItemListProps) {
  const { caption, items, stale, sort, onSort, selection, onToggleAll, showLocation } = props;
  const allChecked = items.length > 0 && items.every((item) => selection.ids.has(item.id));
  const someChecked = !allChecked && items.some((item) => selection.ids.has(item.id));
  return (
    // No scroll box below `sm`: the row menus must not be clipped, and the narrow table fits.
    <div
      className={`rounded-lg border border-slate-200 bg-white sm:overflow-x-auto dark:border-slate-700 dark:bg-slate-900 ${
        stale ? "opacity-60" : ""
      }`}
    >
      <table className="w-full text-left text-sm">
        <caption className="sr-only">
          {caption}, sorted by {sort.key} {sort.order === "asc" ? "ascending" : "descending"}
        </caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          <tr>
            <th scope="col" className="w-10 px-4 py-3">
              <input
                type="checkbox"
                aria-label="Select all"
                checked={allChecked}
                ref={(input) => {
                  if (input) input.indeterminate = someChecked;
                }}
                onChange={onToggleAll}
                className="h-4 w-4 accent-indigo-600"
              />
            </th>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                scope="col"
                aria-sort={column.key === sort.key ? (sort.order === "asc" ? "ascending" : "descending") : "none"}
                className={`px-4 py-3 ${column.className}`}
              >
                <button
                  type="button"
                  onClick={() => onSort(column.key)}
                  className="inline-flex items-center gap-1 uppercase"
                >
                  {column.label}
                  <span aria-hidden="true">{column.key === sort.key ? (sort.order === "asc" ? "▲" : "▼") : ""}</span>
                </button>
              </th>
            ))}
            {showLocation && (
              <th scope="col" className="hidden px-4 py-3 md:table-cell">
                Location
              </th>
            )}
            <th scope="col" className="hidden px-4 py-3 lg:table-cell">
              Type
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
          {items.map((item) => (
            <ItemRow key={item.id} item={item} {...props} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ItemRow({
  item,
  selection,
  onToggle,
  showLocation,
  onOpenFile,
  onDownload,
  onRename,
  onTrash,
  onShare,
  onRequestFiles,
  onCopy,
  onDropItems,
  onStar,
}: ItemListProps & { item: Item }) {
  const checked = selection.ids.has(item.id);
  const { over, dragProps } = useItemDrag(item, selection.ids, onDropItems);
  const folder = item.kind === "folder";
  const size = folder ? "—" : formatBytes(item.size ?? 0);
  const type = fileTypeOf(item);
  return (
    <tr
      data-testid={folder ? "folder-row" : "file-row"}
      data-item-id={item.id}
      aria-selected={checked}
      {...dragProps}
      className={`${checked ? "bg-indigo-50 dark:bg-indigo-950" : ""} ${over ? "outline-2 -outline-offset-2 outline-indigo-500" : ""}`}
    >
      <td className="px-4 py-3">
        <SelectCheckbox name={item.name} checked={checked} onToggle={(shiftKey) => onToggle(item.id, shiftKey)} />
      </td>
      <td className="w-full max-w-0 px-4 py-3 sm:w-1/2">
        <span className="flex items-center gap-2">
          <ItemIcon family={type.family} />
          {folder ? (
            <Link
              to={`/files/${item.id}`}
              data-focus-target
              className="font-medium [overflow-wrap:anywhere] text-slate-900 hover:underline sm:truncate dark:text-slate-100"
              title={item.name}
            >
              {item.name}
            </Link>
          ) : (
            <button
              type="button"
              data-focus-target
              onClick={() => onOpenFile(item)}
              className="text-left font-medium [overflow-wrap:anywhere] hover:underline sm:truncate"
              title={item.name}
            >
              {item.name}
            </button>
          )}
          <SharedMark shared={item.shared} />
          {onStar && <StarToggle name={item.name} starred={item.starred} onToggle={(on) => onStar(item, on)} />}
        </span>
        <span className="block text-xs text-slate-600 sm:hidden dark:text-slate-400">
          {folder ? formatDate(item.modifiedAt) : `${type.label} · ${size} · ${formatDate(item.modifiedAt)}`}
        </span>
      </td>
      <td className="hidden whitespace-nowrap px-4 py-3 tabular-nums sm:table-cell">{size}</td>
      <td className="hidden whitespace-nowrap px-4 py-3 sm:table-cell">{formatDate(item.modifiedAt)}</td>
      {showLocation && (
        <td className="hidden max-w-48 truncate px-4 py-3 md:table-cell">
          <Link
            to={item.parentId ? `/files/${item.parentId}` : "/files"}
            className="text-indigo-700 hover:underline dark:text-indigo-300"
          >
            {describePath(item.path)}
          </Link>
        </td>
      )}
      <td className="hidden px-4 py-3 lg:table-cell">{type.label}</td>
      <td className="whitespace-nowrap px-2 py-3 text-right sm:px-4">
        <span className="sm:hidden">
          <RowMenu
            label={`Actions for ${item.name}`}
            actions={itemActions(item, { onDownload, onRename, onTrash, onShare, onRequestFiles, onStar, onCopy })}
          />
        </span>
        <span className="hidden sm:inline">
          <button
            type="button"
            onClick={() => onDownload(item)}
            aria-label={`Download ${item.name}`}
            className={actionClass}
          >
            Download
          </button>
          <button type="button" onClick={() => onShare(item)} aria-label={`Share ${item.name}`} className={actionClass}>
            Share
          </button>
          {item.kind === "folder" && onRequestFiles && (
            <button
              type="button"
              onClick={() => onRequestFiles(item)}
              aria-label={`Request files into ${item.name}`}
              className={actionClass}
            >
              Request files
            </button>
          )}
          <button
            type="button"
            onClick={() => onRename(item)}
            aria-label={`Rename ${item.name}`}
            className={actionClass}
          >
            Rename
          </button>
          {onCopy && (
            <button
              type="button"
              onClick={() => onCopy(item)}
              aria-label={`Copy ${item.name} to…`}
              className={actionClass}
            >
              {/* The visible word starts the accessible name, as "Rename" does (axe). */}
              Copy
            </button>
          )}
          <button
            type="button"
            onClick={() => onTrash(item)}
            aria-label={`Delete ${item.name}`}
            className="rounded-md px-2 py-1 font-medium text-red-700 hover:bg-red-50 dark:text-red-400 dark:hover:bg-slate-800"
          >
            Delete
          </button>
        </span>
      </td>
    </tr>
  );
}
