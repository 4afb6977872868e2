import { useEffect, useState } from "react";
import { describePath, drive, type Item } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { extensionOf, fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { thumbnailLink } from "../lib/thumbnailLinks";
import { Button } from "./Field";
import { Modal } from "./Modal";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

type Preview =
  | { kind: "loading" }
  | { kind: "image" | "pdf" | "audio" | "video" | "text"; url: string; reduced?: boolean }
  | { kind: "markdown"; html: string }
  | { kind: "none" }
  | { kind: "error"; message: string };

/** Documents rendered here are read whole: past this, the plain text view is shown instead. */
const MAX_RENDERED_BYTES = 2 * 1024 * 1024;

/**
 * Images above this size that have thumbnails show the large one (1280 px WebP): a phone need
 * not fetch a 20 MB photo to show it in a dialog. Smaller ones show the original.
 */
export const LARGE_RENDITION_FROM_BYTES = 1024 * 1024;

/** How a type shows inline, or null when the server is asked for a text rendering. */
export function inlineKind(type: string | null): "image" | "pdf" | "audio" | "video" | null {
  if (!type) return null;
  if (type === "application/pdf") return "pdf";
  if (type.startsWith("image/")) return "image";
  if (type.startsWith("audio/")) return "audio";
  if (type.startsWith("video/")) return "video";
  return null;
}

/** The full-object SHA-256 storage verified (base64; `-N` after it for a file sent in N parts). */
const checksumOf = (file: Item) => file.sha256 ?? null;

const isSvg = (file: Item) =>
  file.mediaType === "image/svg+xml" || file.type === "image/svg+xml" || extensionOf(file.name) === "svg";

/** The file's text, through its `as=text` link (a presigned URL on the storage origin). */
async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, { credentials: "omit" });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

/**
 * SVG and Markdown are read as text and shown as themselves: an SVG as an <img> of a Blob (an
 * image never runs the scripts an SVG may hold), Markdown as sanitised HTML. If the text cannot
 * be read (storage without CORS, say), they show as plain text in the sandboxed frame.
 */
