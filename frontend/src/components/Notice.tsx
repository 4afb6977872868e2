import type { ReactNode } from "react";

const STATUS_STYLES = {
  success:
    "border-emerald-200 bg-emerald-50 text-emerald-800 dark:border-emerald-800 dark:bg-emerald-950 dark:text-emerald-200",
  info: "border-amber-200 bg-amber-50 text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100",
};

/** An error (announced at once), or a success or information message (announced politely). */
export function Notice({ kind, children }: { kind: "error" | "success" | "info"; children: ReactNode }) {
  if (kind === "error") {
    return (
      <p
        role="alert"
        className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200"
      >
        {children}
      </p>
    );
  }
  return (
    <p role="status" className={`rounded-md border px-3 py-2 text-sm ${STATUS_STYLES[kind]}`}>
      {children}
    </p>
  );
}
