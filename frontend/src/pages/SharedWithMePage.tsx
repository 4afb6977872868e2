import { useCallback, useEffect, useMemo, useState, type DragEvent, type ReactNode } from "react";
import { Link, useParams } from "react-router";
import { navigateTo, sameFolder, type Item } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { insideShare, SHARE_ROOT, sharedWithMe, type SharedWithMe } from "../api/people";
import { DropHint } from "../components/DropHint";
import { ConfirmDialog } from "../components/ConfirmDialog";
import { Button } from "../components/Field";
import { ListStatus } from "../components/ListStatus";
import { listFolders, MoveDialog, type FolderSource } from "../components/MoveDialog";
import { NameDialog } from "../components/NameDialog";
import { NewFolderDialog } from "../components/NewFolderDialog";
import { Notice } from "../components/Notice";
import { ROLE_LABELS } from "../components/SharePeople";
import { useToast } from "../components/Toast";
import { useReloadOnUpload } from "../components/UploadPanel";
import { useDocumentTitle } from "../lib/documentTitle";
import { formatBytes, formatDate } from "../lib/format";
import { useFolderUpload } from "../lib/useFolderUpload";
import { usePagedList, type PageRequest } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";

/** Pages of the user's shares read to find one opened by its address (the mail links to the list). */
const MAX_SHARE_PAGES = 5;

const NOT_SHARED = "This item is not shared with you, or no longer.";

const linkClass = "text-indigo-700 underline dark:text-indigo-300";
const shareHref = (shareId: string, folderId: string = SHARE_ROOT) =>
  folderId === SHARE_ROOT ? `/shared-with-me/${shareId}` : `/shared-with-me/${shareId}/${folderId}`;

/** /shared-with-me (what others shared with the user) and, under it, a shared folder's contents. */
export function SharedWithMePage() {
  const { shareId } = useParams();
  return shareId ? <SharedFolder key={shareId} shareId={shareId} /> : <SharedList />;
}

function SharedList() {
  const load = useCallback(
    ({ cursor, limit, signal }: PageRequest) => sharedWithMe.list({ limit, cursor }, signal),
    [],
  );
  const list = usePagedList(load, "shared-with-me");
  useDocumentTitle("Shared with me");
  const replace = (next: SharedWithMe) =>
    list.setItems((items) => items.map((item) => (item.id === next.id ? next : item)));
  const drop = (id: string) => list.setItems((items) => items.filter((item) => item.id !== id));
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-bold">Shared with me</h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">Files and folders others shared with you.</p>
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : list.items.length === 0 && !list.error ? (
        <p className="text-sm">Nothing yet. When someone shares a file or folder with you, it shows here.</p>
      ) : (
        <table className="w-full text-left text-sm">
          <caption className="sr-only">Items shared with you</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase dark:border-slate-700 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-2 pr-2">
                Name
              </th>
              <th scope="col" className="py-2 pr-2">
                Kind
              </th>
              <th scope="col" className="py-2 pr-2">
                Owner
              </th>
              <th scope="col" className="py-2 pr-2">
                Your role
              </th>
              <th scope="col" className="py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((share) => (
              <ShareRow key={share.id} share={share} onChange={replace} onLeft={() => drop(share.id)} />
            ))}
          </tbody>
        </table>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
    </div>
  );
}

