import { createContext, useContext, useEffect, useState, type ReactNode } from "react";
import { filesApi, unwrap } from "../api/client";
import type { components } from "../api/generated/files";
import { useSession } from "../session/SessionProvider";

/** The files service's own settings the web app shows or enforces: the largest upload, the trash's retention. */
export type Limits = components["schemas"]["LimitsRead"];

const LimitsContext = createContext<Limits | null>(null);

/** Asks the files service for its limits once per signed-in user; unknown (null) until it answers. */
export function LimitsProvider({ children }: { children: ReactNode }) {
  const { user } = useSession();
  const [limits, setLimits] = useState<Limits | null>(null);
  const userId = user?.userId ?? null;

  useEffect(() => {
    if (!userId) return;
    let current = true;
    unwrap(filesApi.GET("/api/v1/files/limits"))
      .then((answer) => current && setLimits(answer))
      .catch(() => current && setLimits(null));
    return () => {
      current = false;
    };
  }, [userId]);

  return <LimitsContext.Provider value={limits}>{children}</LimitsContext.Provider>;
}

/** The service's limits, or null while they are unknown (not signed in, not answered yet, failed). */
export function useLimits(): Limits | null {
  return useContext(LimitsContext);
}
