/** Stars or unstars an item: a filled star while starred. In rows, tiles and the preview. */
export function StarToggle({
  name,
  starred,
  onToggle,
  className = "",
}: {
  name: string;
  starred?: boolean;
  onToggle(starred: boolean): void;
  className?: string;
}) {
  return (
    <button
      type="button"
      aria-label={`${starred ? "Unstar" : "Star"} ${name}`}
      title={starred ? "Unstar" : "Star"}
      onClick={() => onToggle(!starred)}
      className={`shrink-0 rounded-md p-1 hover:bg-amber-50 dark:hover:bg-slate-800 ${
        starred ? "text-amber-500 dark:text-amber-300" : "text-slate-400 dark:text-slate-500"
      } ${className}`}
    >
      <svg
        aria-hidden="true"
        viewBox="0 0 20 20"
        className="h-4 w-4"
        fill={starred ? "currentColor" : "none"}
        stroke="currentColor"
        strokeWidth="1.5"
        strokeLinejoin="round"
      >
        <path d="m10 2.5 2.3 4.8 5.2.7-3.8 3.6.9 5.2L10 14.3l-4.6 2.5.9-5.2-3.8-3.6 5.2-.7L10 2.5Z" />
      </svg>
    </button>
  );
}
