import { authApi, unwrap } from "../api/client";
import { useSubmit } from "../lib/useSubmit";
import { useSession } from "../session/SessionProvider";
import { Button } from "./Field";

/** Shown to a signed-in user whose email address is not confirmed yet, with a way to get a new link. */
export function VerifyEmailBanner() {
  const { user } = useSession();
  const { busy, result, run } = useSubmit();

  if (!user || user.emailVerified) return null;

  async function resend() {
    await run(async () => {
      await unwrap(authApi.POST("/api/v1/auth/verify-email/resend"));
      return "Sent. Check your inbox.";
    });
  }

  return (
    // Docked at the bottom of the window (see Layout): appearing after the session restores moves nothing.
    <div
      role="region"
      aria-label="Email confirmation"
      className="pointer-events-auto w-full rounded-lg border border-amber-300 bg-amber-50 shadow-lg sm:w-96 dark:border-amber-700 dark:bg-amber-950"
    >
      <div className="flex flex-wrap items-center gap-3 px-4 py-3 text-sm text-amber-900 dark:text-amber-100">
        <p className="flex-1">
          Confirm your email address with the link we sent to <strong>{user.email}</strong>.
        </p>
        {result && (
          <p
            role={result.kind === "success" ? "status" : "alert"}
            className={result.kind === "success" ? "" : "text-red-800 dark:text-red-300"}
          >
            {result.text}
          </p>
        )}
        <Button variant="secondary" busy={busy} onClick={resend}>
          Resend
        </Button>
      </div>
    </div>
  );
}
