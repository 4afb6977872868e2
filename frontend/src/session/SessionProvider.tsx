import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from "react";
import { authApi, unwrap } from "../api/client";
import { sessionStore, type SessionRead, type UserRead } from "../api/session";
import type { Gender } from "../components/Field";

export interface RegisterInput {
  email: string;
  username: string;
  password: string;
  gender?: Gender | null;
  dateOfBirth?: string | null;
  /** The `invite` parameter of an invitation link, where registration is invite-only. */
  invitationToken?: string | null;
}

/** The password was right; the account also wants a code from its authenticator app. */
export interface TwoFactorChallenge {
  challenge: string;
  expiresAt: string;
}

interface SessionContextValue {
  user: UserRead | null;
  /** True until the first silent refresh has answered. */
  restoring: boolean;
  /** Signs in, or answers the challenge to complete with `completeTwoFactor`. */
  login(email: string, password: string): Promise<TwoFactorChallenge | null>;
  completeTwoFactor(challenge: string, code: string): Promise<void>;
  register(input: RegisterInput): Promise<void>;
  logout(): Promise<void>;
  /** Ends every session of the account, this one too. */
  logoutAll(): Promise<void>;
  /** True when the server ended the session (signed out elsewhere, or expired). */
  sessionEnded: boolean;
  /** Forgets the session locally (after the account was deleted). */
  clear(): void;
}

const SessionContext = createContext<SessionContextValue | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionRead | null>(sessionStore.current);
  const [sessionEnded, setSessionEnded] = useState(sessionStore.ended);
  const [restoring, setRestoring] = useState(true);

  useEffect(
    () =>
      sessionStore.subscribe((next, ended) => {
        setSession(next);
        setSessionEnded(ended);
      }),
    [],
  );

  useEffect(() => {
    sessionStore
      .refresh()
      .catch(() => sessionStore.set(null))
      .finally(() => setRestoring(false));
  }, []);

  const login = useCallback(async (email: string, password: string) => {
    const answer = await unwrap(authApi.POST("/api/v1/auth/login", { body: { email, password } }));
    if ("twoFactorRequired" in answer) return { challenge: answer.challenge, expiresAt: answer.expiresAt };
    sessionStore.set(answer);
    return null;
  }, []);

  const completeTwoFactor = useCallback(async (challenge: string, code: string) => {
    sessionStore.set(await unwrap(authApi.POST("/api/v1/auth/login/two-factor", { body: { challenge, code } })));
  }, []);

  const register = useCallback(async (input: RegisterInput) => {
    sessionStore.set(await unwrap(authApi.POST("/api/v1/auth/register", { body: input })));
  }, []);

  const logout = useCallback(async () => {
    try {
      await authApi.POST("/api/v1/auth/logout");
    } finally {
      sessionStore.set(null);
    }
  }, []);

  const logoutAll = useCallback(async () => {
    await unwrap(authApi.POST("/api/v1/auth/logout-all"));
    sessionStore.set(null);
  }, []);

  const clear = useCallback(() => sessionStore.set(null), []);

  const value = useMemo(
    () => ({
      user: session?.user ?? null,
      restoring,
      sessionEnded,
      login,
      completeTwoFactor,
      register,
      logout,
      logoutAll,
      clear,
    }),
    [session, restoring, sessionEnded, login, completeTwoFactor, register, logout, logoutAll, clear],
  );
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionContextValue {
  const value = useContext(SessionContext);
  if (!value) throw new Error("useSession needs a SessionProvider");
  return value;
}
