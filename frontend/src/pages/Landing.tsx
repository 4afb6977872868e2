import { Link } from "react-router";
import { useSession } from "../session/SessionProvider";
import { useDocumentTitle } from "../lib/documentTitle";

const FEATURES = [
  { title: "Drag, drop, done", text: "Upload many files at once and watch each one's progress." },
  { title: "Private by default", text: "Only you see your files. Downloads use links that expire in minutes." },
  { title: "Everywhere", text: "A clean interface that works on your phone as well as your desk." },
];

export function Landing() {
  useDocumentTitle("");
  const { user } = useSession();
  return (
    <div className="space-y-12 py-8">
      <section className="text-center">
        <h1 className="text-4xl font-extrabold tracking-tight sm:text-5xl">Your files, in your cloud.</h1>
        <p className="mx-auto mt-4 max-w-xl text-lg text-slate-600 dark:text-slate-400">
          SCloud keeps your documents, photos and everything else safe, and one click away.
        </p>
        <div className="mt-8 flex justify-center gap-3">
          {user ? (
            <Link
              to="/files"
              className="rounded-md bg-indigo-600 px-5 py-3 font-semibold text-white hover:bg-indigo-500"
            >
              Go to your files
            </Link>
          ) : (
            <>
              <Link
                to="/register"
                className="rounded-md bg-indigo-600 px-5 py-3 font-semibold text-white hover:bg-indigo-500"
              >
                Get started
              </Link>
              <Link
                to="/login"
                className="rounded-md border border-slate-300 bg-white px-5 py-3 font-semibold hover:bg-slate-50 dark:border-slate-600 dark:bg-slate-900 dark:hover:bg-slate-800"
              >
                Log in
              </Link>
            </>
          )}
        </div>
      </section>
      <section className="grid gap-4 sm:grid-cols-3" aria-label="Features">
        {FEATURES.map((feature) => (
          <div
            key={feature.title}
            className="rounded-lg border border-slate-200 bg-white p-5 dark:border-slate-700 dark:bg-slate-900"
          >
            <h2 className="font-semibold">{feature.title}</h2>
            <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">{feature.text}</p>
          </div>
        ))}
      </section>
    </div>
  );
}