async function loadRendered(file: Item, url: string): Promise<Preview> {
  if ((file.size ?? 0) > MAX_RENDERED_BYTES) return { kind: "text", url };
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

const original = async (file: Item, kind: "image" | "pdf" | "audio" | "video"): Promise<Preview> => ({
  kind,
  url: (await drive.link(file.id, { inline: true })).url,
});

async function loadPreview(file: Item): Promise<Preview> {
  const kind = inlineKind(file.type);
  if (kind === "image" && file.thumbnail === "ready" && (file.size ?? 0) > LARGE_RENDITION_FROM_BYTES) {
    try {
      return { kind, url: await thumbnailLink(file, "large"), reduced: true };
    } catch {
      // No rendition after all (refused, or gone with a replaced file): the original it is.
    }
  }
  if (kind && !isSvg(file)) return original(file, kind);
  try {
    const url = (await drive.link(file.id, { inline: true, asText: true })).url;
    if (isSvg(file) || fileTypeOf(file).family === "markdown") return await loadRendered(file, url);
    return { kind: "text", url };
  } catch (reason) {
    if (reason instanceof ApiError && reason.code === "not_previewable") return { kind: "none" };
    throw reason;
  }
}

interface PreviewDialogProps {
  files: Item[];
  index: number;
  /** The folder path to show when items carry none (a folder listing). */
  location?: Item["path"];
  onIndexChange(index: number): void;
  onDownload(file: Item): void;
  /** Opens the share dialog in place of the preview. */
  onShare?(file: Item): void;
  onClose(): void;
}

/** A file shown in the browser from a short-lived inline link; ←/→ go through the listing's files. */
export function PreviewDialog({
  files,
  index,
  location,
  onIndexChange,
  onDownload,
  onShare,
  onClose,
}: PreviewDialogProps) {
  const file = files[index];
  const [loaded, setLoaded] = useState<{ id: string; preview: Preview } | null>(null);
  const preview: Preview = loaded?.id === file.id ? loaded.preview : { kind: "loading" };

  useEffect(() => {
    let current = true;
    let blobUrl: string | null = null;
    loadPreview(file)
      .then((next) => {
        if ("url" in next && next.url.startsWith("blob:")) blobUrl = next.url;
        if (current) setLoaded({ id: file.id, preview: next });
        else if (blobUrl) URL.revokeObjectURL(blobUrl);
      })
      .catch((reason) => current && setLoaded({ id: file.id, preview: { kind: "error", message: messageOf(reason) } }));
    return () => {
      current = false;
      if (blobUrl) URL.revokeObjectURL(blobUrl);
    };
  }, [file]);

  /** The original instead of the reduced copy: asked for, or when the copy fails to load. */
  const showOriginal = () => {
    setLoaded({ id: file.id, preview: { kind: "loading" } });
    original(file, "image")
      .then((next) => setLoaded((shown) => (shown?.id === file.id ? { id: file.id, preview: next } : shown)))
      .catch((reason) =>
        setLoaded((shown) =>
          shown?.id === file.id ? { id: file.id, preview: { kind: "error", message: messageOf(reason) } } : shown,
        ),
      );
  };

  const go = (step: number) => {
    const next = index + step;
    if (next >= 0 && next < files.length) onIndexChange(next);
  };

  return (
    <Modal
      title={file.name}
      wide
      onClose={onClose}
      onKeyDown={(event) => {
        const target = event.target as HTMLElement;
        if (target.tagName === "AUDIO" || target.tagName === "VIDEO") return;
        if (event.key === "ArrowLeft") go(-1);
        if (event.key === "ArrowRight") go(1);
      }}
    >
      <div className="mt-4 flex min-h-48 items-center justify-center rounded-md bg-slate-100 dark:bg-slate-800">
        {preview.kind === "loading" && <Spinner label="Loading preview" />}
        {preview.kind === "image" && (
          <img
            src={preview.url}
            alt={file.name}
            onError={preview.reduced ? showOriginal : undefined}
            className="max-h-[60vh] max-w-full"
          />
        )}
        {preview.kind === "pdf" && (
          <iframe title={`Preview of ${file.name}`} src={preview.url} className="h-[60vh] w-full" />
        )}
        {preview.kind === "markdown" && (
          <div
            className="markdown-body max-h-[60vh] w-full overflow-auto bg-white p-6 text-left text-sm text-slate-900 dark:bg-slate-900 dark:text-slate-100"
            aria-label={`Preview of ${file.name}`}
            role="document"
            // Sanitised by DOMPurify in lib/markdown.ts.
            dangerouslySetInnerHTML={{ __html: preview.html }}
          />
        )}
        {preview.kind === "text" && (
          // Empty sandbox: the text cannot run scripts or reach this page, whatever it holds.
          <iframe title={`Preview of ${file.name}`} sandbox="" src={preview.url} className="h-[60vh] w-full bg-white" />
        )}
        {preview.kind === "audio" && (
          <audio controls src={preview.url} aria-label={`Play ${file.name}`}>
            <track kind="captions" />
          </audio>
        )}
        {preview.kind === "video" && (
          <video controls src={preview.url} aria-label={`Play ${file.name}`} className="max-h-[60vh] max-w-full">
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
      {preview.kind === "image" && preview.reduced && (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
          A smaller copy is shown.{" "}
          <button
            type="button"
            onClick={showOriginal}
            className="font-medium text-indigo-700 underline dark:text-indigo-300"
          >
            Show the original
          </button>{" "}
          ({formatBytes(file.size ?? 0)}), or download it.
        </p>
      )}
      <dl className="mt-4 grid grid-cols-[auto_1fr] gap-x-4 gap-y-1 text-sm">
        <dt className="text-slate-600 dark:text-slate-400">Size</dt>
        <dd>{formatBytes(file.size ?? 0)}</dd>
        <dt className="text-slate-600 dark:text-slate-400">Type</dt>
        <dd>{fileTypeOf(file).label}</dd>
        <dt className="text-slate-600 dark:text-slate-400">Modified</dt>
        <dd>{formatDate(file.modifiedAt)}</dd>
        <dt className="text-slate-600 dark:text-slate-400">Folder</dt>
        <dd>{describePath(file.path ?? location)}</dd>
        {checksumOf(file) && (
          <>
            <dt className="text-slate-600 dark:text-slate-400">SHA-256</dt>
            <dd
              className="font-mono text-xs break-all"
              title="As storage verified it: compare with the downloaded file's"
            >
              {checksumOf(file)}
            </dd>
          </>
        )}
      </dl>
      <div className="mt-6 flex flex-wrap items-center justify-between gap-2">
        <div className="flex gap-2">
          <Button variant="secondary" type="button" disabled={index === 0} onClick={() => go(-1)}>
            ← Previous
          </Button>
          <Button variant="secondary" type="button" disabled={index === files.length - 1} onClick={() => go(1)}>
            Next →
          </Button>
        </div>
        <div className="flex gap-2">
          <Button type="button" onClick={() => onDownload(file)}>
            Download
          </Button>
          {onShare && (
            <Button variant="secondary" type="button" onClick={() => onShare(file)}>
              Share
            </Button>
          )}
          <Button variant="secondary" type="button" onClick={onClose}>
            Close
          </Button>
        </div>
      </div>
    </Modal>
  );
}
