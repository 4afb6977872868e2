import { useCallback, useEffect, useRef, useState, type FormEvent, type MouseEvent } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate, useSearchParams } from "react-router";
import { useShortcuts } from "../lib/shortcuts";
import { useSubmit } from "../lib/useSubmit";
import { useSession } from "../session/SessionProvider";
import { LimitsProvider } from "./LimitsProvider";
import { ToastProvider, ToastViewport } from "./Toast";
import { UploadDock, UploadProvider } from "./UploadPanel";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

/** Pause in typing after which the search box searches. */
export const SEARCH_DEBOUNCE_MS = 300;
/** The dock's padding above and below its stack (p-4). */
const DOCK_PADDING_PX = 32;
const DRIVE_PATHS = ["/files", "/search", "/starred", "/trash"];
const PRIVATE_PATHS = [...DRIVE_PATHS, "/recent", "/activity", "/shared", "/shared-with-me", "/profile"];
const under = (pathname: string, paths: string[]) =>
  paths.some((path) => pathname === path || pathname.startsWith(`${path}/`));

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${
    isActive
      ? "bg-indigo-50 text-indigo-700 dark:bg-slate-800 dark:text-indigo-300"
      : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
  }`;

export function Layout() {
  const { user, restoring, logout } = useSession();
  const navigate = useNavigate();
  const leaving = useSubmit();
  const location = useLocation();
  const privatePage = under(location.pathname, PRIVATE_PATHS);
  // While the session restores on a signed-in page, the header already takes its signed-in
  // shape, so nothing moves when the session arrives.
  const signedIn = user !== null || (restoring && privatePage);
  const toList = under(location.pathname, DRIVE_PATHS);

  async function handleLogout() {
    // Signed out here whatever the server answered: the session store forgets the session.
    await leaving.run(logout);
    navigate("/login");
  }

  return (
    <ToastProvider docked>
      <LimitsProvider>
        <UploadProvider docked>
          <div className="flex min-h-screen flex-col">
            <a
              href="#main"
              onClick={(event) => skipTo(event, toList ? "file-list" : "main")}
              className="sr-only rounded-md bg-indigo-700 px-4 py-2 text-sm font-semibold text-white focus:not-sr-only focus:absolute focus:top-2 focus:left-2 focus:z-50"
            >
              {toList ? "Skip to file list" : "Skip to content"}
            </a>
            <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
              <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-3">
                <Link to="/" className="flex items-center gap-2 text-lg font-bold text-indigo-700 dark:text-indigo-300">
                  <img src="/favicon.svg" alt="" className="h-6 w-6" />
                  SCloud
                </Link>
                {signedIn && <SearchBox />}
                <nav aria-label="Main" className="flex flex-wrap items-center gap-1">
                  {signedIn ? (
                    <>
                      <NavLink to="/files" className={navClass}>
                        Files
                      </NavLink>
                      <NavLink to="/recent" className={navClass}>
                        Recent
                      </NavLink>
                      <NavLink to="/starred" className={navClass}>
                        Starred
                      </NavLink>
                      <NavLink to="/shared" className={navClass}>
                        Shared
                      </NavLink>
                      <NavLink to="/shared-with-me" className={navClass}>
                        Shared with me
                      </NavLink>
                      <NavLink to="/activity" className={navClass}>
                        Activity
                      </NavLink>
                      <NavLink to="/trash" className={navClass}>
                        Trash
                      </NavLink>
                      <NavLink to="/profile" className={navClass}>
                        Profile
                      </NavLink>
                      <button
                        type="button"
                        onClick={handleLogout}
                        disabled={leaving.busy || !user}
                        className="rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
                      >
                        Log out
                      </button>
                    </>
                  ) : (
                    <>
                      <NavLink to="/login" className={navClass}>
                        Log in
                      </NavLink>
                      <NavLink to="/register" className={navClass}>
                        Register
                      </NavLink>
                    </>
                  )}
                </nav>
              </div>
            </header>
            {/* A private page's content loads after it shows: starting the footer below the fold keeps
              it from being pushed down the screen as the rows arrive. */}
            <main
              id="main"
              tabIndex={-1}
              className={`mx-auto w-full max-w-6xl flex-1 px-4 py-8 focus:outline-none ${privatePage ? "min-h-screen" : ""}`}
            >
              <Outlet />
            </main>
            <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
              SCloud — your files, yours.
            </footer>
            <Dock />
          </div>
        </UploadProvider>
      </LimitsProvider>
    </ToastProvider>
  );
}

/** Focuses the skip link's target: the file list when the page has one, else the main content. */
function skipTo(event: MouseEvent, id: string) {
  const target = document.getElementById(id) ?? document.getElementById("main");
  if (!target) return;
  event.preventDefault();
  target.focus();
  target.scrollIntoView?.({ block: "start" });
}

/**
 * What floats over the bottom of the page, stacked so nothing covers anything else: toasts,
 * then the upload panel, then the email confirmation banner. Fixed, so it never moves the page;
 * a spacer after the footer as tall as the dock lets the end of the page scroll above it.
 * The fixed layer fills the window (letting pointers through) and holds the padding, so the
 * stack inside is empty, with no size, until something is shown: the banner appearing then
 * moves no box that was on screen (a layout shift).
 */
function Dock() {
  const [height, setHeight] = useState(0);
  const measure = useCallback((element: HTMLDivElement | null) => {
    if (!element || typeof ResizeObserver === "undefined") return;
    const observer = new ResizeObserver(() =>
      setHeight(element.offsetHeight && element.offsetHeight + DOCK_PADDING_PX),
    );
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return (
    <>
      <div aria-hidden="true" style={{ height }} />
      <div className="pointer-events-none fixed inset-0 z-40 flex flex-col justify-end p-4">
        <div ref={measure} data-testid="dock" className="flex flex-col items-stretch gap-2 sm:items-end">
          <ToastViewport />
          <UploadDock />
          <VerifyEmailBanner />
        </div>
      </div>
    </>
  );
}

/**
 * Search across every folder, as you type (after a short pause) or on Enter; `/` anywhere on the
 * page puts the cursor here. On the search page each new query replaces the last in the history.
 */
function SearchBox() {
  const navigate = useNavigate();
  const location = useLocation();
  const [params] = useSearchParams();
  const onSearch = location.pathname === "/search";
  const urlQuery = onSearch ? (params.get("q") ?? "") : "";
  // What was typed, the queries the box has navigated to and not yet seen arrive, and the place
  // the box last saw. A navigation is a transition that can wait (on the search page's code, on a
  // busy device) while keystrokes go on landing in the page still shown: so each keystroke only
  // ever changes the text, and arriving somewhere decides whether the text stays.
  const [box, setBox] = useState({ text: urlQuery, asked: [] as string[], at: location.key });
  if (box.at !== location.key) {
    // The box's own search keeps what was typed since; any other navigation (a link, Back)
    // shows the new place's query.
    const own = onSearch ? box.asked.indexOf(urlQuery) : -1;
    setBox(
      own >= 0
        ? { text: box.text, asked: box.asked.slice(own + 1), at: location.key }
        : { text: urlQuery, asked: [], at: location.key },
    );
  }
  const inputRef = useRef<HTMLInputElement>(null);
  useShortcuts({ search: () => inputRef.current?.focus() });

  const search = useCallback(
    (text: string) => {
      const q = text.trim();
      setBox((shown) => ({ ...shown, asked: [...shown.asked, q] }));
      navigate(q ? `/search?q=${encodeURIComponent(q)}` : "/search", { replace: onSearch });
    },
    [navigate, onSearch, setBox],
  );

  const query = box.text;
  useEffect(() => {
    if (query.trim() === urlQuery.trim()) return;
    if (!onSearch && !query.trim()) return;
    const timer = setTimeout(() => search(query), SEARCH_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [query, urlQuery, onSearch, search]);

  function submit(event: FormEvent) {
    event.preventDefault();
    if (query.trim() && query.trim() !== urlQuery.trim()) search(query);
  }

  return (
    <form role="search" onSubmit={submit} className="order-last w-full sm:order-none sm:w-auto sm:flex-1 sm:px-4">
      <label htmlFor="drive-search" className="sr-only">
        Search your files
      </label>
      <input
        ref={inputRef}
        id="drive-search"
        type="search"
        value={query}
        maxLength={100}
        onChange={(event) => {
          const text = event.target.value;
          setBox((shown) => ({ ...shown, text }));
        }}
        placeholder="Search your files (press /)"
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:placeholder:text-slate-400"
      />
    </form>
  );
}