function ShareRow({
  share,
  onChange,
  onLeft,
}: {
  share: SharedWithMe;
  onChange(share: SharedWithMe): void;
  onLeft(): void;
}) {
  const toast = useToast();
  const onError = (message: string) => toast({ kind: "error", message });
  const toggling = useSubmit({ onError });
  const leaving = useSubmit({ onError });
  const downloading = useSubmit({ onError });
  const [confirming, setConfirming] = useState(false);
  return (
    <tr className="border-b border-slate-100 dark:border-slate-800">
      <td className="py-2 pr-2 break-all">
        {share.kind === "folder" ? (
          <Link to={shareHref(share.id)} className={linkClass}>
            {share.name}
          </Link>
        ) : (
          <button
            type="button"
            className={linkClass}
            aria-label={`Download ${share.name}`}
            disabled={downloading.busy}
            onClick={() =>
              void downloading.run(async () => navigateTo((await insideShare(share.id).download(SHARE_ROOT)).url))
            }
          >
            {share.name}
          </button>
        )}
      </td>
      <td className="py-2 pr-2">{share.kind === "folder" ? "Folder" : `File, ${formatBytes(share.size ?? 0)}`}</td>
      <td className="py-2 pr-2">{share.ownerName}</td>
      <td className="py-2 pr-2">{ROLE_LABELS[share.role]}</td>
      <td className="py-2">
        <div className="flex flex-wrap justify-end gap-2">
          <Button
            variant="secondary"
            type="button"
            busy={toggling.busy}
            aria-pressed={share.inDrive}
            aria-label={`${share.inDrive ? "Remove from my drive" : "Add to my drive"}: ${share.name}`}
            onClick={() =>
              void toggling.run(async () => {
                await sharedWithMe.setInDrive(share.id, !share.inDrive);
                onChange({ ...share, inDrive: !share.inDrive });
              })
            }
          >
            {share.inDrive ? "Remove from my drive" : "Add to my drive"}
          </Button>
          <Button variant="danger" type="button" aria-label={`Leave ${share.name}`} onClick={() => setConfirming(true)}>
            Leave
          </Button>
        </div>
        {confirming && (
          <ConfirmDialog
            title={`Leave ${share.name}?`}
            message={`You lose access to it until ${share.ownerName} shares it with you again.`}
            confirmLabel="Leave"
            busy={leaving.busy}
            onCancel={() => setConfirming(false)}
            onConfirm={() =>
              void leaving.run(async () => {
                await sharedWithMe.leave(share.id);
                setConfirming(false);
                onLeft();
              })
            }
          />
        )}
      </td>
    </tr>
  );
}

/** The share as listed (its role above all), found by reading the user's list. */
function useShare(shareId: string) {
  const [share, setShare] = useState<SharedWithMe | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      let cursor: string | null = null;
      for (let page = 0; page < MAX_SHARE_PAGES; page += 1) {
        const answer = await sharedWithMe.list({ limit: 200, cursor }, controller.signal);
        const found = answer.items.find((item) => item.id === shareId);
        if (found) return found;
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      return null;
    })()
      .then((found) => (found ? setShare(found) : setError(NOT_SHARED)))
      .catch((reason) => !controller.signal.aborted && setError(messageOf(reason)));
    return () => controller.abort();
  }, [shareId]);
  return { share, error };
}

/** The user is an editor: the share's name (for the move dialog) and how the list changes. */
interface Editing {
  shareName: string;
  replace(item: Item): void;
  drop(id: string): void;
}

