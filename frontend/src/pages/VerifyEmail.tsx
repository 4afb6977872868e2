import { useEffect, useRef, useState } from "react";
import { Link } from "react-router";
import { authApi, unwrap } from "../api/client";
import { messageOf } from "../api/errors";
import { sessionStore } from "../api/session";
import { Notice } from "../components/Notice";
import { Spinner } from "../components/Spinner";
import { forgetLinkToken, readLinkToken } from "../lib/linkToken";
import { useSession } from "../session/SessionProvider";

type State = { kind: "checking" } | { kind: "verified" } | { kind: "failed"; message: string };

/** Where the link of a verification email lands: confirms the address, once. */
export function VerifyEmail() {
  const { user, restoring } = useSession();
  const [token] = useState(() => readLinkToken());
  const [state, setState] = useState<State>(() =>
    token
      ? { kind: "checking" }
      : { kind: "failed", message: "This link is not complete. Open it from the email again." },
  );
  // The link works once: never post it twice (React runs effects twice in development).
  const started = useRef(false);

  useEffect(() => {
    forgetLinkToken();
    // After the session is restored, so the refresh below reads the verified state, not a stale one.
    if (restoring || started.current || !token) return;
    started.current = true;
    unwrap(authApi.POST("/api/v1/auth/verify-email", { body: { token } }))
      .then(async () => {
        setState({ kind: "verified" });
        // A signed-in tab picks up the new state, so the banner goes away.
        if (sessionStore.current) await sessionStore.refresh().catch(() => undefined);
      })
      .catch((reason) => setState({ kind: "failed", message: messageOf(reason) }));
  }, [token, restoring]);

  return (
    <div className="mx-auto max-w-sm">
      <h1 className="text-2xl font-bold">Confirm your email address</h1>
      <div className="mt-6">
        {state.kind === "checking" && (
          <p className="flex items-center gap-2 text-slate-600">
            <Spinner label="Checking your link" /> Checking your link…
          </p>
        )}
        {state.kind === "verified" && <Notice kind="success">Your email address is confirmed. Thank you!</Notice>}
        {state.kind === "failed" && (
          <Notice kind="error">
            {state.message}{" "}
            {user ? "You can ask for a new link from the banner above." : "Log in to ask for a new link."}
          </Notice>
        )}
      </div>
      {state.kind !== "checking" && (
        <p className="mt-6 text-sm">
          <Link to={user ? "/files" : "/login"} className="font-medium text-indigo-700 underline">
            {user ? "Go to my files" : "Log in"}
          </Link>
        </p>
      )}
    </div>
  );
}
