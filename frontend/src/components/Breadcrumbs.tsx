import { useState } from "react";
import { Link } from "react-router";
import { ROOT_ID, type Item } from "../api/drive";
import { carriesItems, draggedIds } from "../lib/dragItems";

interface BreadcrumbsProps {
  /** The folder shown; its path holds its ancestors. Null while it loads. */
  folder: Pick<Item, "id" | "name" | "path"> | null;
  /** Rows dropped on a crumb move into that folder. */
  onDropItems?(ids: string[], folderId: string): void;
}

/** "My files / Projects / 2024": every ancestor a link and a drop target, the current folder last. */
export function Breadcrumbs({ folder, onDropItems }: BreadcrumbsProps) {
  const inFolder = folder !== null && folder.id !== ROOT_ID;
  const ancestors = inFolder ? [{ id: ROOT_ID, name: "My files" }, ...(folder.path ?? [])] : [];
  return (
    <nav aria-label="Breadcrumb">
      <ol className="flex flex-wrap items-center gap-1 text-sm">
        {ancestors.map((crumb) => (
          <li key={crumb.id} className="flex items-center gap-1">
            <Crumb id={crumb.id} name={crumb.name} onDropItems={onDropItems} />
            <span aria-hidden="true" className="text-slate-400">
              /
            </span>
          </li>
        ))}
        <li>
          <span aria-current="page" className="px-1 font-semibold">
            {inFolder ? folder.name : "My files"}
          </span>
        </li>
      </ol>
    </nav>
  );
}

function Crumb({
  id,
  name,
  onDropItems,
}: {
  id: string;
  name: string;
  onDropItems?(ids: string[], folderId: string): void;
}) {
  const [over, setOver] = useState(false);
  return (
    <Link
      to={id === ROOT_ID ? "/files" : `/files/${id}`}
      data-drop-folder={id}
      onDragOver={(event) => {
        if (!onDropItems || !carriesItems(event)) return;
        event.preventDefault();
        event.dataTransfer.dropEffect = "move";
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={(event) => {
        setOver(false);
        if (!onDropItems || !carriesItems(event)) return;
        event.preventDefault();
        onDropItems(draggedIds(event), id);
      }}
      className={`rounded px-1 text-indigo-700 underline-offset-2 hover:underline dark:text-indigo-300 ${
        over ? "bg-indigo-100 ring-2 ring-indigo-500 dark:bg-indigo-900" : ""
      }`}
    >
      {name}
    </Link>
  );
}