function SharedFolder({ shareId }: { shareId: string }) {
  const { folderId = SHARE_ROOT } = useParams();
  const { share, error: shareError } = useShare(shareId);
  const [folder, setFolder] = useState<Item | null>(null);
  const [reloads, setReloads] = useState(0);
  const load = useCallback(
    async ({ cursor, limit, signal }: PageRequest) => {
      const page = await insideShare(shareId).children(folderId, { limit, cursor }, signal);
      setFolder(page.folder);
      return page;
    },
    [shareId, folderId],
  );
  const list = usePagedList(load, `${shareId}/${folderId}`, reloads);
  const editor = share?.role === "editor";
  const shown = folder && (folderId === SHARE_ROOT ? folder.parentId === null : folder.id === folderId) ? folder : null;
  useDocumentTitle(shown ? `Shared with me · ${shown.name}` : "Shared with me");
  const reload = () => setReloads((count) => count + 1);
  useReloadOnUpload((parentId, uploadedTo) => uploadedTo === shareId && sameFolder(parentId, folderId), reload);
  const replace = (next: Item) => list.setItems((items) => items.map((entry) => (entry.id === next.id ? next : entry)));
  const drop = (id: string) => list.setItems((items) => items.filter((entry) => entry.id !== id));

  const listing = (
    <SharedFolderContents
      shareId={shareId}
      folderId={folderId}
      caption={`Contents of ${shown?.name ?? "the shared folder"}`}
      list={list}
      editing={editor ? { shareName: share.name, replace, drop } : null}
    />
  );

  return (
    <div className="space-y-4">
      <SharedBreadcrumbs
        shareId={shareId}
        rootName={share?.name ?? null}
        folder={shown}
        atRoot={folderId === SHARE_ROOT}
      />
      <h1 className="text-2xl font-bold break-all">{shown?.name ?? share?.name ?? "Shared folder"}</h1>
      {share && (
        <p className="text-sm text-slate-600 dark:text-slate-400">
          Shared by {share.ownerName} · you are {share.role === "editor" ? "an editor" : "a viewer"}
        </p>
      )}
      {/* The folder's own refusal says the same: one message is enough. */}
      {shareError && !list.error && <Notice kind="error">{shareError}</Notice>}
      {editor ? (
        <ShareUploads shareId={shareId} folderId={folderId} onFoldersMade={reload}>
          {listing}
        </ShareUploads>
      ) : (
        listing
      )}
    </div>
  );
}

/** The folder's items, a page at a time. */
function SharedFolderContents({
  shareId,
  folderId,
  caption,
  list,
  editing,
}: {
  shareId: string;
  folderId: string;
  caption: string;
  list: ReturnType<typeof usePagedList<Item>>;
  editing: Editing | null;
}) {
  return (
    <>
      <ListStatus error={list.error} offline={list.offline} onRetry={list.reload} />
      {list.loading ? (
        <ListStatus loading />
      ) : list.items.length === 0 && !list.error ? (
        <p className="text-sm">This folder is empty.</p>
      ) : (
        <table id="file-list" tabIndex={-1} className="w-full text-left text-sm">
          <caption className="sr-only">{caption}</caption>
          <thead className="border-b border-slate-200 text-xs text-slate-600 uppercase dark:border-slate-700 dark:text-slate-400">
            <tr>
              <th scope="col" className="py-2 pr-2">
                Name
              </th>
              <th scope="col" className="py-2 pr-2">
                Size
              </th>
              <th scope="col" className="py-2 pr-2">
                Modified
              </th>
              <th scope="col" className="py-2">
                <span className="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {list.items.map((item) => (
              <SharedItemRow key={item.id} shareId={shareId} folderId={folderId} item={item} editing={editing} />
            ))}
          </tbody>
        </table>
      )}
      {list.nextCursor && <ListStatus.More busy={list.loadingMore} onMore={() => void list.loadMore()} />}
    </>
  );
}

/** One item of the folder shown: its name (a download, or the way into a folder), and an editor's actions. */
function SharedItemRow({
  shareId,
  folderId,
  item,
  editing,
}: {
  shareId: string;
  folderId: string;
  item: Item;
  editing: Editing | null;
}) {
  const toast = useToast();
  const downloading = useSubmit({ onError: (message) => toast({ kind: "error", message }) });
  return (
    <tr className="border-b border-slate-100 dark:border-slate-800">
      <td className="py-2 pr-2 break-all">
        {item.kind === "folder" ? (
          <Link to={shareHref(shareId, item.id)} className={linkClass}>
            {item.name}
          </Link>
        ) : (
          <button
            type="button"
            className={linkClass}
            aria-label={`Download ${item.name}`}
            onClick={() =>
              void downloading.run(async () => navigateTo((await insideShare(shareId).download(item.id)).url))
            }
          >
            {item.name}
          </button>
        )}
      </td>
      <td className="py-2 pr-2">{item.size === null ? "—" : formatBytes(item.size)}</td>
      <td className="py-2 pr-2">{formatDate(item.modifiedAt)}</td>
      <td className="py-2">
        {editing && (
          <EditorActions
            shareId={shareId}
            shareName={editing.shareName}
            folderId={folderId}
            item={item}
            onRenamed={editing.replace}
            onMoved={(moved, parentId) =>
              sameFolder(parentId, folderId) ? editing.replace(moved) : editing.drop(moved.id)
            }
            onTrashed={() => editing.drop(item.id)}
          />
        )}
      </td>
    </tr>
  );
}

