import { useState, type FormEvent } from "react";
import { useSubmit } from "../lib/useSubmit";
import { unwrap, usersApi } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { Button, TextField } from "./Field";
import { PasswordField } from "./PasswordField";
import { Notice } from "./Notice";

const CONFIRMATION_WORD = "DELETE";

function failureMessage(reason: unknown): string {
  if (reason instanceof ApiError && reason.code === "invalid_credentials") {
    return "That password is not right. Your account was not deleted.";
  }
  if (reason instanceof ApiError && reason.status === 429) return `${reason.message} Your account was not deleted.`;
  return `Your account was not deleted: ${messageOf(reason)} You can try again.`;
}

export function DeleteAccount({ onDeleted }: { onDeleted(): void }) {
  const [typed, setTyped] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();
  const confirmed = typed === CONFIRMATION_WORD && password !== "";

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    if (!confirmed) return;
    if (await run(() => unwrap(usersApi.DELETE("/api/v1/users/me", { body: { password } })), failureMessage)) {
      onDeleted();
    }
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Delete account">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        This deletes your account and every file in it, for good. Enter your password and type {CONFIRMATION_WORD} to
        confirm.
      </p>
      <PasswordField
        label="Your password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <TextField
        label={`Type ${CONFIRMATION_WORD} to confirm`}
        value={typed}
        onChange={(e) => setTyped(e.target.value)}
        autoComplete="off"
      />
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="submit" variant="danger" busy={busy} disabled={!confirmed}>
        Delete account
      </Button>
    </form>
  );
}
