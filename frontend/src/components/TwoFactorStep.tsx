import { useEffect, useRef, useState, type FormEvent } from "react";
import { Button, TextField } from "./Field";
import { Notice } from "./Notice";
import { useSubmit } from "../lib/useSubmit";

/** The second step of signing in to an account with two-factor sign-in. */
export function TwoFactorStep({ onSubmit, onCancel }: { onSubmit(code: string): Promise<void>; onCancel(): void }) {
  const [code, setCode] = useState("");
  const { busy, error, run } = useSubmit();
  const form = useRef<HTMLFormElement>(null);

  // The password form this replaces had the focus; hand it to the code field.
  useEffect(() => form.current?.querySelector("input")?.focus(), []);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(() => onSubmit(code.trim()));
  }

  return (
    <form ref={form} onSubmit={handleSubmit} className="mt-6 space-y-4" noValidate aria-label="Two-factor code">
      <TextField
        label="Code from your authenticator app"
        hint="The 6 digits your app shows for SCloud. Lost your phone? Enter one of your recovery codes."
        autoComplete="one-time-code"
        inputMode="text"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="submit" busy={busy} className="w-full">
        Verify
      </Button>
      <button type="button" onClick={onCancel} className="w-full text-sm text-slate-600 underline dark:text-slate-300">
        Use another account
      </button>
    </form>
  );
}
