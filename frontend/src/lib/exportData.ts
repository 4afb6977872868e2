import { authApi, unwrap, usersApi } from "../api/client";
import { activity as activityFeed, type ActivityEvent } from "../api/activity";
import { drive, ROOT_ID, type Item } from "../api/drive";

const PAGE = 200;

export interface ExportedItem {
  id: string;
  kind: Item["kind"];
  /** Where it is, from the root: `Projects/2024/report.pdf`. */
  path: string;
  size: number | null;
  type: string | null;
  createdAt: string;
  modifiedAt: string;
  trashedAt: string | null;
}

/**
 * Everything the account holds, as one JSON document: profile, sessions, two-factor status, and
 * every file and folder (trash included) with its path, and the activity feed the service keeps. Read page by page through the same API
 * the app uses; the bytes themselves are a ZIP download away.
 */
export async function collectAccountData(): Promise<Record<string, unknown>> {
  const [profile, sessions, twoFactor] = await Promise.all([
    unwrap(usersApi.GET("/api/v1/users/me")),
    unwrap(authApi.GET("/api/v1/auth/sessions")),
    unwrap(authApi.GET("/api/v1/auth/two-factor")),
  ]);
  return {
    exportedAt: new Date().toISOString(),
    profile,
    sessions: sessions.sessions,
    twoFactor: { enabled: twoFactor.enabled, recoveryCodesLeft: twoFactor.recoveryCodesLeft },
    items: [...(await folderTree()), ...(await trash())],
    activity: await activity(),
  };
}

/** Every event the service keeps (its retention period), newest first. */
async function activity(): Promise<ActivityEvent[]> {
  const events: ActivityEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await activityFeed.list({ limit: PAGE, cursor });
    events.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return events;
}

async function folderTree(): Promise<ExportedItem[]> {
  const items: ExportedItem[] = [];
  const folders: { id: string; path: string }[] = [{ id: ROOT_ID, path: "" }];
  for (let folder = folders.shift(); folder; folder = folders.shift()) {
    let cursor: string | null = null;
    do {
      const page = await drive.children(folder.id, { limit: PAGE, cursor });
      for (const item of page.items) {
        const path = folder.path ? `${folder.path}/${item.name}` : item.name;
        items.push(exported(item, path));
        if (item.kind === "folder") folders.push({ id: item.id, path });
      }
      cursor = page.nextCursor ?? null;
    } while (cursor);
  }
  return items;
}

async function trash(): Promise<ExportedItem[]> {
  const items: ExportedItem[] = [];
  let cursor: string | null = null;
  do {
    const page = await drive.trash({ limit: PAGE, cursor });
    for (const item of page.items) {
      const location = (item.path ?? []).map((ancestor) => ancestor.name);
      items.push(exported(item, [...location, item.name].join("/")));
    }
    cursor = page.nextCursor ?? null;
  } while (cursor);
  return items;
}

function exported(item: Item, path: string): ExportedItem {
  return {
    id: item.id,
    kind: item.kind,
    path,
    size: item.size ?? null,
    type: item.type ?? null,
    createdAt: item.createdAt,
    modifiedAt: item.modifiedAt,
    trashedAt: item.trashedAt ?? null,
  };
}
