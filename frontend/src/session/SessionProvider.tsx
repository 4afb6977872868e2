import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { authApi, unwrap } from "../api/client";
import { sessionStore, type SessionRead, type UserRead } from "../api/session";

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  gender?: string | null;
  dateOfBirth?: string | null;
}

interface SessionContextValue {
  user: UserRead | null;
  /** True until the first silent refresh has answered. */
  restoring: boolean;
  login(email: string, password: string): Promise<void>;
  register(input: RegisterInput): Promise<void>;
  logout(): Promise<void>;
  /** Forgets the session locally (after the account was deleted). */
  clear(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionRead | null>(sessionStore.current);
  const [restoring, setRestoring] = useState(true);

  useEffect(() => sessionStore.subscribe(setSession), []);

  useEffect(() => {
    sessionStore
      .refresh()
      .catch(() => sessionStore.set(null))
      .finally(() => setRestoring(false));
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    sessionStore.set(await unwrap(authApi.POST("/api/auth/login", { body: { email, password } })));
  }, []);

  const register = useCallback(async (input: RegisterInput) => {
    sessionStore.set(await unwrap(authApi.POST("/api/auth/register", { body: input })));
  }, []);

  const logout = useCallback(async () => {
    try {
      await authApi.POST("/api/auth/logout");
    } finally {
      sessionStore.set(null);
    }
  }, []);

  const clear = useCallback(() => sessionStore.set(null), []);

  const value = useMemo(
    () => ({ user: session?.user ?? null, restoring, login, register, logout, clear }),
    [session, restoring, login, register, logout, clear],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession needs a SessionProvider");
  return value;
}
