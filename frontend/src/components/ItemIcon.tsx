/** A folder or a file drawn inline: emoji fonts are missing on some systems. */
export function ItemIcon({ kind }: { kind: "file" | "folder" }) {
  return (
    <svg
      aria-hidden="true"
      viewBox="0 0 20 20"
      className="h-4 w-4 shrink-0 fill-current text-slate-500 dark:text-slate-400"
    >
      {kind === "folder" ? (
        <path d="M2 5a2 2 0 0 1 2-2h4l2 2h6a2 2 0 0 1 2 2v8a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V5z" />
      ) : (
        <path d="M5 2h7l4 4v10a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2zm7 1.5V7h3.5L12 3.5z" />
      )}
    </svg>
  );
}
