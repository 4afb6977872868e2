import { Suspense, lazy, useCallback, useState } from "react";
import { describePath, drive, type Item } from "../api/drive";
import { ApiError } from "../api/errors";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate } from "../lib/format";
import { thumbnailLink } from "../lib/thumbnailLinks";
import { Button } from "./Field";
import { PreviewPane, inlineKind, isSvg, textPreview, usePreview, type Preview } from "./FilePreview";
import { Modal } from "./Modal";
import { ActivityList } from "./ActivityList";

const VersionsPanel = lazy(() => import("./VersionsPanel"));

/**
 * Images above this size that have thumbnails show the large one (1280 px WebP): a phone need
 * not fetch a 20 MB photo to show it in a dialog. Smaller ones show the original.
 */
export const LARGE_RENDITION_FROM_BYTES = 1024 * 1024;

/** The full-object SHA-256 storage verified (base64; `-N` after it for a file sent in N parts). */
const checksumOf = (file: Item) => file.sha256 ?? null;

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
    return await textPreview(file, (await drive.link(file.id, { inline: true, asText: true })).url);
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
  /** Told of the file as a restored version left it. */
  onFileChanged?(file: Item): void;
  /** Whether the file is starred now (it may have been starred here, after the listing). */
  starredOf?(file: Item): boolean;
  onStar?(file: Item, starred: boolean): void;
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
  onFileChanged,
  starredOf = (shown) => shown.starred,
  onStar,
  onClose,
}: PreviewDialogProps) {
  const file = files[index];
  const [showVersions, setShowVersions] = useState(false);
  const starred = starredOf(file);
  const load = useCallback(() => loadPreview(file), [file]);
  // Keyed by the content too: a restored version shows at once.
  const { preview, replace, renewLink } = usePreview(`${file.id}@${file.modifiedAt}@${file.size}`, load);
  /** The original instead of the reduced copy: asked for, or when the copy fails to load. */
  const showOriginal = () => replace(() => original(file, "image"));

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
      <div className="mt-4">
        <PreviewPane
          preview={preview}
          name={file.name}
          onLoadError={preview.kind === "image" && preview.reduced ? showOriginal : renewLink}
        />
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
      {showVersions && (
        <Suspense fallback={<p className="mt-4 text-sm">Loading versions…</p>}>
          <VersionsPanel file={file} onRestored={(restored) => onFileChanged?.(restored)} />
        </Suspense>
      )}
      {/* Not keyed by file: a remount would drop the focus the dialog gave its first button, and
          the arrow keys would stop going through the files. */}
      <FileHistory fileId={file.id} />
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
          <Button
            variant="secondary"
            type="button"
            aria-expanded={showVersions}
            onClick={() => setShowVersions((shown) => !shown)}
          >
            Versions
          </Button>
          {onShare && (
            <Button variant="secondary" type="button" onClick={() => onShare(file)}>
              Share
            </Button>
          )}
          {onStar && (
            <Button variant="secondary" type="button" onClick={() => onStar(file, !starred)}>
              {starred ? "Unstar" : "Star"}
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

/** The file's own history, loaded when asked for. */
function FileHistory({ fileId }: { fileId: string }) {
  const [open, setOpen] = useState(false);
  const historyId = `history-${fileId}`;
  return (
    <div className="mt-4">
      <Button
        variant="secondary"
        type="button"
        aria-expanded={open}
        aria-controls={open ? historyId : undefined}
        onClick={() => setOpen(!open)}
      >
        {open ? "Hide history" : "History"}
      </Button>
      {open && (
        <div id={historyId} className="mt-2">
          <ActivityList key={fileId} filter={{ itemId: fileId }} />
        </div>
      )}
    </div>
  );
}
