import { useState, type FormEvent } from "react";
import { authApi, unwrap } from "../api/client";
import { PASSWORD_HINT, passwordProblem } from "../lib/password";
import { useSubmit } from "../lib/useSubmit";
import { Button } from "./Field";
import { PasswordField } from "./PasswordField";
import { Notice } from "./Notice";

export function PasswordForm() {
  const [current, setCurrent] = useState("");
  const [next, setNext] = useState("");
  const [confirm, setConfirm] = useState("");
  const { busy, result, run, fail } = useSubmit();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const problem = next !== confirm ? "The new passwords do not match." : passwordProblem(next);
    if (problem) {
      fail(problem);
      return;
    }
    await run(async () => {
      await unwrap(authApi.POST("/api/v1/auth/password", { body: { currentPassword: current, newPassword: next } }));
      setCurrent("");
      setNext("");
      setConfirm("");
      return "Password changed. Your other devices were signed out.";
    });
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Change password" noValidate>
      <PasswordField
        label="Current password"
        autoComplete="current-password"
        value={current}
        onChange={(e) => setCurrent(e.target.value)}
      />
      <PasswordField
        label="New password"
        autoComplete="new-password"
        meter
        value={next}
        onChange={(e) => setNext(e.target.value)}
        hint={PASSWORD_HINT}
      />
      <PasswordField
        label="Confirm new password"
        autoComplete="new-password"
        value={confirm}
        onChange={(e) => setConfirm(e.target.value)}
      />
      {result && <Notice kind={result.kind}>{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        Change password
      </Button>
    </form>
  );
}
