import { useEffect, useState, type FormEvent } from "react";
import { Link, Navigate, useNavigate, useSearchParams } from "react-router";
import { usersApi } from "../api/client";
import type { components } from "../api/generated/users";
import { useServerBusy } from "../api/retry";
import { Button, GenderSelect, TextField, toGender } from "../components/Field";
import { PasswordField } from "../components/PasswordField";
import { Notice } from "../components/Notice";
import { PASSWORD_HINT, passwordProblem } from "../lib/password";
import { useSession } from "../session/SessionProvider";
import { useDocumentTitle } from "../lib/documentTitle";
import { useSubmit } from "../lib/useSubmit";

const OPTIONAL_DETAIL_HINT =
  "Optional. Shown only to you on your profile; SCloud uses it for nothing else, and you can remove it at any time.";

type Registration = components["schemas"]["RegistrationRead"];

/** Who may register here; null until known (or if the question fails: the server still judges). */
function useRegistration(): Registration | null {
  const [registration, setRegistration] = useState<Registration | null>(null);
  useEffect(() => {
    let current = true;
    usersApi
      .GET("/api/v1/users/registration")
      .then(({ data }) => {
        if (current && data) setRegistration(data);
      })
      .catch(() => undefined);
    return () => {
      current = false;
    };
  }, []);
  return registration;
}

function domainHint(domains: string[]): string {
  return `Use an address at ${domains.join(" or ")}. We will send a link to confirm it.`;
}

function InviteOnly() {
  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Create your SCloud account</h1>
      <div className="mt-6">
        <Notice kind="info">
          This SCloud is invite-only. Ask its administrator for an invitation link, then open the link to create your
          account.
        </Notice>
      </div>
      <p className="mt-6 text-sm text-slate-600 dark:text-slate-400">
        Already have an account?{" "}
        <Link to="/login" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Log in
        </Link>
      </p>
    </div>
  );
}

export function Register() {
  useDocumentTitle("Create an account");
  const { user, register } = useSession();
  const navigate = useNavigate();
  const [form, setForm] = useState({ email: "", username: "", password: "", gender: "", dateOfBirth: "" });
  const { busy, error, run, fail } = useSubmit();
  const serverBusy = useServerBusy();
  const [registered, setRegistered] = useState(false);
  const [searchParams] = useSearchParams();
  const invitationToken = searchParams.get("invite");
  const registration = useRegistration();

  if (user && !busy && !registered) return <Navigate to="/files" replace />;
  if (registration?.mode === "invite" && !invitationToken) return <InviteOnly />;

  const update = (field: keyof typeof form) => (event: { target: { value: string } }) =>
    setForm((current) => ({ ...current, [field]: event.target.value }));

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    const problem = passwordProblem(form.password);
    if (problem) {
      fail(problem);
      return;
    }
    await run(async () => {
      await register({
        email: form.email,
        username: form.username,
        password: form.password,
        gender: toGender(form.gender),
        dateOfBirth: form.dateOfBirth || null,
        invitationToken,
      });
      setRegistered(true);
      navigate("/files", { replace: true });
    });
  }

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Create your SCloud account</h1>
      {registration?.mode === "invite" && (
        <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">You were invited: the link works once.</p>
      )}
      <form onSubmit={handleSubmit} className="mt-6 space-y-4" noValidate>
        <TextField
          label="Email"
          type="email"
          autoComplete="email"
          required
          hint={
            registration?.mode === "domains" ? domainHint(registration.domains) : "We will send a link to confirm it."
          }
          value={form.email}
          onChange={update("email")}
        />
        <TextField
          label="Username"
          autoComplete="nickname"
          required
          maxLength={40}
          value={form.username}
          onChange={update("username")}
        />
        <PasswordField
          label="Password"
          autoComplete="new-password"
          meter
          userInputs={[form.email, form.username]}
          required
          value={form.password}
          onChange={update("password")}
          hint={PASSWORD_HINT}
        />
        <GenderSelect value={form.gender} onChange={update("gender")} hint={OPTIONAL_DETAIL_HINT} />
        <TextField
          label="Date of birth"
          type="date"
          value={form.dateOfBirth}
          onChange={update("dateOfBirth")}
          hint={OPTIONAL_DETAIL_HINT}
        />
        {error && <Notice kind="error">{error}</Notice>}
        {busy && serverBusy && <Notice kind="info">Still signing in…</Notice>}
        <Button type="submit" busy={busy} className="w-full">
          Create account
        </Button>
      </form>
      <p className="mt-6 text-sm text-slate-600 dark:text-slate-400">
        <Link to="/privacy" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          How SCloud handles your data
        </Link>
      </p>
      <p className="mt-2 text-sm text-slate-600 dark:text-slate-400">
        Already have an account?{" "}
        <Link to="/login" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Log in
        </Link>
      </p>
    </div>
  );
}
