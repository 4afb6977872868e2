import { drive, type Item, type Rendition } from "../api/drive";

/** A link is handed out only while it has this long left, so an image never starts on one about to expire. */
export const EXPIRY_MARGIN_MS = 30_000;
/** Links kept at most; the oldest go first. */
const MAX_LINKS = 2000;

interface CachedLink {
  url: Promise<string>;
  /** Epoch ms, once the server has answered. */
  expiresAt: number | null;
}

const links = new Map<string, CachedLink>();

/**
 * The signed link to a file's thumbnail, asked for once and reused until shortly before it
 * expires; concurrent callers share one request. The key holds `modifiedAt`, so a file replaced
 * under the same id gets its new thumbnail. A refusal (404 `thumbnail_not_found`) is not kept.
 */
export function thumbnailLink(file: Pick<Item, "id" | "modifiedAt">, size: Rendition): Promise<string> {
  const key = `${file.id}:${size}:${file.modifiedAt}`;
  const cached = links.get(key);
  if (cached && (cached.expiresAt === null || cached.expiresAt - EXPIRY_MARGIN_MS > Date.now())) return cached.url;
  const entry: CachedLink = { url: Promise.resolve(""), expiresAt: null };
  entry.url = drive.thumbnail(file.id, size).then(
    (link) => {
      // An unreadable expiry counts as expired: the link is used once, then asked for again.
      entry.expiresAt = Date.parse(link.expiresAt) || 0;
      return link.url;
    },
    (reason: unknown) => {
      if (links.get(key) === entry) links.delete(key);
      throw reason;
    },
  );
  links.delete(key);
  links.set(key, entry);
  if (links.size > MAX_LINKS) links.delete(links.keys().next().value!);
  return entry.url;
}

/** Forgets every link (tests; a sign-out need not, the links name no session). */
export function forgetThumbnailLinks(): void {
  links.clear();
}
