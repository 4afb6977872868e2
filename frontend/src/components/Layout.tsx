import { useRef, useState, type FormEvent } from "react";
import { Link, NavLink, Outlet, useLocation, useNavigate, useSearchParams } from "react-router";
import { useShortcuts } from "../lib/shortcuts";
import { useSession } from "../session/SessionProvider";
import { ToastProvider } from "./Toast";
import { UploadProvider } from "./UploadPanel";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${
    isActive
      ? "bg-indigo-50 text-indigo-700 dark:bg-slate-800 dark:text-indigo-300"
      : "text-slate-600 hover:text-slate-900 dark:text-slate-300 dark:hover:text-white"
  }`;

export function Layout() {
  const { user, logout } = useSession();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);
  const location = useLocation();
  const [params] = useSearchParams();
  const query = location.pathname === "/search" ? (params.get("q") ?? "") : "";

  async function handleLogout() {
    setLeaving(true);
    await logout().catch(() => undefined);
    setLeaving(false);
    navigate("/login");
  }

  return (
    <ToastProvider>
      <UploadProvider>
        <div className="flex min-h-screen flex-col">
          <header className="border-b border-slate-200 bg-white dark:border-slate-800 dark:bg-slate-900">
            <div className="mx-auto flex max-w-6xl flex-wrap items-center justify-between gap-2 px-4 py-3">
              <Link to="/" className="flex items-center gap-2 text-lg font-bold text-indigo-700 dark:text-indigo-300">
                <img src="/favicon.svg" alt="" className="h-6 w-6" />
                SCloud
              </Link>
              {user && <SearchBox key={query} initial={query} />}
              <nav aria-label="Main" className="flex items-center gap-1">
                {user ? (
                  <>
                    <NavLink to="/files" className={navClass}>
                      Files
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
                      disabled={leaving}
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
          <VerifyEmailBanner />
          <main className="mx-auto w-full max-w-6xl flex-1 px-4 py-8">
            <Outlet />
          </main>
          <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-600 dark:border-slate-800 dark:text-slate-400">
            SCloud — your files, yours.
          </footer>
        </div>
      </UploadProvider>
    </ToastProvider>
  );
}

/** Search across every folder; `/` anywhere on the page puts the cursor here. */
function SearchBox({ initial }: { initial: string }) {
  const navigate = useNavigate();
  const [query, setQuery] = useState(initial);
  const inputRef = useRef<HTMLInputElement>(null);
  useShortcuts({ search: () => inputRef.current?.focus() });

  function submit(event: FormEvent) {
    event.preventDefault();
    const q = query.trim();
    if (q) navigate(`/search?q=${encodeURIComponent(q)}`);
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
        onChange={(event) => setQuery(event.target.value)}
        placeholder="Search your files (press /)"
        className="w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-500 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100 dark:placeholder:text-slate-400"
      />
    </form>
  );
}
