import { useEffect, useId, useState } from "react";
import { authApi, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import type { paths } from "../api/generated/auth";
import { formatDate } from "../lib/format";
import { describeUserAgent } from "../lib/userAgent";
import { Button } from "./Field";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";
import { useSubmit } from "../lib/useSubmit";

export type DeviceSession =
  paths["/api/v1/auth/sessions"]["get"]["responses"]["200"]["content"]["application/json"]["sessions"][number];

/** The devices signed in to this account: sign out any other one, or all of them. */
export function SessionList({ onSignedOutEverywhere }: { onSignedOutEverywhere(): Promise<void> }) {
  const [sessions, setSessions] = useState<DeviceSession[] | null>(null);
  const listing = useSubmit();
  const leaving = useSubmit();
  const everywhereId = useId();
  const { run: runListing } = listing;

  useEffect(() => {
    void runListing(
      async (signal) => {
        const list = await unwrap(authApi.GET("/api/v1/auth/sessions", { signal }));
        setSessions(list.sessions);
      },
      (reason) => `Your devices could not be listed: ${messageOf(reason)}`,
    );
  }, [runListing]);

  function signOutEverywhere() {
    void leaving.run(onSignedOutEverywhere, (reason) => `You are still signed in: ${messageOf(reason)}`);
  }

  const removed = (id: string) => setSessions((current) => current?.filter((session) => session.id !== id) ?? null);

  return (
    <div className="space-y-4">
      {listing.error && <Notice kind="error">{listing.error}</Notice>}
      {!sessions && !listing.error && <Spinner label="Loading your devices" />}
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
      {leaving.error && <Notice kind="error">{leaving.error}</Notice>}
      <div className="flex flex-wrap items-center gap-3">
        <Button
          type="button"
          variant="secondary"
          busy={leaving.busy}
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
  const { busy, error, run } = useSubmit();
  const deviceId = useId();
  const device = describeUserAgent(session.userAgent);

  async function signOut() {
    const done = await run(
      async () => {
        try {
          await unwrap(authApi.DELETE("/api/v1/auth/sessions/{id}", { params: { path: { id: session.id } } }));
        } catch (reason) {
          // Already ended (by expiry, or from another device): what the person wanted is done.
          if (!(reason instanceof ApiError && reason.code === "session_not_found")) throw reason;
        }
      },
      (reason) => `${device} is still signed in: ${messageOf(reason)}`,
    );
    if (done) onSignedOut();
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
