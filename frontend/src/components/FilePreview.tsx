import { useCallback, useEffect, useRef, useState, type SyntheticEvent } from "react";
import { messageOf } from "../api/errors";
import { extensionOf, fileTypeOf } from "../lib/fileType";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

/** Where a player was when its link failed, so that it carries on there through a fresh link. */
export interface PlaybackPosition {
  time: number;
  playing: boolean;
}

export type Preview =
  | { kind: "loading" }
  | { kind: "image" | "pdf" | "audio" | "video" | "text"; url: string; reduced?: boolean; resumeAt?: PlaybackPosition }
  | { kind: "markdown"; html: string }
  | { kind: "none" }
  | { kind: "error"; message: string };

/** What the owner's and a visitor's previews know of a file. */
export interface PreviewedFile {
  kind: "file" | "folder";
  name: string;
  size: number | null;
  type?: string | null;
  mediaType?: string | null;
}

/** Documents rendered here are read whole: past this, the plain text view is shown instead. */
const MAX_RENDERED_BYTES = 2 * 1024 * 1024;

/** How a type shows inline, or null when the server is asked for a text rendering. */
export function inlineKind(type: string | null | undefined): "image" | "pdf" | "audio" | "video" | null {
  if (!type) return null;
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return null;
}

export const isSvg = (file: PreviewedFile) =>
  file.mediaType === "image/svg+xml" || file.type === "image/svg+xml" || extensionOf(file.name) === "svg";

