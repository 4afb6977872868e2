import { useCallback } from "react";
import { activity, type ActivityEvent, type ActivityFilter } from "../api/activity";
import { useSession } from "../session/SessionProvider";
import { formatDate } from "../lib/format";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { ListStatus } from "./ListStatus";

/** Where an item is, in a sentence: "in /Docs", or nothing for the root. */
const inFolder = (path: string | null) => (path && path !== "/" ? ` in ${path}` : "");

/** Who did it, as the owner reads it. */
export function actorOf(event: ActivityEvent, userId: string | undefined): string {
  if (event.actorId === null) return "A visitor";
  return event.actorId === userId ? "You" : "Someone you share with";
}

/** The event as a sentence: "You renamed a.txt to b.txt in /Docs". */
export function describeEvent(event: ActivityEvent, userId: string | undefined): string {
  const who = actorOf(event, userId);
  const name = event.nameAfter ?? event.nameBefore ?? `a ${event.itemKind}`;
  const where = inFolder(event.pathAfter);
  switch (event.action) {
    case "upload":
      return `${who} uploaded ${name}${where}`;
    case "new_version":
      return `${who} uploaded a new version of ${name}${where}`;
    case "copy":
      return `${who} copied ${event.nameBefore}${inFolder(event.pathBefore)} to ${name}${where}`;
    case "rename":
      return `${who} renamed ${event.nameBefore} to ${name}${where}`;
    case "move": {
      const renamed = event.nameBefore && event.nameBefore !== name ? ` (was ${event.nameBefore})` : "";
      return `${who} moved ${name}${renamed} from ${event.pathBefore ?? "a folder since trashed"} to ${event.pathAfter ?? "a folder since trashed"}`;
    }
    case "trash":
      return `${who} moved ${name} to the trash${inFolder(event.pathBefore)}`;
    case "restore":
      return `${who} restored ${name}${where}`;
    case "delete_forever":
      return `${who} deleted ${name} forever`;
    case "share":
      return `${who} shared ${name} with someone${where}`;
    case "unshare":
      return `${who} stopped sharing ${name} with someone${where}`;
    case "link_created":
      return `${who} made a share link to ${name}${where}`;
    case "link_opened":
      return `${who} opened the share link to ${name}`;
    case "link_revoked":
      return `${who} revoked a share link to ${name}`;
    case "request_upload":
      return `${who} uploaded ${name}${where} through a file request`;
  }
}

/** The user's events, newest first, a page at a time: the whole feed, or one item's or folder's. */
export function ActivityList({ filter }: { filter: ActivityFilter }) {
  const { user } = useSession();
  const { itemId, folderId } = filter;
  const load = useCallback(
    ({ cursor, limit, signal }: PageRequest) => activity.list({ itemId, folderId, limit, cursor }, signal),
    [itemId, folderId],
  );
  const list = usePagedList(load, `activity:${itemId ?? ""}:${folderId ?? ""}`);
  const rows = list.items;
  return (
    <div className="space-y-3">
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : rows.length === 0 && !list.error ? (
        <p className="text-sm text-slate-600 dark:text-slate-400">Nothing has happened here yet.</p>
      ) : (
        <ol className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white text-sm dark:divide-slate-700 dark:border-slate-700 dark:bg-slate-900">
          {rows.map((event) => (
            <li key={event.id} className="flex flex-wrap items-baseline justify-between gap-2 px-4 py-2">
              <span className="[overflow-wrap:anywhere]">{describeEvent(event, user?.userId)}</span>
              <time dateTime={event.at} className="text-xs text-slate-600 dark:text-slate-400">
                {formatDate(event.at)}
              </time>
            </li>
          ))}
        </ol>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
    </div>
  );
}
