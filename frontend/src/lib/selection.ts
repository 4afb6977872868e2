/** Which rows are checked, and the row a shift-click range starts from. */
export interface Selection {
  ids: ReadonlySet<string>;
  anchor: string | null;
}

export const EMPTY_SELECTION: Selection = { ids: new Set(), anchor: null };

/**
 * A checkbox click. With shift, every row between the anchor (the last row clicked without
 * shift) and this one takes this row's new state, as in a file manager; without, only this row.
 */
export function toggle(selection: Selection, order: readonly string[], id: string, shift: boolean): Selection {
  const checked = !selection.ids.has(id);
  const ids = new Set(selection.ids);
  const from = selection.anchor === null ? -1 : order.indexOf(selection.anchor);
  const to = order.indexOf(id);
  if (shift && from !== -1 && to !== -1) {
    const [start, end] = from < to ? [from, to] : [to, from];
    for (const rowId of order.slice(start, end + 1)) {
      if (checked) ids.add(rowId);
      else ids.delete(rowId);
    }
    return { ids, anchor: selection.anchor };
  }
  if (checked) ids.add(id);
  else ids.delete(id);
  return { ids, anchor: id };
}

/** Select all, or clear when everything is selected already. */
export function toggleAll(selection: Selection, order: readonly string[]): Selection {
  const all = order.length > 0 && order.every((id) => selection.ids.has(id));
  return all ? EMPTY_SELECTION : { ids: new Set(order), anchor: selection.anchor };
}

/** Keeps only rows that are still listed (after a delete, a move, a new page order). */
export function retain(selection: Selection, order: readonly string[]): Selection {
  const present = new Set(order);
  const ids = new Set([...selection.ids].filter((id) => present.has(id)));
  if (ids.size === selection.ids.size && (selection.anchor === null || present.has(selection.anchor))) return selection;
  return { ids, anchor: selection.anchor !== null && present.has(selection.anchor) ? selection.anchor : null };
}
