import type { DropEntry } from "../lib/dropTree";

/** Fakes of the File and Directory Entries API, for drops of folder trees. */

export function file(name: string): DropEntry {
  return { name, isFile: true, isDirectory: false, file: (resolve) => resolve(new File([name], name)) };
}

/** A directory whose reader answers in batches of one, as browsers answer in batches. */
export function directory(name: string, children: DropEntry[]): DropEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      const left = [...children];
      return { readEntries: (resolve) => resolve(left.splice(0, 1)) };
    },
  };
}

/** What a drop of `entries` carries: the browser lists a dropped folder as a file without bytes too. */
export function dropOf(entries: DropEntry[]): Partial<DataTransfer> {
  return {
    items: entries.map((entry) => ({ kind: "file", webkitGetAsEntry: () => entry })) as unknown as DataTransferItemList,
    files: entries.map((entry) => new File([], entry.name)) as unknown as FileList,
    types: ["Files"],
  };
}
