/** The mark of a shared item (a live share link, or people it is shared with), in rows and tiles. */
export function SharedMark({ shared }: { shared?: boolean }) {
  if (!shared) return null;
  return (
    <svg
      role="img"
      aria-label="Shared"
      viewBox="0 0 20 20"
      className="h-4 w-4 shrink-0 text-indigo-600 dark:text-indigo-300"
      fill="none"
      stroke="currentColor"
      strokeWidth="1.6"
      strokeLinecap="round"
    >
      <title>Shared</title>
      <path d="M8.5 11.5a3 3 0 0 0 4.2 0l2.6-2.6a3 3 0 0 0-4.2-4.2l-.9.9M11.5 8.5a3 3 0 0 0-4.2 0l-2.6 2.6a3 3 0 0 0 4.2 4.2l.9-.9" />
    </svg>
  );
}
