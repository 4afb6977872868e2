import { defined, filesApi, unwrap } from "./client";
import type { components } from "./generated/files";

type Schemas = components["schemas"];

export type ActivityEvent = Schemas["ActivityEventRead"];
export type RecentFile = Schemas["RecentFileRead"];

export interface ActivityFilter {
  itemId?: string;
  folderId?: string;
}

/** The user's activity feed (all of it, one item's history, one folder's) and their Recent files. */
export const activity = {
  async list(
    filter: ActivityFilter & { limit?: number; cursor?: string | null } = {},
    signal?: AbortSignal,
  ): Promise<{ items: ActivityEvent[]; nextCursor: string | null }> {
    const page = await unwrap(filesApi.GET("/api/v1/files/activity", { params: { query: defined(filter) }, signal }));
    return { items: page.events, nextCursor: page.nextCursor };
  },
  recent: (options: { limit?: number; cursor?: string | null } = {}, signal?: AbortSignal) =>
    unwrap(filesApi.GET("/api/v1/files/recent", { params: { query: defined(options) }, signal })),
};
