import { useEffect, useState } from "react";
import { drive, navigateTo, type Item, type Version } from "../api/drive";
import { messageOf } from "../api/errors";
import { formatBytes, formatDate } from "../lib/format";
import { Button } from "./Field";
import { Notice } from "./Notice";

interface VersionsPanelProps {
  file: Item;
  /** The file as a restore left it (its new current version). */
  onRestored(file: Item): void;
}

type State = { kind: "loading" } | { kind: "error"; message: string } | { kind: "ready"; versions: Version[] };
/** What was loaded, and for which file: another file's list is never shown as this one's. */
type Loaded = { fileId: string; state: State };

/**
 * A file's versions, newest first: each can be opened, downloaded and (an earlier one) restored,
 * which makes it the newest version again without losing any.
 */
export default function VersionsPanel({ file, onRestored }: VersionsPanelProps) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const state: State = loaded?.fileId === file.id ? loaded.state : { kind: "loading" };
  const [busy, setBusy] = useState<string | null>(null);
  const [noticeOf, setNotice] = useState<{ fileId: string; kind: "error" | "success"; text: string } | null>(null);
  const notice = noticeOf?.fileId === file.id ? noticeOf : null;

  const [generation, setGeneration] = useState(0);
  /** Reads the list again (after a restore). */
  const reload = () => setGeneration((value) => value + 1);

  useEffect(() => {
    const controller = new AbortController();
    drive
      .versions(file.id, controller.signal)
      .then(({ items }) => setLoaded({ fileId: file.id, state: { kind: "ready", versions: items } }))
      .catch(
        (reason) =>
          !controller.signal.aborted &&
          setLoaded({ fileId: file.id, state: { kind: "error", message: messageOf(reason) } }),
      );
    return () => controller.abort();
  }, [file.id, generation]);

  const open = async (version: Version, inline: boolean) => {
    setNotice(null);
    try {
      const { url } = await drive.versionLink(file.id, version.id, { inline });
      if (inline) window.open(url, "_blank", "noopener");
      else navigateTo(url);
    } catch (reason) {
      setNotice({ fileId: file.id, kind: "error", text: messageOf(reason) });
    }
  };

  const restore = async (version: Version) => {
    setBusy(version.id);
    setNotice(null);
    try {
      const restored = await drive.restoreVersion(file.id, version.id);
      setNotice({
        fileId: file.id,
        kind: "success",
        text: `The version of ${formatDate(version.createdAt)} is the current one again.`,
      });
      onRestored(restored);
      reload();
    } catch (reason) {
      setNotice({ fileId: file.id, kind: "error", text: messageOf(reason) });
    } finally {
      setBusy(null);
    }
  };

  return (
    <section aria-labelledby="versions-heading" className="mt-4">
      <h3 id="versions-heading" className="text-sm font-semibold">
        Versions
      </h3>
      {notice && (
        <div className="mt-2">
          <Notice kind={notice.kind}>{notice.text}</Notice>
        </div>
      )}
      {state.kind === "loading" && <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">Loading versions…</p>}
      {state.kind === "error" && (
        <div className="mt-2">
          <Notice kind="error">{state.message}</Notice>
        </div>
      )}
      {state.kind === "ready" && (
        <ol className="mt-2 divide-y divide-slate-200 text-sm dark:divide-slate-700" aria-label="Versions">
          {state.versions.map((version) => (
            <li key={version.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <div className="min-w-0">
                <p>
                  <span className="font-medium">{formatDate(version.createdAt)}</span>
                  {version.current && (
                    <span className="ml-2 rounded bg-indigo-100 px-1.5 py-0.5 text-xs text-indigo-800 dark:bg-indigo-900 dark:text-indigo-200">
                      Current
                    </span>
                  )}
                </p>
                <p className="text-slate-600 dark:text-slate-400">
                  {formatBytes(version.size)} ·{" "}
                  {version.uploadedBy ? "uploaded by someone you share with" : "uploaded by you"}
                  {version.expiresAt && <> · kept until {formatDate(version.expiresAt)}</>}
                </p>
                {version.sha256 && (
                  <p className="truncate font-mono text-xs text-slate-500" title={`SHA-256 ${version.sha256}`}>
                    SHA-256 {version.sha256}
                  </p>
                )}
              </div>
              <div className="flex gap-2">
                <Button
                  variant="secondary"
                  type="button"
                  aria-label={`Open the version of ${formatDate(version.createdAt)}`}
                  onClick={() => open(version, true)}
                >
                  Open
                </Button>
                <Button
                  variant="secondary"
                  type="button"
                  aria-label={`Download the version of ${formatDate(version.createdAt)}`}
                  onClick={() => open(version, false)}
                >
                  Download
                </Button>
                {!version.current && (
                  <Button
                    type="button"
                    disabled={busy !== null}
                    aria-label={`Restore the version of ${formatDate(version.createdAt)}`}
                    onClick={() => restore(version)}
                  >
                    {busy === version.id ? "Restoring…" : "Restore"}
                  </Button>
                )}
              </div>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
