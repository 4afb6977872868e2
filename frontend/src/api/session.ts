import type { components } from "./generated/auth";
import { toApiError } from "./errors";

export type SessionRead = components["schemas"]["SessionRead"];
export type UserRead = components["schemas"]["UserRead"];

/** `ended` is true when a signed-in session was ended by the server (revoked, or expired). */
type Listener = (session: SessionRead | null, ended: boolean) => void;

/**
 * The signed-in session, in memory only: the access token never touches localStorage or
 * cookies readable by scripts. The refresh token lives in an HttpOnly cookie the browser
 * sends to /api/v1/auth by itself.
 */
class SessionStore {
  private session: SessionRead | null = null;
  private endedByServer = false;
  private listeners = new Set<Listener>();
  private refreshing: Promise<SessionRead | null> | null = null;

  get current(): SessionRead | null {
    return this.session;
  }

  get accessToken(): string | null {
    return this.session?.accessToken ?? null;
  }

  /** True once the server refused to renew a signed-in session, until the next sign-in. */
  get ended(): boolean {
    return this.endedByServer;
  }

  set(session: SessionRead | null): void {
    this.update(session, false);
  }

  private update(session: SessionRead | null, ended: boolean): void {
    this.session = session;
    this.endedByServer = ended;
    this.listeners.forEach((listener) => listener(session, ended));
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
          const response = await fetcher("/api/v1/auth/refresh", { method: "POST", credentials: "same-origin" });
          if (response.status === 401) {
            // Without a session this is a visitor who was not signed in, not an ended session.
            this.update(null, this.session !== null);
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
