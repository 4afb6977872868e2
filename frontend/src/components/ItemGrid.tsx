import { Link } from "react-router";
import { describePath, type Item, type SortKey } from "../api/drive";
import { useItemDrag } from "../lib/dragItems";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { itemActions, type ItemListProps } from "./ItemTable";
import { SelectCheckbox } from "./SelectCheckbox";
import { RowMenu } from "./RowMenu";
import { Thumbnail } from "./Thumbnail";
import { SharedMark } from "./SharedMark";
import { StarToggle } from "./StarToggle";

const SORT_LABELS: Record<SortKey, string> = { name: "Name", size: "Size", modified: "Modified" };

const controlClass =
  "rounded-md border border-slate-300 bg-white px-2 py-1 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100";

/**
 * The listing as tiles: a picture (thumbnail or icon) and the name of each item, with the
 * table's selection, opening, dragging and actions; the sort, which the table's headers hold,
 * is a select here.
 */
export function ItemGrid(props: ItemListProps) {
  const { caption, items, stale, sort, onSort, selection, onToggleAll } = props;
  const allChecked = items.length > 0 && items.every((item) => selection.ids.has(item.id));
  const someChecked = !allChecked && items.some((item) => selection.ids.has(item.id));
  return (
    <div className={stale ? "opacity-60" : ""}>
      <div className="mb-3 flex flex-wrap items-center gap-x-4 gap-y-2 text-sm">
        <label className="inline-flex items-center gap-2 font-medium">
          <input
            type="checkbox"
            checked={allChecked}
            ref={(input) => {
              if (input) input.indeterminate = someChecked;
            }}
            onChange={onToggleAll}
            className="h-4 w-4 accent-indigo-600"
          />
          Select all
        </label>
        <span className="inline-flex items-center gap-2">
          <label className="inline-flex items-center gap-2">
            Sort by
            <select
              value={sort.key}
              onChange={(event) => onSort(event.target.value as SortKey)}
              className={controlClass}
            >
              {Object.entries(SORT_LABELS).map(([key, label]) => (
                <option key={key} value={key}>
                  {label}
                </option>
              ))}
            </select>
          </label>
          <button
            type="button"
            onClick={() => onSort(sort.key)}
            aria-label={sort.order === "asc" ? "Ascending: sort descending" : "Descending: sort ascending"}
            className={controlClass}
          >
            <span aria-hidden="true">{sort.order === "asc" ? "▲" : "▼"}</span>
          </button>
        </span>
      </div>
      <ul aria-label={caption} className="grid grid-cols-2 gap-3 sm:grid-cols-3 md:grid-cols-4 lg:grid-cols-5">
        {items.map((item) => (
          <ItemTile key={item.id} item={item} {...props} />
        ))}
      </ul>
    </div>
  );
}

// The name's link or button covers the whole tile (its ::after), so a click on the picture opens
// the item too; the checkbox and the menu sit above that cover.
const openClass =
  "block truncate text-left font-medium text-slate-900 outline-none after:absolute after:inset-0 after:rounded-lg after:content-[''] hover:underline dark:text-slate-100";

function ItemTile({
  item,
  selection,
  onToggle,
  onOpenFile,
  onDownload,
  onRename,
  onTrash,
  onShare,
  onRequestFiles,
  onCopy,
  onDropItems,
  showLocation,
  onStar,
}: ItemListProps & { item: Item }) {
  const checked = selection.ids.has(item.id);
  const { over, dragProps } = useItemDrag(item, selection.ids, onDropItems);
  const folder = item.kind === "folder";
  const type = fileTypeOf(item);
  return (
    <li
      data-testid={folder ? "folder-tile" : "file-tile"}
      data-item-id={item.id}
      {...dragProps}
      className={`relative flex min-w-0 flex-col rounded-lg border bg-white focus-within:z-20 has-[[data-focus-target]:focus-visible]:outline-3 has-[[data-focus-target]:focus-visible]:outline-offset-2 has-[[data-focus-target]:focus-visible]:outline-indigo-500 dark:bg-slate-900 ${
        checked
          ? "border-indigo-500 bg-indigo-50 dark:border-indigo-400 dark:bg-indigo-950"
          : "border-slate-200 dark:border-slate-700"
      } ${over ? "outline-2 outline-indigo-500" : ""}`}
    >
      <Thumbnail key={`${item.modifiedAt}:${item.thumbnail}`} item={item} />
      <span className="absolute top-2 left-2 z-10 flex rounded bg-white/90 p-1 shadow-sm dark:bg-slate-900/90">
        <SelectCheckbox name={item.name} checked={checked} onToggle={(shiftKey) => onToggle(item.id, shiftKey)} />
      </span>
      <div className="flex items-center gap-1 py-2 pr-1 pl-3">
        <div className="min-w-0 flex-1 text-sm">
          {folder ? (
            <Link to={`/files/${item.id}`} data-focus-target title={item.name} className={openClass}>
              {item.name}
            </Link>
          ) : (
            <button
              type="button"
              data-focus-target
              title={item.name}
              onClick={() => onOpenFile(item)}
              className={`w-full ${openClass}`}
            >
              {item.name}
            </button>
          )}
          <span className="flex items-center gap-1 text-xs text-slate-600 dark:text-slate-400">
            <span className="truncate">
              {folder ? formatDate(item.modifiedAt) : `${type.label} · ${formatBytes(item.size ?? 0)}`}
            </span>
            <SharedMark shared={item.shared} />
          </span>
          {showLocation && (
            <Link
              to={item.parentId ? `/files/${item.parentId}` : "/files"}
              title={describePath(item.path)}
              className="relative z-10 block truncate text-xs text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {describePath(item.path)}
            </Link>
          )}
        </div>
        {onStar && (
          <span className="relative z-10">
            <StarToggle name={item.name} starred={item.starred} onToggle={(on) => onStar(item, on)} />
          </span>
        )}
        <span className="relative z-10">
          <RowMenu
            label={`Actions for ${item.name}`}
            actions={itemActions(item, { onDownload, onRename, onTrash, onShare, onRequestFiles, onStar, onCopy })}
          />
        </span>
      </div>
    </li>
  );
}
