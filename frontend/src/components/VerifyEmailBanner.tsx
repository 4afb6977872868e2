import { useState } from "react";
import { authApi, unwrap } from "../api/client";
import { messageOf } from "../api/errors";
import { useSession } from "../session/SessionProvider";
import { Button } from "./Field";

/** Shown to a signed-in user whose email address is not confirmed yet, with a way to get a new link. */
export function VerifyEmailBanner() {
  const { user } = useSession();
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; message: string } | null>(null);

  if (!user || user.emailVerified) return null;

  async function resend() {
    setBusy(true);
    setResult(null);
    try {
      await unwrap(authApi.POST("/api/auth/verify-email/resend"));
      setResult({ ok: true, message: "Sent. Check your inbox." });
    } catch (reason) {
      setResult({ ok: false, message: messageOf(reason) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <div role="region" aria-label="Email confirmation" className="border-b border-amber-200 bg-amber-50">
      <div className="mx-auto flex max-w-5xl flex-wrap items-center gap-3 px-4 py-2 text-sm text-amber-900">
        <p className="flex-1">
          Confirm your email address with the link we sent to <strong>{user.email}</strong>.
        </p>
        {result && (
          <p role={result.ok ? "status" : "alert"} className={result.ok ? "" : "text-red-800"}>
            {result.message}
          </p>
        )}
        <Button variant="secondary" busy={busy} onClick={resend}>
          Resend
        </Button>
      </div>
    </div>
  );
}
