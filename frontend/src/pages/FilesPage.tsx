import { useCallback, useEffect, useRef, useState, type DragEvent } from "react";
import { useParams } from "react-router";
import { unwrap, usersApi } from "../api/client";
import { drive, parentIdOf, ROOT_ID, sameFolder, type Item } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { DropHint } from "../components/DropHint";
import { Breadcrumbs } from "../components/Breadcrumbs";
import { Button } from "../components/Field";
import { ItemBrowser, type ItemLoader } from "../components/ItemBrowser";
import { ListStatus } from "../components/ListStatus";
import { NewFolderDialog } from "../components/NewFolderDialog";
import { StorageSummary } from "../components/StorageSummary";
import { UsageBar } from "../components/UsageBar";
import { ViewToggle } from "../components/ViewToggle";
import { useToast } from "../components/Toast";
import { useReloadOnUpload } from "../components/UploadPanel";
import { carriesItems } from "../lib/dragItems";
import { useDocumentTitle } from "../lib/documentTitle";
import { useFolderUpload } from "../lib/useFolderUpload";
import { useViewMode } from "../lib/viewMode";

const pickerClass =
  "inline-flex cursor-pointer items-center rounded-md px-4 py-2 text-sm font-semibold shadow-sm focus-within:outline focus-within:outline-3 focus-within:outline-indigo-500";

/** /files and /files/:folderId: one folder of the drive, afresh for each folder. */
export function FilesPage() {
  const { folderId = ROOT_ID } = useParams();
  return <FolderView key={folderId} folderId={folderId} />;
}

