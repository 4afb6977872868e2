import type { components } from "./generated/auth";
import { toApiError } from "./errors";

export type SessionRead = components["schemas"]["SessionRead"];
export type UserRead = components["schemas"]["UserRead"];

type Listener = (session: SessionRead | null) => void;

/**
 * The signed-in session, in memory only: the access token never touches localStorage or
 * cookies readable by scripts. The refresh token lives in an HttpOnly cookie the browser
 * sends to /api/auth by itself.
 */
class SessionStore {
  private session: SessionRead | null = null;
  private listeners = new Set<Listener>();
  private refreshing: Promise<SessionRead | null> | null = null;

  get current(): SessionRead | null {
    return this.session;
  }

  get accessToken(): string | null {
    return this.session?.accessToken ?? null;
  }

  set(session: SessionRead | null): void {
    this.session = session;
    this.listeners.forEach((listener) => listener(session));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Trades the refresh cookie for a new access token. Concurrent callers share one request. */
  refresh(fetcher: typeof fetch = fetch): Promise<SessionRead | null> {
    if (!this.refreshing) {
      this.refreshing = (async () => {
        try {
          const response = await fetcher("/api/auth/refresh", { method: "POST", credentials: "same-origin" });
          if (response.status === 401) {
            this.set(null);
            return null;
          }
          if (!response.ok) throw toApiError(response.status, await response.json().catch(() => null));
          const session = (await response.json()) as SessionRead;
          this.set(session);
          return session;
        } finally {
          this.refreshing = null;
        }
      })();
    }
    return this.refreshing;
  }
}

export const sessionStore = new SessionStore();
export type { SessionStore };
