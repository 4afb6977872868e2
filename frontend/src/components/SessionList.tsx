import { useEffect, useId, useState } from "react";
import { authApi, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import type { paths } from "../api/generated/auth";
import { formatDate } from "../lib/format";
import { describeUserAgent } from "../lib/userAgent";
import { Button } from "./Field";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

export type DeviceSession =
  paths["/api/auth/sessions"]["get"]["responses"]["200"]["content"]["application/json"]["sessions"][number];

/** The devices signed in to this account: sign out any other one, or all of them. */
export function SessionList({ onSignedOutEverywhere }: { onSignedOutEverywhere(): Promise<void> }) {
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [leaving, setLeaving] = useState(false);
  const [leaveError, setLeaveError] = useState<string | null>(null);
  const everywhereId = useId();

  useEffect(() => {
    unwrap(authApi.GET("/api/auth/sessions"))
      .then((list) => setSessions(list.sessions))
      .catch((reason) => setError(`Your devices could not be listed: ${messageOf(reason)}`));
  }, []);

  async function signOutEverywhere() {
    setLeaving(true);
    setLeaveError(null);
    try {
      await onSignedOutEverywhere();
    } catch (reason) {
      setLeaveError(`You are still signed in: ${messageOf(reason)}`);
      setLeaving(false);
    }
  }

  const removed = (id: string) => setSessions((current) => current?.filter((session) => session.id !== id) ?? null);

  return (
    <div className="space-y-4">
      {error && <Notice kind="error">{error}</Notice>}
      {!sessions && !error && <Spinner label="Loading your devices" />}
      {sessions && (
        <ul
          aria-label="Signed-in devices"
          className="divide-y divide-slate-200 rounded-md border border-slate-200 dark:border-slate-700"
        >
          {sessions.map((session) => (
            <SessionItem key={session.id} session={session} onSignedOut={() => removed(session.id)} />
          ))}
        </ul>
      )}
      {leaveError && <Notice kind="error">{leaveError}</Notice>}
      <div className="flex flex-wrap items-center gap-3">
        <Button
          type="button"
          variant="secondary"
          busy={leaving}
          onClick={signOutEverywhere}
          aria-describedby={everywhereId}
        >
          Sign out everywhere
        </Button>
        <p id={everywhereId} className="text-sm text-slate-600 dark:text-slate-400">
          Every device, this one too.
        </p>
      </div>
    </div>
  );
}

function SessionItem({ session, onSignedOut }: { session: DeviceSession; onSignedOut(): void }) {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const deviceId = useId();
  const device = describeUserAgent(session.userAgent);

  async function signOut() {
    setBusy(true);
    setError(null);
    try {
      await unwrap(authApi.DELETE("/api/auth/sessions/{id}", { params: { path: { id: session.id } } }));
      onSignedOut();
    } catch (reason) {
      // Already ended (by expiry, or from another device): what the person wanted is done.
      if (reason instanceof ApiError && reason.code === "session_not_found") {
        onSignedOut();
        return;
      }
      setError(`${device} is still signed in: ${messageOf(reason)}`);
      setBusy(false);
    }
  }

  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3" data-testid="device-session">
      <div id={deviceId} className="text-sm">
        <p className="font-medium text-slate-900 dark:text-slate-100" title={session.userAgent}>
          {device}
          {session.current && (
            <span className="ml-2 rounded-full bg-indigo-50 px-2 py-0.5 text-xs font-semibold text-indigo-700 dark:bg-slate-800 dark:text-indigo-300">
              This device
            </span>
          )}
        </p>
        <p className="text-slate-600 dark:text-slate-400">
          Signed in {formatDate(session.createdAt)} · Last active {formatDate(session.lastUsedAt)}
        </p>
      </div>
      {!session.current && (
        <Button type="button" variant="secondary" busy={busy} onClick={signOut} aria-describedby={deviceId}>
          Sign out
        </Button>
      )}
      {error && (
        <div className="w-full">
          <Notice kind="error">{error}</Notice>
        </div>
      )}
    </li>
  );
}