function FolderView({ folderId }: { folderId: string }) {
  const [folder, setFolder] = useState<Item | null>(null);
  const [folderError, setFolderError] = useState<{ message: string; offline: boolean } | null>(null);
  const [folderLoads, setFolderLoads] = useState(0);
  const [reloadSignal, setReloadSignal] = useState(0);
  const [creating, setCreating] = useState(false);
  const [dragging, setDragging] = useState(false);
  const toast = useToast();
  const uploads = useFolderUpload({
    parentId: parentIdOf(folderId),
    ensureFolder: (name, parent) => drive.createFolder(name, parent, "merge"),
    onFoldersMade: () => setReloadSignal((signal) => signal + 1),
  });
  const headingRef = useRef<HTMLHeadingElement>(null);
  const [view, setView] = useViewMode();

  useEffect(() => {
    let current = true;
    drive
      .folder(folderId)
      .then((shown) => {
        if (!current) return;
        setFolderError(null);
        setFolder(shown);
      })
      .catch(
        (reason) =>
          current &&
          setFolderError({ message: messageOf(reason), offline: reason instanceof ApiError && reason.status === 0 }),
      );
    return () => {
      current = false;
    };
  }, [folderId, folderLoads]);

  // Offline, the folder could not load: it loads again by itself when the network is back.
  const retryFolder = useCallback(() => setFolderLoads((count) => count + 1), []);
  useEffect(() => {
    if (!folderError) return;
    window.addEventListener("online", retryFolder);
    return () => window.removeEventListener("online", retryFolder);
  }, [folderError, retryFolder]);

  // Trashed files count until purged, so only uploads change the figure shown here.
  const [usage, setUsage] = useState<{ storageUsed: number; fileCount: number } | null>(null);
  useEffect(() => {
    let current = true;
    unwrap(usersApi.GET("/api/v1/users/me"))
      .then((profile) => current && setUsage({ storageUsed: profile.storageUsed, fileCount: profile.fileCount }))
      .catch(() => current && setUsage(null));
    return () => {
      current = false;
    };
  }, [reloadSignal]);

  const inFolder = folder !== null && folder.id !== ROOT_ID;
  useDocumentTitle(inFolder ? `Files · ${folder.name}` : "Files");

  // An upload into this folder shows up at once.
  useReloadOnUpload(
    (parentId, shareId) => !shareId && sameFolder(parentId, folderId),
    () => setReloadSignal((signal) => signal + 1),
  );

  const load = useCallback<ItemLoader>((options, signal) => drive.children(folderId, options, signal), [folderId]);
  const fallbackFocus = useCallback(() => headingRef.current, []);

  function handleDrop(event: DragEvent) {
    setDragging(false);
    if (carriesItems(event)) return;
    event.preventDefault();
    void uploads.addDropped(event.dataTransfer);
  }

  async function move(ids: string[], parentId: string) {
    const result = await drive.move(ids, parentIdOf(parentId));
    if (result.failed.length)
      toast({ kind: "error", message: `Not moved: ${result.failed.map((f) => f.message).join(" ")}` });
    setReloadSignal((signal) => signal + 1);
  }

  if (folderError) {
    return (
      <div className="space-y-4">
        <h1 ref={headingRef} tabIndex={-1} className="text-2xl font-bold">
          Folder not available
        </h1>
        <ListStatus error={folderError.message} offline={folderError.offline} onRetry={retryFolder} />
      </div>
    );
  }

  return (
    <section
      aria-labelledby="folder-heading"
      className="space-y-4"
      onDragEnter={(event) => {
        if (!carriesItems(event)) setDragging(true);
      }}
      onDragOver={(event) => {
        if (!carriesItems(event)) event.preventDefault();
      }}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={handleDrop}
      data-testid="upload-dropzone"
    >
      <Breadcrumbs
        folder={folder ?? { id: folderId, name: "", path: [] }}
        onDropItems={(ids, id) => void move(ids, id)}
      />
      <div className="flex flex-wrap items-end justify-between gap-2">
        <div className="min-w-0">
          <h1
            id="folder-heading"
            ref={headingRef}
            tabIndex={-1}
            className="text-2xl font-bold [overflow-wrap:anywhere]"
          >
            {inFolder ? folder.name : folderId === ROOT_ID ? "Your files" : "…"}
          </h1>
          <StorageSummary usage={usage} />
          <UsageBar reload={reloadSignal} />
        </div>
        <div className="flex flex-wrap items-center gap-2">
          <ViewToggle value={view} onChange={setView} />
          <Button variant="secondary" onClick={() => setCreating(true)}>
            New folder
          </Button>
          <label
            className={`${pickerClass} border border-slate-300 bg-white text-slate-800 hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:text-slate-200 dark:hover:bg-slate-800`}
          >
            Choose folder
            <input
              type="file"
              className="sr-only"
              // React has no typed prop for it; every current browser supports the attribute.
              ref={(input) => input?.setAttribute("webkitdirectory", "")}
              onChange={(event) => {
                const chosen = Array.from(event.target.files ?? []);
                event.target.value = "";
                if (chosen.length) void uploads.addPickedFolder(chosen);
              }}
            />
          </label>
          <label className={`${pickerClass} bg-indigo-600 text-white hover:bg-indigo-500`}>
            Choose files
            <input
              type="file"
              multiple
              className="sr-only"
              onChange={(event) => {
                const chosen = Array.from(event.target.files ?? []);
                if (chosen.length) uploads.addFiles(chosen);
                event.target.value = "";
              }}
            />
          </label>
        </div>
      </div>
      <DropHint dragging={dragging} maxUploadBytes={uploads.maxUploadBytes} />
      <ItemBrowser
        caption={inFolder ? `Contents of ${folder.name}` : "Your files"}
        key={folderId}
        load={load}
        listKey={folderId}
        scope="in this folder"
        focusOnLoad
        folderId={folderId}
        location={inFolder ? [...(folder.path ?? []), { id: folder.id, name: folder.name }] : []}
        reloadSignal={reloadSignal}
        fallbackFocus={fallbackFocus}
        view={view}
        empty={
          <div className="rounded-lg border border-slate-200 bg-white px-6 py-12 text-center dark:border-slate-700 dark:bg-slate-900">
            <p className="text-lg font-medium">{inFolder ? "This folder is empty" : "No files yet"}</p>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">
              Drop files or folders here, or choose files to upload.
            </p>
          </div>
        }
      />
      {creating && (
        <NewFolderDialog
          onCreate={async (name) => {
            await drive.createFolder(name, parentIdOf(folderId));
            setReloadSignal((signal) => signal + 1);
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </section>
  );
}
