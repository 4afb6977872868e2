import { useCallback, useEffect, useRef, useState } from "react";
import { messageOf } from "../api/errors";

export interface SubmitResult {
  kind: "error" | "success";
  text: string;
}

export interface SubmitOptions {
  /** Where a failure's message goes instead of `result` (a toast, for actions outside a form). */
  onError?(text: string): void;
}

/**
 * The one busy/error/success cycle of a form, an action button or a load: `run` marks it busy,
 * clears the last result, runs the action, and shows its success text or the failure's readable
 * message. The latest run wins: starting another aborts the signal the earlier one was given and
 * drops its outcome, so a slow answer never overwrites a newer one (browsing folders in a dialog).
 */
export function useSubmit({ onError }: SubmitOptions = {}) {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SubmitResult | null>(null);
  const latest = useRef<AbortController | null>(null);
  const reportError = useRef(onError);
  useEffect(() => {
    reportError.current = onError;
  });

  /** Answers true when the action succeeded. The action may answer a success message. */
  const run = useCallback(
    async (
      action: (signal: AbortSignal) => Promise<string | void>,
      describe: (reason: unknown) => string = messageOf,
    ) => {
      latest.current?.abort();
      const controller = new AbortController();
      latest.current = controller;
      const current = () => latest.current === controller;
      setBusy(true);
      setResult(null);
      try {
        const success = await action(controller.signal);
        if (success && current()) setResult({ kind: "success", text: success });
        return current();
      } catch (reason) {
        if (!current()) return false;
        const text = describe(reason);
        if (reportError.current) reportError.current(text);
        else setResult({ kind: "error", text });
        return false;
      } finally {
        if (current()) {
          latest.current = null;
          setBusy(false);
        }
      }
    },
    [],
  );
  /** A problem found before sending anything (a field left empty, passwords that differ). */
  const fail = useCallback((text: string) => setResult({ kind: "error", text }), []);

  return { busy, result, error: result?.kind === "error" ? result.text : null, run, fail };
}
