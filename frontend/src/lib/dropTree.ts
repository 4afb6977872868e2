import type { UploadRequest } from "./uploadQueue";

/** The parts of the File and Directory Entries API a drop uses; tests pass fakes. */
export interface DropEntry {
  name: string;
  isFile: boolean;
  isDirectory: boolean;
  file?(onFile: (file: File) => void, onError?: (error: unknown) => void): void;
  createReader?(): { readEntries(onEntries: (entries: DropEntry[]) => void, onError?: (error: unknown) => void): void };
}

/** A dropped file and the folders it sat in, relative to the drop. */
export interface DroppedFile {
  file: File;
  folders: string[];
}

/** Files with the folders they sat in, and every folder (empty ones too), relative to the drop. */
export interface DroppedTree {
  files: DroppedFile[];
  directories: string[][];
}

/**
 * The tree of a folder chosen with `<input webkitdirectory>`: each file's `webkitRelativePath`
 * ("Photos/2024/a.jpg") names its folders, the chosen folder first. Empty folders are not sent.
 */
export function treeOfPicked(files: File[]): DroppedTree {
  const directories = new Map<string, string[]>();
  const dropped = files.map((file) => {
    const folders = (file.webkitRelativePath || file.name).split("/").slice(0, -1);
    for (let depth = 1; depth <= folders.length; depth += 1) {
      directories.set(folders.slice(0, depth).join("/"), folders.slice(0, depth));
    }
    return { file, folders };
  });
  return { files: dropped, directories: [...directories.values()] };
}

/**
 * The entries of a drop. Must be called during the drop event: the browser empties
 * dataTransfer once the handler returns.
 */
export function entriesOf(dataTransfer: DataTransfer): { entries: DropEntry[]; files: File[] } {
  const entries: DropEntry[] = [];
  for (const item of Array.from(dataTransfer.items ?? [])) {
    if (item.kind !== "file") continue;
    const entry = item.webkitGetAsEntry?.() as DropEntry | null | undefined;
    if (entry) entries.push(entry);
  }
  return { entries, files: Array.from(dataTransfer.files ?? []) };
}

function readAll(directory: DropEntry): Promise<DropEntry[]> {
  const reader = directory.createReader!();
  const all: DropEntry[] = [];
  // readEntries answers in batches (100 in Chromium) until an empty one.
  return new Promise((resolve, reject) => {
    const next = () =>
      reader.readEntries((batch) => {
        if (!batch.length) resolve(all);
        else {
          all.push(...batch);
          next();
        }
      }, reject);
    next();
  });
}

function fileOf(entry: DropEntry): Promise<File> {
  return new Promise((resolve, reject) => entry.file!(resolve, reject));
}

/** Every file under the dropped entries, with its folder path; empty folders are kept as paths too. */
export async function walkEntries(entries: DropEntry[], folders: string[] = []): Promise<DroppedTree> {
  const files: DroppedFile[] = [];
  const directories: string[][] = [];
  for (const entry of entries) {
    if (entry.isFile) files.push({ file: await fileOf(entry), folders });
    else if (entry.isDirectory) {
      const path = [...folders, entry.name];
      directories.push(path);
      const inner = await walkEntries(await readAll(entry), path);
      files.push(...inner.files);
      directories.push(...inner.directories);
    }
  }
  return { files, directories };
}

/**
 * Recreates the dropped folders under `parentId` (merging into folders of the same name that
 * exist already) and answers the uploads that put each file in its folder. Parents are created
 * before their children, each folder once.
 */
export async function planTreeUpload(
  dropped: DroppedTree,
  parentId: string | null,
  createFolder: (name: string, parentId: string | null) => Promise<{ id: string }>,
): Promise<UploadRequest[]> {
  const ids = new Map<string, string | null>([["", parentId]]);
  const ensure = async (path: string[]): Promise<string | null> => {
    const key = path.join("/");
    if (ids.has(key)) return ids.get(key)!;
    const parent = await ensure(path.slice(0, -1));
    const folder = await createFolder(path[path.length - 1], parent);
    ids.set(key, folder.id);
    return folder.id;
  };
  for (const directory of dropped.directories) await ensure(directory);
  const requests: UploadRequest[] = [];
  for (const { file, folders } of dropped.files) requests.push({ file, parentId: await ensure(folders) });
  return requests;
}
