import { useCallback, useRef } from "react";
import { drive } from "../api/drive";
import { ItemBrowser, type ItemLoader } from "../components/ItemBrowser";
import { ViewToggle } from "../components/ViewToggle";
import { useDocumentTitle } from "../lib/documentTitle";
import { useViewMode } from "../lib/viewMode";

/** /starred: what the user starred, newest star first, each with the folder it is in. */
export function StarredPage() {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [view, setView] = useViewMode();
  useDocumentTitle("Starred");
  // The server's order (newest star first) is fixed: sorting applies to the rows shown.
  const load = useCallback<ItemLoader>(({ cursor, limit }, signal) => drive.starred({ cursor, limit }, signal), []);
  const fallbackFocus = useCallback(() => headingRef.current, []);

  return (
    <section aria-labelledby="starred-heading" className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-2">
        <h1 id="starred-heading" ref={headingRef} tabIndex={-1} className="text-2xl font-bold">
          Starred
        </h1>
        <ViewToggle value={view} onChange={setView} />
      </div>
      <ItemBrowser
        caption="Starred items"
        load={load}
        listKey="starred"
        scope="starred"
        sortLocally
        folderId="root"
        showLocation
        dropUnstarred
        fallbackFocus={fallbackFocus}
        view={view}
        empty={
          <p className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center dark:border-slate-700 dark:bg-slate-900">
            Nothing starred yet. Star a file or folder to find it here.
          </p>
        }
      />
    </section>
  );
}
