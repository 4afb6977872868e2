import { messageOf } from "../api/errors";
import { useToast } from "../components/Toast";
import { useUploads } from "../components/UploadPanel";
import { entriesOf, planTreeUpload, treeOfPicked, walkEntries, type DroppedTree } from "./dropTree";
import type { UploadRequest } from "./uploadQueue";
import { useSubmit } from "./useSubmit";

/** The folder shown, as uploads into it need it: the user's drive or a folder shared with them. */
export interface UploadFolder {
  /** The folder's id as the upload routes take it. */
  parentId: string | null;
  /** Answers the folder of that name in `parentId`, made if missing (`onConflict: "merge"`). */
  ensureFolder(name: string, parentId: string | null): Promise<{ id: string }>;
  /** What every upload into it carries besides the file and its folder (the share, a choice on clashes). */
  target?: Omit<UploadRequest, "file" | "parentId">;
  /** Called once folders were made in the folder, so its listing shows them. */
  onFoldersMade(): void;
}

/**
 * Files, dropped folder trees and picked folders into one folder, through the app's upload queue:
 * a tree's folders are made first (merged into those of the same name), then each file is queued
 * into its own folder. A failure to make the folders shows in a toast.
 */
export function useFolderUpload({ parentId, ensureFolder, target, onFoldersMade }: UploadFolder) {
  const uploads = useUploads();
  const toast = useToast();
  const treeUpload = useSubmit({ onError: (message) => toast({ kind: "error", message }) });

  const addFiles = (files: File[]) => uploads.add(files.map((file) => ({ ...target, file, parentId })));

  async function uploadTree(tree: DroppedTree) {
    const requests = await planTreeUpload(tree, parentId, ensureFolder);
    if (tree.directories.length) onFoldersMade();
    uploads.add(requests.map((request) => ({ ...target, ...request })));
  }

  /** Must be called during the drop event: the browser empties `dataTransfer` once it returns. */
  function addDropped(dataTransfer: DataTransfer): Promise<unknown> {
    const { entries, files } = entriesOf(dataTransfer);
    if (!entries.some((entry) => entry.isDirectory)) {
      addFiles(files);
      return Promise.resolve();
    }
    return treeUpload.run(
      async () => uploadTree(await walkEntries(entries)),
      (reason) => `Could not upload the dropped folder: ${messageOf(reason)}`,
    );
  }

  /** The files of a folder chosen with `<input webkitdirectory>`. */
  const addPickedFolder = (files: File[]) =>
    treeUpload.run(
      () => uploadTree(treeOfPicked(files)),
      (reason) => `Could not upload the folder: ${messageOf(reason)}`,
    );

  return { addFiles, addDropped, addPickedFolder, maxUploadBytes: uploads.maxUploadBytes };
}