/** "Shared with me / Trip / Photos": nothing above the shared folder, which the user cannot see. */
function SharedBreadcrumbs({
  shareId,
  rootName,
  folder,
  atRoot,
}: {
  shareId: string;
  rootName: string | null;
  folder: Item | null;
  atRoot: boolean;
}) {
  const crumbs = [
    { to: "/shared-with-me", name: "Shared with me" },
    ...(atRoot ? [] : [{ to: shareHref(shareId), name: rootName ?? "Shared folder" }]),
    ...(atRoot || !folder
      ? []
      : (folder.path ?? []).map((entry) => ({ to: shareHref(shareId, entry.id), name: entry.name }))),
  ];
  return (
    <nav aria-label="Breadcrumb">
      <ol className="flex flex-wrap items-center gap-1 text-sm">
        {crumbs.map((crumb) => (
          <li key={crumb.to} className="flex items-center gap-1">
            <Link to={crumb.to} className={`px-1 ${linkClass}`}>
              {crumb.name}
            </Link>
            <span aria-hidden="true" className="text-slate-400">
              /
            </span>
          </li>
        ))}
        <li>
          <span aria-current="page" className="px-1 font-semibold">
            {folder?.name ?? (atRoot ? rootName : null) ?? "…"}
          </span>
        </li>
      </ol>
    </nav>
  );
}

/**
 * An editor's uploads and new folders in the folder shown. Uploads go through the app's upload
 * queue (its panel shows progress, pause and cancel): small files in one request, bigger ones in
 * parts straight to storage, dropped folders as their tree of folders, as the drive sends them. A
 * name already in the folder keeps both files: the owner's file is never replaced from here.
 */
function ShareUploads({
  shareId,
  folderId,
  onFoldersMade,
  children,
}: {
  shareId: string;
  folderId: string;
  onFoldersMade(): void;
  children: ReactNode;
}) {
  const api = insideShare(shareId);
  const uploads = useFolderUpload({
    parentId: folderId,
    ensureFolder: (name, parentId) => api.createFolder(name, parentId ?? SHARE_ROOT, "merge"),
    target: { shareId, onConflict: "rename" },
    onFoldersMade,
  });
  const [dragging, setDragging] = useState(false);
  const [creating, setCreating] = useState(false);

  function drop(event: DragEvent) {
    setDragging(false);
    event.preventDefault();
    void uploads.addDropped(event.dataTransfer);
  }

  return (
    <section
      aria-label="Upload to this shared folder"
      className="space-y-4"
      onDragEnter={() => setDragging(true)}
      onDragOver={(event) => event.preventDefault()}
      onDragLeave={(event) => {
        if (!event.currentTarget.contains(event.relatedTarget as Node | null)) setDragging(false);
      }}
      onDrop={drop}
      data-testid="upload-dropzone"
    >
      <div className="flex flex-wrap items-center gap-2">
        <Button variant="secondary" type="button" onClick={() => setCreating(true)}>
          New folder
        </Button>
        <label className="inline-flex cursor-pointer items-center rounded-md bg-indigo-600 px-4 py-2 text-sm font-semibold text-white shadow-sm focus-within:outline focus-within:outline-3 focus-within:outline-indigo-500 hover:bg-indigo-500">
          Choose files
          <input
            type="file"
            multiple
            className="sr-only"
            onChange={(event) => {
              const chosen = Array.from(event.target.files ?? []);
              event.target.value = "";
              if (chosen.length) uploads.addFiles(chosen);
            }}
          />
        </label>
      </div>
      <DropHint dragging={dragging} maxUploadBytes={uploads.maxUploadBytes} />
      {children}
      {creating && (
        <NewFolderDialog
          onCreate={async (name) => {
            await api.createFolder(name, folderId);
            onFoldersMade();
          }}
          onClose={() => setCreating(false)}
        />
      )}
    </section>
  );
}

