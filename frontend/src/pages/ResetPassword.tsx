import { useEffect, useState, type FormEvent } from "react";
import { Link } from "react-router";
import { authApi, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { Button } from "../components/Field";
import { PasswordField } from "../components/PasswordField";
import { Notice } from "../components/Notice";
import { useSubmit } from "../lib/useSubmit";
import { forgetLinkToken, readLinkToken } from "../lib/linkToken";
import { PASSWORD_HINT, passwordProblem } from "../lib/password";

/** Where the link of a password reset email lands: sets a new password and signs out everywhere. */
export function ResetPassword() {
  const [token] = useState(() => readLinkToken());
  const [password, setPassword] = useState("");
  const [confirm, setConfirm] = useState("");
  const { busy, error, run, fail } = useSubmit();
  const [linkDead, setLinkDead] = useState(!token);
  const [done, setDone] = useState(false);

  useEffect(() => forgetLinkToken(), []);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const problem = passwordProblem(password) ?? (password !== confirm ? "The two passwords differ." : null);
    if (problem) {
      fail(problem);
      return;
    }
    await run(
      async () => {
        await unwrap(authApi.POST("/api/v1/auth/password-reset/confirm", { body: { token, newPassword: password } }));
        setDone(true);
      },
      (reason) => {
        // A used, forged or expired link cannot work again; a weak password can be retried.
        if (reason instanceof ApiError && (reason.code === "invalid_link" || reason.code === "link_expired")) {
          setLinkDead(true);
        }
        return messageOf(reason);
      },
    );
  }

  if (done) {
    return (
      <div className="mx-auto max-w-sm space-y-4">
        <h1 className="text-2xl font-bold">Password changed</h1>
        <Notice kind="success">Your new password is set, and every device was signed out.</Notice>
        <Link to="/login" className="text-sm font-medium text-indigo-700 underline">
          Log in with your new password
        </Link>
      </div>
    );
  }

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Choose a new password</h1>
      {linkDead ? (
        <div className="mt-6 space-y-4">
          <Notice kind="error">{error ?? "This link is not complete. Open it from the email again."}</Notice>
          <Link to="/forgot-password" className="text-sm font-medium text-indigo-700 underline">
            Ask for a new link
          </Link>
        </div>
      ) : (
        <form onSubmit={handleSubmit} className="mt-6 space-y-4" noValidate>
          <PasswordField
            label="New password"
            autoComplete="new-password"
            meter
            required
            hint={PASSWORD_HINT}
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <PasswordField
            label="Confirm new password"
            autoComplete="new-password"
            required
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
          />
          {error && <Notice kind="error">{error}</Notice>}
          <Button type="submit" busy={busy} className="w-full">
            Set my new password
          </Button>
        </form>
      )}
    </div>
  );
}
