import type { ReactNode } from "react";
import { Navigate, useLocation } from "react-router";
import { useSession } from "../session/SessionProvider";
import { Spinner } from "./Spinner";

/** Sends a signed-out visitor to /login?next=<where they were going>. */
export function RequireAuth({ children }: { children: ReactNode }) {
  const { user, restoring } = useSession();
  const location = useLocation();
  if (restoring) {
    return (
      <div className="flex justify-center py-16">
        <Spinner label="Restoring your session" />
      </div>
    );
  }
  if (!user) {
    const next = encodeURIComponent(location.pathname + location.search);
    return <Navigate to={`/login?next=${next}`} replace />;
  }
  return <>{children}</>;
}

/** Only same-site paths are followed after login, so `next` cannot send people elsewhere. */
export function safeNextPath(next: string | null): string {
  return next && next.startsWith("/") && !next.startsWith("//") ? next : "/files";
}
