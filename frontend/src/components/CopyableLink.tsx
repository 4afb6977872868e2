import { useId } from "react";
import { Button } from "./Field";
import { useToast } from "./Toast";

/** A link shown once (a share link's, a file request's) or a secret (a new access token): a
 * read-only field that selects itself on focus, and Copy, focused first as the one thing to do next. */
export function CopyableLink({ label, url, copied = "Link copied." }: { label: string; url: string; copied?: string }) {
  const toast = useToast();
  const inputId = useId();
  async function copy() {
    try {
      await navigator.clipboard.writeText(url);
      toast({ message: copied });
    } catch {
      toast({ kind: "error", message: "Could not copy: select the text and copy it yourself." });
    }
  }
  return (
    <>
      <label htmlFor={inputId} className="block text-sm font-medium">
        {label}
      </label>
      <div className="flex gap-2">
        <input
          id={inputId}
          readOnly
          value={url}
          onFocus={(event) => event.target.select()}
          className="block w-full rounded-md border border-slate-300 bg-slate-50 px-3 py-2 font-mono text-xs dark:border-slate-600 dark:bg-slate-800"
        />
        {/* eslint-disable-next-line jsx-a11y/no-autofocus -- the one thing to do next */}
        <Button type="button" autoFocus onClick={() => void copy()}>
          Copy
        </Button>
      </div>
    </>
  );
}
