import { useCallback, useRef } from "react";
import { useSearchParams } from "react-router";
import { drive } from "../api/drive";
import { ItemBrowser, type ItemLoader } from "../components/ItemBrowser";
import { ViewToggle } from "../components/ViewToggle";
import { useDocumentTitle } from "../lib/documentTitle";
import { useViewMode } from "../lib/viewMode";

/** /search?q=: names across every folder, each with the folder it is in. */
export function SearchPage() {
  const [params] = useSearchParams();
  const q = (params.get("q") ?? "").trim();
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [view, setView] = useViewMode();
  useDocumentTitle(q ? `Search · ${q}` : "Search");
  const load = useCallback<ItemLoader>((options, signal) => drive.search(q, options, signal), [q]);
  const fallbackFocus = useCallback(() => headingRef.current, []);

  return (
    <section aria-labelledby="search-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 id="search-heading" ref={headingRef} tabIndex={-1} className="text-2xl font-bold [overflow-wrap:anywhere]">
          {q ? `Results for “${q}”` : "Search"}
        </h1>
        {q && <ViewToggle value={view} onChange={setView} />}
      </div>
      {q ? (
        <ItemBrowser
          caption={`Search results for ${q}`}
          load={load}
          listKey={q}
          scope={`matching “${q}”`}
          sortLocally
          folderId="root"
          showLocation
          fallbackFocus={fallbackFocus}
          view={view}
          empty={
            <p className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center dark:border-slate-700 dark:bg-slate-900">
              Nothing is named like “{q}”.
            </p>
          }
        />
      ) : (
        <p className="text-slate-600 dark:text-slate-400">
          Type a name in the search box above (press / to get there).
        </p>
      )}
    </section>
  );
}
