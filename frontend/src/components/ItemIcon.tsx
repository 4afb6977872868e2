import type { FileFamily } from "../lib/fileType";

// Drawn inline (emoji fonts are missing on some systems): one outline per family, on 20×20.
const SHEET = "M5 2.5h6.5l4 4V16a1.5 1.5 0 0 1-1.5 1.5H5A1.5 1.5 0 0 1 3.5 16V4A1.5 1.5 0 0 1 5 2.5zM11.5 2.5v4h4";
const GLYPHS: Record<Exclude<FileFamily, "folder">, string> = {
  file: "",
  text: "M6.5 9.5h7M6.5 12h7M6.5 14.5h4.5",
  document: "M6.5 9h7M6.5 11h7M6.5 13h7M6.5 15h5",
  markdown: "M6 14.5v-5l2 2.5 2-2.5v5M13 9.5v5M11.5 13l1.5 1.5 1.5-1.5",
  spreadsheet: "M6.5 9h7v6h-7zM6.5 12h7M10 9v6",
  presentation: "M6.5 9h7v4.5h-7zM10 13.5V16M8.5 16h3",
  pdf: "M7 15c1.5-1 3.5-5 3-6.5S8 9 9.5 11s3 3 4 3-1.5-1-4 0-2.5 1-2.5 1z",
  archive: "M9.5 3v1.5h1V6h-1v1.5h1V9h-1v1.5M9 11h2v2.5H9z",
  code: "M8 10l-2 2 2 2M12 10l2 2-2 2",
  image: "M6.5 9h7v6h-7zM6.5 14l2.5-2.5 1.5 1.5 1-1 2 2M12 10.5h.01",
  audio: "M9 14.5V9l4-1v5.5M9 14.5a1 1 0 1 1-2 0 1 1 0 0 1 2 0zM13 13.5a1 1 0 1 1-2 0 1 1 0 0 1 2 0z",
  video: "M6.5 9h7v6h-7zM9.25 10.5v3l2.5-1.5z",
};
const COLOURS: Record<FileFamily, string> = {
  folder: "text-indigo-500 dark:text-indigo-300",
  file: "text-slate-500 dark:text-slate-400",
  text: "text-slate-500 dark:text-slate-400",
  document: "text-blue-600 dark:text-blue-400",
  markdown: "text-slate-700 dark:text-slate-300",
  spreadsheet: "text-emerald-600 dark:text-emerald-400",
  presentation: "text-orange-600 dark:text-orange-400",
  pdf: "text-red-600 dark:text-red-400",
  archive: "text-amber-600 dark:text-amber-400",
  code: "text-violet-600 dark:text-violet-400",
  image: "text-pink-600 dark:text-pink-400",
  audio: "text-cyan-600 dark:text-cyan-400",
  video: "text-fuchsia-600 dark:text-fuchsia-400",
};

/** An item's icon: a folder, or a sheet marked with its family (decorative: the type is also written). */
export function ItemIcon({ family, large }: { family: FileFamily; large?: boolean }) {
  return (
    <svg
      aria-hidden="true"
      data-family={family}
      viewBox="0 0 20 20"
      className={`${large ? "h-12 w-12" : "h-5 w-5"} shrink-0 ${COLOURS[family]}`}
      fill={family === "folder" ? "currentColor" : "none"}
      stroke={family === "folder" ? "none" : "currentColor"}
      strokeWidth={1.3}
      strokeLinecap="round"
      strokeLinejoin="round"
    >
      {family === "folder" ? (
        <path d="M2 5a2 2 0 0 1 2-2h4l2 2h6a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5z" />
      ) : (
        <>
          <path d={SHEET} />
          {GLYPHS[family] && <path d={GLYPHS[family]} />}
        </>
      )}
    </svg>
  );
}
