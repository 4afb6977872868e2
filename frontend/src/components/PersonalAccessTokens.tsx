import { useEffect, useId, useState, type FormEvent } from "react";
import { authApi, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import type { components } from "../api/generated/auth";
import { formatDate } from "../lib/format";
import { useSubmit } from "../lib/useSubmit";
import { ConfirmDialog } from "./ConfirmDialog";
import { CopyableLink } from "./CopyableLink";
import { Button, FieldLabel, TextField } from "./Field";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

export type AccessToken = components["schemas"]["PersonalAccessTokenRead"];
export type Scope = components["schemas"]["Scope"];

// Keyed by auth's enum (from its OpenAPI document): a scope added there fails the type check here
// until it gets a label.
export const SCOPE_LABELS: Record<Scope, string> = {
  "files:read": "Read files and folders",
  "files:write": "Upload, change and delete files",
  "shares:write": "Create and change share links, file requests and people shares",
  "profile:read": "Read your profile",
  "profile:write": "Change your profile",
};

const LIFETIME_CHOICES = [7, 30, 60, 90, 180, 365];

/** The lifetimes offered: the usual ones up to the maximum, and the maximum itself. */
export function lifetimeChoices(maxDays: number): number[] {
  return [...new Set([...LIFETIME_CHOICES.filter((days) => days < maxDays), maxDays])];
}

/** Tokens for scripts: made here with a name, a lifetime and scopes, shown once, revocable. */
export function PersonalAccessTokens() {
  const [list, setList] = useState<components["schemas"]["PersonalAccessTokenList"] | null>(null);
  const [revealed, setRevealed] = useState<string | null>(null);
  const listing = useSubmit();
  const { run: runListing } = listing;

  useEffect(() => {
    void runListing(
      async (signal) => setList(await unwrap(authApi.GET("/api/v1/auth/tokens", { signal }))),
      (reason) => `Your tokens could not be listed: ${messageOf(reason)}`,
    );
  }, [runListing]);

  function created(secret: string, token: AccessToken) {
    setRevealed(secret);
    setList((current) => current && { ...current, tokens: [token, ...current.tokens] });
  }

  const revoked = (id: string) =>
    setList((current) => current && { ...current, tokens: current.tokens.filter((token) => token.id !== id) });

  return (
    <div className="space-y-4">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        For scripts and command-line tools: send a token as <code>Authorization: Bearer</code>. A token can only do what
        its scopes allow, and never change your password, two-factor sign-in, sessions or tokens.
      </p>
      {listing.error && <Notice kind="error">{listing.error}</Notice>}
      {!list && !listing.error && <Spinner label="Loading your tokens" />}
      {revealed && (
        <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-4 dark:border-amber-700 dark:bg-slate-800">
          <CopyableLink label="Your new token" url={revealed} copied="Token copied." />
          <p className="text-sm text-slate-700 dark:text-slate-300">
            Copy it now: it is shown this once. Keep it like a password.
          </p>
          <Button type="button" variant="secondary" onClick={() => setRevealed(null)}>
            Done
          </Button>
        </div>
      )}
      {list && (
        <>
          {list.tokens.length > 0 ? (
            <ul
              aria-label="Personal access tokens"
              className="divide-y divide-slate-200 rounded-md border border-slate-200 dark:border-slate-700"
            >
              {list.tokens.map((token) => (
                <TokenItem key={token.id} token={token} onRevoked={() => revoked(token.id)} />
              ))}
            </ul>
          ) : (
            <p className="text-sm text-slate-600 dark:text-slate-400">You have no tokens.</p>
          )}
          <NewTokenForm maxDays={list.maxLifetimeDays} scopes={list.scopes} onCreated={created} />
        </>
      )}
    </div>
  );
}

function NewTokenForm({
  maxDays,
  scopes,
  onCreated,
}: {
  maxDays: number;
  scopes: Scope[];
  onCreated(secret: string, token: AccessToken): void;
}) {
  const choices = lifetimeChoices(maxDays);
  const [name, setName] = useState("");
  const [days, setDays] = useState(choices.includes(30) ? 30 : choices[choices.length - 1]);
  const [chosen, setChosen] = useState<Scope[]>(["files:read"]);
  const { busy, error, run } = useSubmit();
  const lifetimeId = useId();
  const scopesId = useId();

  function toggle(scope: Scope, on: boolean) {
    setChosen((current) => (on ? [...current, scope] : current.filter((other) => other !== scope)));
  }

  async function submit(event: FormEvent) {
    event.preventDefault();
    const done = await run(
      async () => {
        const created = await unwrap(
          authApi.POST("/api/v1/auth/tokens", { body: { name: name.trim(), scopes: chosen, expiresInDays: days } }),
        );
        onCreated(created.secret, created.token);
      },
      (reason) => `The token was not created: ${messageOf(reason)}`,
    );
    if (done) {
      setName("");
    }
  }

  return (
    <form onSubmit={(event) => void submit(event)} className="space-y-4" aria-label="New token">
      <TextField
        label="Token name"
        value={name}
        maxLength={64}
        required
        onChange={(event) => setName(event.target.value)}
        hint="What the token is for, for example “nightly backup”."
      />
      <div>
        <FieldLabel htmlFor={lifetimeId}>Expires after</FieldLabel>
        <select
          id={lifetimeId}
          value={days}
          onChange={(event) => setDays(Number(event.target.value))}
          className="mt-1 block w-full rounded-md border border-slate-300 bg-white px-3 py-2 dark:border-slate-600 dark:bg-slate-800"
        >
          {choices.map((choice) => (
            <option key={choice} value={choice}>
              {choice} days
            </option>
          ))}
        </select>
      </div>
      <fieldset aria-describedby={scopesId}>
        <legend className="text-sm font-medium text-slate-700 dark:text-slate-300">Scopes</legend>
        <p id={scopesId} className="mt-1 text-xs text-slate-500 dark:text-slate-400">
          Give it only what the script needs.
        </p>
        <div className="mt-2 space-y-1">
          {scopes.map((scope) => (
            <label key={scope} className="flex items-center gap-2 text-sm">
              <input
                type="checkbox"
                checked={chosen.includes(scope)}
                onChange={(event) => toggle(scope, event.target.checked)}
              />
              <span>
                <code>{scope}</code> — {SCOPE_LABELS[scope]}
              </span>
            </label>
          ))}
        </div>
      </fieldset>
      {error && <Notice kind="error">{error}</Notice>}
      <Button type="submit" busy={busy} disabled={chosen.length === 0 || name.trim() === ""}>
        Create token
      </Button>
    </form>
  );
}

function TokenItem({ token, onRevoked }: { token: AccessToken; onRevoked(): void }) {
  const { busy, error, run } = useSubmit();
  const [confirming, setConfirming] = useState(false);
  const describedId = useId();

  async function revoke() {
    const done = await run(
      async () => {
        try {
          await unwrap(authApi.DELETE("/api/v1/auth/tokens/{id}", { params: { path: { id: token.id } } }));
        } catch (reason) {
          // Already revoked (from another tab): what the person wanted is done.
          if (!(reason instanceof ApiError && reason.code === "token_not_found")) throw reason;
        }
      },
      (reason) => `${token.name} still works: ${messageOf(reason)}`,
    );
    setConfirming(false);
    if (done) onRevoked();
  }

  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="access-token">
      <div id={describedId} className="text-sm">
        <p className="font-medium text-slate-900 dark:text-slate-100">
          {token.name}
          {token.expired && (
            <span className="ml-2 rounded-full bg-slate-100 px-2 py-0.5 text-xs font-semibold text-slate-700 dark:bg-slate-800 dark:text-slate-300">
              Expired
            </span>
          )}
        </p>
        <p className="text-slate-600 dark:text-slate-400">{token.scopes.join(", ")}</p>
        <p className="text-slate-600 dark:text-slate-400">
          Created {formatDate(token.createdAt)} · {token.expired ? "Expired" : "Expires"} {formatDate(token.expiresAt)}{" "}
          · {token.lastUsedAt ? `Last used ${formatDate(token.lastUsedAt)}` : "Never used"}
        </p>
      </div>
      <Button type="button" variant="secondary" onClick={() => setConfirming(true)} aria-describedby={describedId}>
        Revoke
      </Button>
      {error && (
        <div className="w-full">
          <Notice kind="error">{error}</Notice>
        </div>
      )}
      {confirming && (
        <ConfirmDialog
          title={`Revoke ${token.name}?`}
          message="Scripts using this token stop working within seconds. This cannot be undone."
          confirmLabel="Revoke"
          busy={busy}
          onConfirm={() => void revoke()}
          onCancel={() => setConfirming(false)}
        />
      )}
    </li>
  );
}
