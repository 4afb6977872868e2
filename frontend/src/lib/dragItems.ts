import type { DragEvent } from "react";

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
