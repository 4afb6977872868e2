import { useSearchParams } from "react-router";
import type { SortKey, SortOrder } from "../api/drive";

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
