import { useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { useServerBusy } from "../api/retry";
import { Button, TextField } from "../components/Field";
import { PasswordField } from "../components/PasswordField";
import { Notice } from "../components/Notice";
import { safeNextPath } from "../components/RequireAuth";
import { TwoFactorStep } from "../components/TwoFactorStep";
import { useDocumentTitle } from "../lib/documentTitle";
import { useSubmit } from "../lib/useSubmit";
import { useSession, type TwoFactorChallenge } from "../session/SessionProvider";

export function Login() {
  useDocumentTitle("Log in");
  const { user, login, completeTwoFactor, sessionEnded } = useSession();
  const [challenge, setChallenge] = useState<TwoFactorChallenge | null>(null);
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();
  const serverBusy = useServerBusy();
  const [signedIn, setSignedIn] = useState(false);
  const next = safeNextPath(params.get("next"));

  if (user && !busy && !signedIn) return <Navigate to={next} replace />;

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const pending = await login(email, password);
      if (pending) {
        setChallenge(pending);
        return;
      }
      setSignedIn(true);
      navigate(next, { replace: true });
    });
  }

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Log in to SCloud</h1>
      {sessionEnded && !error && (
        <div className="mt-4">
          <Notice kind="info">
            Your session has ended, perhaps because you signed out on another device. Log in again to continue.
          </Notice>
        </div>
      )}
      {challenge ? (
        <TwoFactorStep
          onSubmit={async (code) => {
            setSignedIn(true);
            try {
              await completeTwoFactor(challenge.challenge, code);
            } catch (reason) {
              setSignedIn(false);
              throw reason;
            }
            navigate(next, { replace: true });
          }}
          onCancel={() => {
            setChallenge(null);
            setPassword("");
          }}
        />
      ) : (
        <form onSubmit={handleSubmit} className="mt-6 space-y-4" noValidate>
          <TextField
            label="Email"
            type="email"
            autoComplete="email"
            required
            value={email}
            onChange={(e) => setEmail(e.target.value)}
          />
          <PasswordField
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
          <p className="text-right text-sm">
            <Link to="/forgot-password" className="font-medium text-indigo-700 underline dark:text-indigo-300">
              Forgot password?
            </Link>
          </p>
          {error && <Notice kind="error">{error}</Notice>}
          {busy && serverBusy && <Notice kind="info">Still signing in…</Notice>}
          <Button type="submit" busy={busy} className="w-full">
            Log in
          </Button>
        </form>
      )}
      <p className="mt-6 text-sm text-slate-600 dark:text-slate-400">
        New here?{" "}
        <Link to="/register" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </div>
  );
}