/** The file's text, through its text link (a presigned URL on the storage origin). */
async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { credentials: "omit", referrerPolicy: "no-referrer" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/**
 * A file served as plain text (`url`). SVG and Markdown are read and shown as themselves: an SVG
 * as an <img> of a Blob (an image never runs the scripts an SVG may hold), Markdown as sanitised
 * HTML. If the text cannot be read (storage without CORS, say), or is too big to render, they
 * show as plain text in the sandboxed frame, as every other text does.
 */
export async function textPreview(file: PreviewedFile, url: string): Promise<Preview> {
  const rendered = isSvg(file) || fileTypeOf(file).family === "markdown";
  if (!rendered || (file.size ?? 0) > MAX_RENDERED_BYTES) return { kind: "text", url };
  try {
    const text = await fetchText(url);
    if (isSvg(file)) {
      return { kind: "image", url: URL.createObjectURL(new Blob([text], { type: "image/svg+xml" })) };
    }
    const { renderMarkdown } = await import("../lib/markdown");
    return { kind: "markdown", html: renderMarkdown(text) };
  } catch {
    return { kind: "text", url };
  }
}

/**
 * Links to shared files live for seconds (revoking a share ends access that fast), but a player asks
 * storage for more of the file whenever it seeks or buffers. This many fresh links a minute let it
 * carry on; a file that fails more often than that is broken, not expired.
 */
const MAX_FRESH_LINKS = 3;
const FRESH_LINKS_WINDOW_MS = 60_000;
const UNLOADABLE = "the browser could not open the file.";

/**
 * The preview of the thing `key` names, loaded by `load` (kept stable by the caller) and loaded
 * again when the key changes; a Blob it made is released when it is replaced. `replace` shows
 * another load of the same thing (the original instead of a reduced copy, say). `renewLink` is for
 * an element whose link stopped working: it runs the loader of the shown preview again, without
 * unmounting the element, and the player resumes at `resumeAt`.
 */
export function usePreview(key: string, load: () => Promise<Preview>) {
  const [loaded, setLoaded] = useState<{ key: string; preview: Preview } | null>(null);
  const preview: Preview = loaded?.key === key ? loaded.preview : { kind: "loading" };
  const shownLoader = useRef(load);
  const freshLinkTimes = useRef<number[]>([]);

  useEffect(() => {
    let current = true;
    let blobUrl: string | null = null;
    shownLoader.current = load;
    freshLinkTimes.current = [];
    load()
      .then((next) => {
        if ("url" in next && next.url.startsWith("blob:")) blobUrl = next.url;
        if (current) setLoaded({ key, preview: next });
        else if (blobUrl) URL.revokeObjectURL(blobUrl);
      })
      .catch((reason) => current && setLoaded({ key, preview: { kind: "error", message: messageOf(reason) } }));
    return () => {
      current = false;
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    };
  }, [key, load]);

  const show = useCallback(
    (shown: Preview) => setLoaded((before) => (before?.key === key ? { key, preview: shown } : before)),
    [key],
  );

  const replace = useCallback(
    (next: () => Promise<Preview>) => {
      shownLoader.current = next;
      setLoaded({ key, preview: { kind: "loading" } });
      next().then(show, (reason) => show({ kind: "error", message: messageOf(reason) }));
    },
    [key, show],
  );

  const renewLink = useCallback(
    (resumeAt?: PlaybackPosition) => {
      const now = Date.now();
      const recent = freshLinkTimes.current.filter((at) => now - at < FRESH_LINKS_WINDOW_MS);
      // A Blob's bytes are already here: loading them again would not mend them.
      const shown = loaded?.preview;
      const fromBlob = shown && "url" in shown && shown.url.startsWith("blob:");
      if (fromBlob || recent.length >= MAX_FRESH_LINKS) {
        show({ kind: "error", message: UNLOADABLE });
        return;
      }
      freshLinkTimes.current = [...recent, now];
      shownLoader.current().then(
        (next) => show("url" in next && resumeAt ? { ...next, resumeAt } : next),
        (reason) => show({ kind: "error", message: messageOf(reason) }),
      );
    },
    [loaded, show],
  );
  return { preview, replace, renewLink };
}

/** Puts a player that was given a fresh link back where it was. */
function resumePlayback(event: SyntheticEvent<HTMLMediaElement>, resumeAt: PlaybackPosition | undefined) {
  if (!resumeAt) return;
  const player = event.currentTarget;
  player.currentTime = resumeAt.time;
  // Refused only by an autoplay policy; the player's own button still starts it.
  if (resumeAt.playing) player.play().catch(() => {});
}

/**
 * A loaded preview. The storage URL never learns which page showed it: the elements send no
 * referrer (a share page's address is its link).
 */
export function PreviewPane({
  preview,
  name,
  onLoadError,
}: {
  preview: Preview;
  name: string;
  /** An image, audio or video element could not load its link; a player says where it was. */
  onLoadError?: (resumeAt?: PlaybackPosition) => void;
}) {
  const resumeAt = "resumeAt" in preview ? preview.resumeAt : undefined;
  const onPlayerError = (event: SyntheticEvent<HTMLMediaElement>) => {
    const player = event.currentTarget;
    // A fresh link that fails before its first bytes has not moved the player from where it was.
    const notStarted = player.readyState === HTMLMediaElement.HAVE_NOTHING && resumeAt;
    onLoadError?.(notStarted || { time: player.currentTime, playing: !player.paused });
  };
  const onLoadedMetadata = (event: SyntheticEvent<HTMLMediaElement>) => resumePlayback(event, resumeAt);
  return (
    <div className="flex min-h-48 items-center justify-center rounded-md bg-slate-100 dark:bg-slate-800">
      {preview.kind === "loading" && <Spinner label="Loading preview" />}
      {preview.kind === "image" && (
        <img
          src={preview.url}
          alt={name}
          referrerPolicy="no-referrer"
          onError={() => onLoadError?.()}
          className="max-h-[60vh] max-w-full"
        />
      )}
      {preview.kind === "pdf" && (
        // No renewal: an iframe reports no failed load, and Chromium's viewer reads the whole PDF
        // through its first request (its partial loading is off by default), so a link that
        // expires afterwards cuts nothing off.
        <iframe
          title={`Preview of ${name}`}
          src={preview.url}
          referrerPolicy="no-referrer"
          className="h-[60vh] w-full"
        />
      )}
      {preview.kind === "markdown" && (
        <div
          className="markdown-body max-h-[60vh] w-full overflow-auto bg-white p-6 text-left text-sm text-slate-900 dark:bg-slate-900 dark:text-slate-100"
          aria-label={`Preview of ${name}`}
          role="document"
          // Sanitised by DOMPurify in lib/markdown.ts.
          dangerouslySetInnerHTML={{ __html: preview.html }}
        />
      )}
      {preview.kind === "text" && (
        // Empty sandbox: the text cannot run scripts or reach this page, whatever it holds.
        <iframe
          title={`Preview of ${name}`}
          sandbox=""
          src={preview.url}
          referrerPolicy="no-referrer"
          className="h-[60vh] w-full bg-white"
        />
      )}
      {preview.kind === "audio" && (
        <audio
          controls
          src={preview.url}
          aria-label={`Play ${name}`}
          onError={onPlayerError}
          onLoadedMetadata={onLoadedMetadata}
        >
          <track kind="captions" />
        </audio>
      )}
      {preview.kind === "video" && (
        <video
          controls
          src={preview.url}
          aria-label={`Play ${name}`}
          onError={onPlayerError}
          onLoadedMetadata={onLoadedMetadata}
          className="max-h-[60vh] max-w-full"
        >
          <track kind="captions" />
        </video>
      )}
      {preview.kind === "none" && (
        <p className="p-6 text-sm text-slate-700 dark:text-slate-300">
          No preview for this type of file. Download it to open it.
        </p>
      )}
      {preview.kind === "error" && (
        <div className="p-6">
          <Notice kind="error">Could not load the preview: {preview.message}</Notice>
        </div>
      )}
    </div>
  );
}
