import { useEffect, useState } from "react";
import { drive, parentIdOf, ROOT_ID, type Item } from "../api/drive";
import { Button } from "./Field";
import { ItemIcon } from "./ItemIcon";
import { Modal } from "./Modal";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";
import { fetchRows, MAX_LIMIT, MAX_REQUESTS_PER_PAGE, type PageLoader } from "../lib/usePagedList";
import { useSubmit } from "../lib/useSubmit";

/** Where the dialog browses for a destination: the user's drive, or a folder shared with them. */
export interface FolderSource {
  /** The top folder's id, and what it is called in the dialog. */
  rootId: string;
  rootName: string;
  /** A folder (its `parentId` the folder "Up" goes to) and the folders in it. */
  open(folderId: string, signal: AbortSignal): Promise<{ folder: Item; folders: Item[] }>;
  /** What the move sends for the chosen folder. */
  destinationOf(folderId: string): string | null;
}

/** As many folders as one `fetchRows` reads: a folder holding more lists its first ones. */
const MAX_FOLDERS = MAX_LIMIT * MAX_REQUESTS_PER_PAGE;

/** The folders in one folder, page after page (`load` asks the server for folders only). */
export async function listFolders(load: PageLoader<Item>, signal: AbortSignal): Promise<Item[]> {
  return (await fetchRows(load, null, MAX_FOLDERS, signal)).items;
}

/** The user's own drive, its root sent as null. */
export const driveFolders: FolderSource = {
  rootId: ROOT_ID,
  rootName: "My files",
  open: async (folderId, signal) => {
    const [folder, folders] = await Promise.all([
      drive.folder(folderId, signal),
      listFolders(
        ({ cursor, limit }) => drive.children(folderId, { kind: "folder", sort: "name", limit, cursor }, signal),
        signal,
      ),
    ]);
    return { folder, folders };
  },
  destinationOf: parentIdOf,
};

/** What the dialog says for each action that takes a destination folder. */
const WORDING = {
  move: { verb: "Move", confirm: "Move here", intoItself: "A folder cannot move into itself." },
  copy: { verb: "Copy", confirm: "Copy here", intoItself: "A folder cannot be copied into itself." },
};

interface MoveDialogProps {
  /** The items being moved or copied: a folder among them cannot be a destination. */
  moving: Item[];
  /** How many items go, when more are chosen than loaded ("Select all in this folder"). */
  count?: number;
  startFolderId: string;
  /** "Move to…" (the default) or "Copy to…": only the words differ. */
  action?: keyof typeof WORDING;
  /** Called with the chosen folder as `source.destinationOf` gives it; a failure shows in the dialog. */
  onChoose(parentId: string | null): Promise<unknown>;
  onClose(): void;
  /** Where focus goes if what opened the dialog is gone (the selection toolbar, after a move). */
  fallbackFocus?: () => HTMLElement | null;
  /** Where destinations are found (default: the user's drive). */
  source?: FolderSource;
}

/** "Move to…" or "Copy to…": browse folders (only folders are listed) and send the items into the one shown. */
export function MoveDialog({
  moving,
  count = moving.length,
  startFolderId,
  action = "move",
  onChoose,
  onClose,
  fallbackFocus,
  source = driveFolders,
}: MoveDialogProps) {
  const [folderId, setFolderId] = useState(startFolderId);
  const [shown, setShown] = useState<{ folder: Item; folders: Item[] } | null>(null);
  // What is on screen belongs to the folder browsed to; until it answers, a spinner shows.
  const ready = shown?.folder.id === folderId;
  const folder = ready ? shown.folder : null;
  const folders = ready ? shown.folders : null;
  const { busy, error: moveError, run } = useSubmit();
  const { error: loadError, run: runLoad } = useSubmit();
  const movingIds = new Set(moving.map((item) => item.id));

  useEffect(() => {
    void runLoad(async (signal) => {
      const opened = await source.open(folderId, signal);
      if (!signal.aborted) setShown({ folder: { ...opened.folder, id: folderId }, folders: opened.folders });
    });
  }, [folderId, runLoad, source]);

  const inside = folder !== null && (movingIds.has(folder.id) || (folder.path ?? []).some((p) => movingIds.has(p.id)));
  const wording = WORDING[action];
  const title =
    count === 1 && moving.length === 1 ? `${wording.verb} ${moving[0].name} to…` : `${wording.verb} ${count} items to…`;
  const here = folder && folder.id !== source.rootId ? folder.name : source.rootName;

  async function choose() {
    if (await run(async () => void (await onChoose(source.destinationOf(folderId))))) onClose();
  }

  return (
    <Modal title={title} onClose={onClose} fallbackFocus={fallbackFocus}>
      <div className="mt-4 space-y-3">
        <p className="text-sm">
          Destination: <strong>{here}</strong>
        </p>
        {folder && folder.id !== source.rootId && (
          <button
            type="button"
            className="text-sm text-indigo-700 underline dark:text-indigo-300"
            onClick={() => setFolderId(folder.parentId ?? source.rootId)}
          >
            ↑ Up to {(folder.path ?? []).at(-1)?.name ?? source.rootName}
          </button>
        )}
        <div className="max-h-64 overflow-y-auto rounded-md border border-slate-200 dark:border-slate-700">
          {folders === null && !loadError ? (
            <div className="flex justify-center p-4">
              <Spinner label="Loading folders" />
            </div>
          ) : (
            <ul aria-label="Folders" className="divide-y divide-slate-100 dark:divide-slate-800">
              {folders?.length === 0 && (
                <li className="p-3 text-sm text-slate-600 dark:text-slate-400">No folders here</li>
              )}
              {folders?.map((child) => (
                <li key={child.id}>
                  <button
                    type="button"
                    disabled={movingIds.has(child.id)}
                    onClick={() => setFolderId(child.id)}
                    className="flex w-full items-center gap-2 px-3 py-2 text-left text-sm hover:bg-slate-50 disabled:opacity-50 dark:hover:bg-slate-800"
                  >
                    <ItemIcon family="folder" />
                    {child.name}
                  </button>
                </li>
              ))}
            </ul>
          )}
        </div>
        {inside && <Notice kind="info">{wording.intoItself}</Notice>}
        {(moveError ?? loadError) && <Notice kind="error">{moveError ?? loadError}</Notice>}
        <div className="flex justify-end gap-2">
          <Button variant="secondary" type="button" onClick={onClose}>
            Cancel
          </Button>
          <Button type="button" busy={busy} disabled={folder === null || inside} onClick={choose}>
            {wording.confirm}
          </Button>
        </div>
      </div>
    </Modal>
  );
}
