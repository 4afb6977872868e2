import { useCallback, useState } from "react";
import { messageOf } from "../api/errors";

export interface SubmitResult {
  kind: "error" | "success";
  text: string;
}

/**
 * The one busy/error/success cycle of a form or an action button: `run` marks it busy, clears the
 * last result, runs the action, and shows its success text or the failure's readable message.
 */
export function useSubmit() {
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<SubmitResult | null>(null);

  /** Answers true when the action succeeded. The action may answer a success message. */
  const run = useCallback(
    async (action: () => Promise<string | void>, describe: (reason: unknown) => string = messageOf) => {
      setBusy(true);
      setResult(null);
      try {
        const success = await action();
        if (success) setResult({ kind: "success", text: success });
        return true;
      } catch (reason) {
        setResult({ kind: "error", text: describe(reason) });
        return false;
      } finally {
        setBusy(false);
      }
    },
    [],
  );
  /** A problem found before sending anything (a field left empty, passwords that differ). */
  const fail = useCallback((text: string) => setResult({ kind: "error", text }), []);

  return { busy, result, error: result?.kind === "error" ? result.text : null, run, fail };
}
