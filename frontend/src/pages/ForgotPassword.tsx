import { useState, type FormEvent } from "react";
import { Link } from "react-router";
import { authApi, unwrap } from "../api/client";
import { Button, TextField } from "../components/Field";
import { Notice } from "../components/Notice";
import { useSubmit } from "../lib/useSubmit";

/** Asks for a password reset link. The answer is the same whether or not the address has an account. */
export function ForgotPassword() {
  const [email, setEmail] = useState("");
  const { busy, error, run } = useSubmit();
  const [sent, setSent] = useState(false);

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await unwrap(authApi.POST("/api/v1/auth/password-reset", { body: { email } }));
      setSent(true);
    });
  }

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Forgot your password?</h1>
      {sent ? (
        <div className="mt-6 space-y-4">
          <Notice kind="success">
            If an account uses {email}, we have sent it a link to choose a new password. The link works once, for 30
            minutes. Check your spam folder if it does not arrive.
          </Notice>
          <Link to="/login" className="text-sm font-medium text-indigo-700 underline">
            Back to log in
          </Link>
        </div>
      ) : (
        <form onSubmit={handleSubmit} className="mt-6 space-y-4" noValidate>
          <p className="text-sm text-slate-600">Enter the email address of your account and we will send you a link.</p>
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          {error && <Notice kind="error">{error}</Notice>}
          <Button type="submit" busy={busy} className="w-full">
            Send me a link
          </Button>
        </form>
      )}
    </div>
  );
}
