import { useSearchParams } from "react-router";
import { ActivityList } from "../components/ActivityList";
import { useDocumentTitle } from "../lib/documentTitle";

/** /activity: what happened to the user's items, newest first; `?folderId=` narrows it to a folder. */
export function ActivityPage() {
  const [params] = useSearchParams();
  const folderId = params.get("folderId") ?? undefined;
  const itemId = params.get("itemId") ?? undefined;
  useDocumentTitle("Activity");
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Activity</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {folderId
          ? "What happened in this folder and everything inside it, newest first."
          : itemId
            ? "What happened to this item, newest first."
            : "Uploads, renames, moves, the trash and sharing across your drive, newest first."}
      </p>
      <ActivityList filter={{ folderId, itemId }} />
    </div>
  );
}
