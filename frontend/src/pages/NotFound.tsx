import { Link } from "react-router";
import { useDocumentTitle } from "../lib/documentTitle";

export function NotFound() {
  useDocumentTitle("Page not found");
  return (
    <div className="py-16 text-center">
      <h1 className="text-2xl font-bold">Page not found</h1>
      <p className="mt-2 text-slate-600 dark:text-slate-400">There is nothing at this address.</p>
      <Link to="/" className="mt-6 inline-block font-medium text-indigo-700 underline dark:text-indigo-300">
        Back to SCloud
      </Link>
    </div>
  );
}
