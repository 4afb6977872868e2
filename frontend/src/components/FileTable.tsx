import { useMemo, useState } from "react";
import type { FileRead } from "../api/upload";
import { describeType, formatBytes, formatDate } from "../lib/format";
import { sortFiles, type SortDirection, type SortKey } from "../lib/sort";

interface FileTableProps {
  files: FileRead[];
  downloading: string | null;
  onDownload(file: FileRead): void;
  onDelete(file: FileRead): void;
}

const COLUMNS: { key: SortKey; label: string }[] = [
  { key: "name", label: "Name" },
  { key: "size", label: "Size" },
  { key: "date", label: "Uploaded" },
];

export function FileTable({ files, downloading, onDownload, onDelete }: FileTableProps) {
  const [sortKey, setSortKey] = useState<SortKey>("date");
  const [direction, setDirection] = useState<SortDirection>("descending");
  const sorted = useMemo(() => sortFiles(files, sortKey, direction), [files, sortKey, direction]);

  function sortBy(key: SortKey) {
    if (key === sortKey) setDirection(direction === "ascending" ? "descending" : "ascending");
    else {
      setSortKey(key);
      setDirection(key === "name" ? "ascending" : "descending");
    }
  }

  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-left text-sm">
        <caption className="sr-only">
          Your files, sorted by {sortKey} {direction}
        </caption>
        <thead className="bg-slate-50 text-xs uppercase tracking-wide text-slate-500">
          <tr>
            {COLUMNS.map((column) => (
              <th
                key={column.key}
                scope="col"
                aria-sort={column.key === sortKey ? direction : "none"}
                className={`px-4 py-3 ${column.key === "name" ? "" : "hidden sm:table-cell"}`}
              >
                <button
                  type="button"
                  onClick={() => sortBy(column.key)}
                  className="inline-flex items-center gap-1 uppercase"
                >
                  {column.label}
                  <span aria-hidden="true">
                    {column.key === sortKey ? (direction === "ascending" ? "▲" : "▼") : ""}
                  </span>
                </button>
              </th>
            ))}
            <th scope="col" className="hidden px-4 py-3 md:table-cell">
              Type
            </th>
            <th scope="col" className="px-4 py-3 text-right">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody className="divide-y divide-slate-100">
          {sorted.map((file) => (
            <tr key={file.fileId} data-testid="file-row">
              <td className="w-1/2 max-w-0 px-4 py-3">
                <span className="block truncate font-medium" title={file.fileName}>
                  {file.fileName}
                </span>
                <span className="block text-xs text-slate-500 sm:hidden">
                  {formatBytes(file.fileSize)} · {formatDate(file.uploadDate)}
                </span>
              </td>
              <td className="hidden whitespace-nowrap px-4 py-3 tabular-nums sm:table-cell">
                {formatBytes(file.fileSize)}
              </td>
              <td className="hidden whitespace-nowrap px-4 py-3 sm:table-cell">{formatDate(file.uploadDate)}</td>
              <td className="hidden px-4 py-3 md:table-cell">{describeType(file.fileType)}</td>
              <td className="whitespace-nowrap px-4 py-3 text-right">
                <button
                  type="button"
                  onClick={() => onDownload(file)}
                  disabled={downloading === file.fileId}
                  aria-label={`Download ${file.fileName}`}
                  className="rounded-md px-2 py-1 font-medium text-indigo-700 hover:bg-indigo-50 disabled:opacity-50"
                >
                  Download
                </button>
                <button
                  type="button"
                  onClick={() => onDelete(file)}
                  aria-label={`Delete ${file.fileName}`}
                  className="ml-1 rounded-md px-2 py-1 font-medium text-red-700 hover:bg-red-50"
                >
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
