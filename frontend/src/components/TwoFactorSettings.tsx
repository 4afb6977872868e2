import { useEffect, useState, type FormEvent } from "react";
import { authApi, unwrap } from "../api/client";
import type { components } from "../api/generated/auth";
import { Button, TextField } from "./Field";
import { PasswordField } from "./PasswordField";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";
import { useSubmit } from "../lib/useSubmit";

type Status = components["schemas"]["TwoFactorStatusRead"];
type Setup = components["schemas"]["TwoFactorSetupRead"];

/** Turns two-factor sign-in (TOTP) on and off, from the profile page. */
export function TwoFactorSettings() {
  const [status, setStatus] = useState<Status | null>(null);
  const [setup, setSetup] = useState<Setup | null>(null);
  const [recoveryCodes, setRecoveryCodes] = useState<string[] | null>(null);
  const { error, run: runLoad } = useSubmit();

  useEffect(() => {
    void runLoad(async (signal) => setStatus(await unwrap(authApi.GET("/api/v1/auth/two-factor", { signal }))));
  }, [runLoad]);

  if (error && !status) return <Notice kind="error">{error}</Notice>;
  if (!status) return <Spinner label="Loading two-factor settings" />;

  if (recoveryCodes) {
    return (
      <RecoveryCodes
        codes={recoveryCodes}
        onDone={() => {
          setRecoveryCodes(null);
          setStatus({ enabled: true, recoveryCodesLeft: recoveryCodes.length });
        }}
      />
    );
  }
  if (setup) {
    return (
      <ConfirmSetup
        setup={setup}
        onConfirmed={(codes) => {
          setSetup(null);
          setRecoveryCodes(codes);
        }}
        onCancel={() => setSetup(null)}
      />
    );
  }
  if (status.enabled) {
    return (
      <TurnOff
        recoveryCodesLeft={status.recoveryCodesLeft}
        onOff={() => setStatus({ enabled: false, recoveryCodesLeft: 0 })}
      />
    );
  }
  return <TurnOn onSetup={setSetup} />;
}

/** Turning it on asks for the password first: an access token alone must not tie the account to an app. */
function TurnOn({ onSetup }: { onSetup(setup: Setup): void }) {
  const [password, setPassword] = useState("");
  const { busy, error, run } = useSubmit();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      onSetup(await unwrap(authApi.POST("/api/v1/auth/two-factor/setup", { body: { password } })));
    });
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Turn on two-factor sign-in">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Two-factor sign-in is <strong>off</strong>. Turn it on to ask for a code from an authenticator app (such as
        Google Authenticator, 1Password or Aegis) after your password, so a stolen password alone cannot open your
        files.
      </p>
      <PasswordField
        label="Your password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="submit" busy={busy}>
        Turn on two-factor sign-in
      </Button>
    </form>
  );
}

function ConfirmSetup({
  setup,
  onConfirmed,
  onCancel,
}: {
  setup: Setup;
  onConfirmed(codes: string[]): void;
  onCancel(): void;
}) {
  const [code, setCode] = useState("");
  const { busy, error, run } = useSubmit();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const answer = await unwrap(authApi.POST("/api/v1/auth/two-factor/confirm", { body: { code: code.trim() } }));
      onConfirmed(answer.recoveryCodes);
    });
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Set up two-factor sign-in">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Scan this QR code with your authenticator app, then enter the code it shows.
      </p>
      <img
        src={setup.qrCode}
        alt="QR code for your authenticator app"
        width={200}
        height={200}
        className="rounded bg-white"
      />
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Cannot scan? Enter this key in the app:{" "}
        <code
          className="break-all rounded bg-slate-100 px-1 font-mono text-slate-900 dark:text-slate-100 dark:bg-slate-800"
          data-testid="totp-secret"
        >
          {setup.secret}
        </code>
      </p>
      <TextField
        label="Code from the app"
        autoComplete="one-time-code"
        inputMode="numeric"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <div className="flex gap-3">
        <Button type="submit" busy={busy}>
          Turn on
        </Button>
        <Button type="button" variant="secondary" onClick={onCancel}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

function RecoveryCodes({ codes, onDone }: { codes: string[]; onDone(): void }) {
  const download = `data:text/plain;charset=utf-8,${encodeURIComponent(
    `SCloud recovery codes. Each works once, in place of a code from your app.\n\n${codes.join("\n")}\n`,
  )}`;
  return (
    <div className="space-y-4">
      <Notice kind="success">Two-factor sign-in is on.</Notice>
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Keep these recovery codes somewhere safe: each signs you in once if you lose your phone. They are shown only
        now.
      </p>
      <ul className="grid grid-cols-2 gap-2 font-mono text-sm" aria-label="Recovery codes">
        {codes.map((code) => (
          <li
            key={code}
            className="rounded bg-slate-100 px-2 py-1 text-slate-900 dark:text-slate-100 dark:bg-slate-800"
          >
            {code}
          </li>
        ))}
      </ul>
      <div className="flex gap-3">
        <a
          href={download}
          download="scloud-recovery-codes.txt"
          className="inline-flex items-center rounded-md border border-slate-300 px-4 py-2 text-sm font-semibold dark:border-slate-600"
        >
          Download codes
        </a>
        <Button type="button" onClick={onDone}>
          I have saved them
        </Button>
      </div>
    </div>
  );
}

function TurnOff({ recoveryCodesLeft, onOff }: { recoveryCodesLeft: number; onOff(): void }) {
  const [password, setPassword] = useState("");
  const [code, setCode] = useState("");
  const { busy, error, run } = useSubmit();

  async function handleSubmit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      await unwrap(authApi.POST("/api/v1/auth/two-factor/disable", { body: { password, code: code.trim() } }));
      onOff();
    });
  }

  return (
    <form onSubmit={handleSubmit} className="space-y-4" aria-label="Turn off two-factor sign-in">
      <p className="text-sm text-slate-600 dark:text-slate-300">
        Two-factor sign-in is <strong>on</strong>. {recoveryCodesLeft} recovery code
        {recoveryCodesLeft === 1 ? "" : "s"} left. To turn it off, confirm with your password and a code.
      </p>
      <PasswordField
        label="Your password"
        autoComplete="current-password"
        required
        value={password}
        onChange={(e) => setPassword(e.target.value)}
      />
      <TextField
        label="Code from the app, or a recovery code"
        autoComplete="one-time-code"
        required
        value={code}
        onChange={(e) => setCode(e.target.value)}
      />
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="submit" variant="danger" busy={busy}>
        Turn off two-factor sign-in
      </Button>
    </form>
  );
}
