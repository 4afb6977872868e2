import type { FileRead } from "../api/upload";

export type SortKey = "name" | "size" | "date";
export type SortDirection = "ascending" | "descending";

export function sortFiles(files: FileRead[], key: SortKey, direction: SortDirection): FileRead[] {
  const factor = direction === "ascending" ? 1 : -1;
  const compare = (a: FileRead, b: FileRead): number => {
    switch (key) {
      case "name":
        return a.fileName.localeCompare(b.fileName, undefined, { numeric: true, sensitivity: "base" });
      case "size":
        return a.fileSize - b.fileSize;
      case "date":
        return a.uploadDate.localeCompare(b.uploadDate) || a.fileId.localeCompare(b.fileId);
    }
  };
  return [...files].sort((a, b) => factor * compare(a, b));
}
