import { useState, type DragEvent } from "react";

/** The drag payload type of rows being moved, so desktop files and text drops are told apart. */
export const ITEMS_MIME = "application/x-scloud-items";

export function startItemDrag(event: DragEvent, ids: string[]): void {
  event.dataTransfer.setData(ITEMS_MIME, JSON.stringify(ids));
  event.dataTransfer.effectAllowed = "move";
}

export function carriesItems(event: DragEvent): boolean {
  return Array.from(event.dataTransfer.types).includes(ITEMS_MIME);
}

export function draggedIds(event: DragEvent): string[] {
  try {
    const ids: unknown = JSON.parse(event.dataTransfer.getData(ITEMS_MIME) || "[]");
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === "string") : [];
  } catch {
    return [];
  }
}

/**
 * What makes a listed item (a row, a tile) draggable, and a folder a drop target: dragging a
 * checked item carries every checked id; `over` is true while items are held over a folder.
 */
export function useItemDrag(
  item: { id: string; kind: string },
  selectedIds: ReadonlySet<string>,
  onDropItems: (ids: string[], folderId: string) => void,
) {
  const [over, setOver] = useState(false);
  const folder = item.kind === "folder";
  const dragProps = {
    draggable: true,
    onDragStart: (event: DragEvent) => startItemDrag(event, selectedIds.has(item.id) ? [...selectedIds] : [item.id]),
    onDragOver: (event: DragEvent) => {
      if (!folder || !carriesItems(event)) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      setOver(true);
    },
    onDragLeave: () => setOver(false),
    onDrop: (event: DragEvent) => {
      setOver(false);
      if (!folder || !carriesItems(event)) return;
      event.preventDefault();
      event.stopPropagation();
      const ids = draggedIds(event).filter((id) => id !== item.id);
      if (ids.length) onDropItems(ids, item.id);
    },
  };
  return { over, dragProps };
}
