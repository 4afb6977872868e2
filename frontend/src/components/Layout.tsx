import { useState } from "react";
import { Link, NavLink, Outlet, useNavigate } from "react-router";
import { useSession } from "../session/SessionProvider";
import { VerifyEmailBanner } from "./VerifyEmailBanner";

const navClass = ({ isActive }: { isActive: boolean }) =>
  `rounded-md px-3 py-2 text-sm font-medium ${isActive ? "bg-indigo-50 text-indigo-700" : "text-slate-600 hover:text-slate-900"}`;

export function Layout() {
  const { user, logout } = useSession();
  const navigate = useNavigate();
  const [leaving, setLeaving] = useState(false);

  async function handleLogout() {
    setLeaving(true);
    await logout().catch(() => undefined);
    setLeaving(false);
    navigate("/login");
  }

  return (
    <div className="flex min-h-screen flex-col">
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-5xl flex-wrap items-center justify-between gap-2 px-4 py-3">
          <Link to="/" className="flex items-center gap-2 text-lg font-bold text-indigo-700">
            <img src="/favicon.svg" alt="" className="h-6 w-6" />
            SCloud
          </Link>
          <nav aria-label="Main" className="flex items-center gap-1">
            {user ? (
              <>
                <NavLink to="/files" className={navClass}>
                  Files
                </NavLink>
                <NavLink to="/profile" className={navClass}>
                  Profile
                </NavLink>
                <button
                  type="button"
                  onClick={handleLogout}
                  disabled={leaving}
                  className="rounded-md px-3 py-2 text-sm font-medium text-slate-600 hover:text-slate-900"
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
      <main className="mx-auto w-full max-w-5xl flex-1 px-4 py-8">
        <Outlet />
      </main>
      <footer className="border-t border-slate-200 py-4 text-center text-xs text-slate-500">
        SCloud — your files, yours.
      </footer>
    </div>
  );
}