/** The folders of one share, for the move dialog: "root" is the shared folder itself. */
function sharedFolders(shareId: string, rootName: string): FolderSource {
  return {
    rootId: SHARE_ROOT,
    rootName,
    open: async (folderId, signal) => {
      // Every page also names the folder listed, with the path "Up" needs: the first one's is kept.
      const listed: Item[] = [];
      const folders = await listFolders(async ({ cursor, limit }) => {
        const page = await insideShare(shareId).children(
          folderId,
          { kind: "folder", sort: "name", limit, cursor },
          signal,
        );
        listed.push(page.folder);
        return page;
      }, signal);
      const folder = listed[0];
      // Paths start below the shared folder: "Up" from its direct children goes to SHARE_ROOT.
      const parentId = folderId === SHARE_ROOT ? null : ((folder.path ?? []).at(-1)?.id ?? SHARE_ROOT);
      return { folder: { ...folder, parentId }, folders };
    },
    destinationOf: (folderId) => folderId,
  };
}

/** A refused move, said with the item's name where the server's words are general. */
function moveRefusal(reason: unknown, item: Item): unknown {
  if (reason instanceof ApiError && reason.status === 409)
    return new ApiError(
      409,
      reason.code,
      `Not moved: that folder already has an item named ${item.name}. Rename one of them first.`,
    );
  return reason;
}

function EditorActions({
  shareId,
  shareName,
  folderId,
  item,
  onRenamed,
  onMoved,
  onTrashed,
}: {
  shareId: string;
  shareName: string;
  /** The folder listed (SHARE_ROOT at the top): a move elsewhere takes the item off the list. */
  folderId: string;
  item: Item;
  onRenamed(item: Item): void;
  onMoved(item: Item, parentId: string): void;
  onTrashed(): void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [moving, setMoving] = useState(false);
  const [trashing, setTrashing] = useState(false);
  const toast = useToast();
  const trash = useSubmit({ onError: (message) => toast({ kind: "error", message }) });
  const api = insideShare(shareId);
  const folders = useMemo(() => sharedFolders(shareId, shareName), [shareId, shareName]);
  return (
    <div className="flex justify-end gap-2">
      <Button variant="secondary" type="button" aria-label={`Rename ${item.name}`} onClick={() => setRenaming(true)}>
        Rename
      </Button>
      <Button variant="secondary" type="button" aria-label={`Move ${item.name}`} onClick={() => setMoving(true)}>
        Move
      </Button>
      <Button variant="danger" type="button" aria-label={`Trash ${item.name}`} onClick={() => setTrashing(true)}>
        Trash
      </Button>
      {renaming && (
        <NameDialog
          title={`Rename ${item.name}`}
          label="New name"
          initial={item.name}
          submitLabel="Rename"
          onSubmit={async (name) => onRenamed(await api.rename(item.id, name))}
          onClose={() => setRenaming(false)}
        />
      )}
      {moving && (
        <MoveDialog
          moving={[item]}
          startFolderId={folderId}
          source={folders}
          onChoose={async (parentId) => {
            const destination = parentId ?? SHARE_ROOT;
            try {
              onMoved(await api.move(item.id, destination), destination);
            } catch (reason) {
              throw moveRefusal(reason, item);
            }
          }}
          onClose={() => setMoving(false)}
        />
      )}
      {trashing && (
        <ConfirmDialog
          title={`Move ${item.name} to the trash?`}
          message="It goes to the owner's trash, where they can restore it."
          confirmLabel="Move to trash"
          busy={trash.busy}
          onCancel={() => setTrashing(false)}
          onConfirm={() =>
            void trash.run(async () => {
              await api.trash(item.id);
              setTrashing(false);
              onTrashed();
            })
          }
        />
      )}
    </div>
  );
}
