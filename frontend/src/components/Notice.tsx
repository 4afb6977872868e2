import type { ReactNode } from "react";

/** An error (announced at once) or a success message (announced politely). */
export function Notice({ kind, children }: { kind: "error" | "success"; children: ReactNode }) {
  if (kind === "error") {
    return (
      <p role="alert" className="rounded-md border border-red-200 bg-red-50 px-3 py-2 text-sm text-red-800">
        {children}
      </p>
    );
  }
  return (
    <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
      {children}
    </p>
  );
}
