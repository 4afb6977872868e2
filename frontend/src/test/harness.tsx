import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { createMemoryRouter, RouterProvider, type RouteObject } from "react-router";
import { vi } from "vitest";
import { routes } from "../App";
import { ToastProvider } from "../components/Toast";
import { SessionProvider } from "../session/SessionProvider";

/** One shared setup for component tests: the app's providers, a memory router, a fake API. */

// The app loads its pages lazily. Compiled here, while the test file loads, a page costs its first
// test nothing: inside that test's first wait, compiling it took over 10 s on a loaded machine.
await Promise.all([
  import("../pages/FilesPage"),
  import("../pages/Profile"),
  import("../pages/SearchPage"),
  import("../pages/TrashPage"),
  import("../pages/SharedPage"),
  import("../pages/SharedWithMePage"),
  import("../pages/SharePage"),
]);

export const user = {
  userId: "u1",
  email: "ada@example.com",
  username: "Ada",
  gender: null,
  dateOfBirth: null,
  createdAt: "2026-01-01T00:00:00Z",
  emailVerified: true,
};

export const session = (overrides: Partial<typeof user> = {}) => ({
  user: { ...user, ...overrides },
  accessToken: "token",
  accessTokenExpiresAt: "2026-01-01T01:00:00Z",
});

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(body === null ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** What a fake API route is told about a request. */
export interface ApiCall {
  method: string;
  path: string;
  url: URL;
  /** The parsed JSON body, or null. */
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  request: Request;
}

export type ApiHandler = (call: ApiCall) => Response | undefined | Promise<Response | undefined>;

/**
 * Replaces `fetch` with `handler`; whatever it leaves unanswered is a 404. `requests` lists every
 * call as "METHOD /path?query". The setup file restores the real fetch after each test.
 */
export function fakeApi(handler: ApiHandler) {
  const requests: string[] = [];
  const fetchMock = vi.fn(async (given: Request | string | URL, init?: RequestInit) => {
    const request = given instanceof Request ? given : new Request(new URL(String(given), "http://x"), init);
    const url = new URL(request.url);
    requests.push(`${request.method} ${url.pathname}${url.search}`);
    const body =
      request.method === "GET"
        ? null
        : await request
            .clone()
            .json()
            .catch(() => null);
    const answer = await handler({ method: request.method, path: url.pathname, url, body, request });
    return answer ?? json(404, { error: { code: "not_found", message: "Not found." } });
  });
  vi.stubGlobal("fetch", fetchMock);
  return { requests, fetch: fetchMock };
}

/** The files service's limits the fake API serves (not the service's defaults, so a test sees they are read). */
export const limits = {
  maxUploadBytes: 1000,
  trashRetentionDays: 7,
  maxFileBytes: 50_000,
  quotaBytes: 1_000_000,
  usedBytes: 0,
  trashBytes: 0,
};

/** A signed-in session's routes (refresh, limits, usage), then `handler`. */
export function fakeSignedInApi(handler: ApiHandler, overrides: Partial<typeof user> = {}) {
  return fakeApi((call) => {
    const key = `${call.method} ${call.path}`;
    if (key === "POST /api/v1/auth/refresh") return json(200, session(overrides));
    if (key === "GET /api/v1/files/limits") return json(200, limits);
    if (key === "GET /api/v1/users/me") return json(200, { ...user, ...overrides, storageUsed: 0, fileCount: 0 });
    return handler(call);
  });
}

/** The whole app at `path`, as the browser would show it; answers the router to follow navigation. */
export function renderApp(path: string, appRoutes: RouteObject[] = routes) {
  const router = createMemoryRouter(appRoutes, { initialEntries: [path] });
  const result = render(
    <SessionProvider>
      <RouterProvider router={router} />
    </SessionProvider>,
  );
  return { router, ...result };
}

/** One component with the providers the app gives it (session, router, toasts). */
export function renderWithProviders(ui: ReactNode, { path = "/" }: { path?: string } = {}) {
  return renderApp(path, [{ path: "*", element: <ToastProvider>{ui}</ToastProvider> }]);
}
