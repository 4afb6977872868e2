import type { ReactNode } from "react";
import { Link } from "react-router";

/** What SCloud keeps about a person, why, for how long, and how to get it or have it deleted. */
export function Privacy() {
  return (
    <article className="mx-auto max-w-2xl space-y-6 text-slate-700 dark:text-slate-200">
      <h1 className="text-2xl font-bold text-slate-900 dark:text-slate-100">How SCloud handles your data</h1>
      <Part title="What we keep">
        <ul className="list-disc space-y-1 pl-6">
          <li>Your email address and username, to sign you in and to write to you about your account.</li>
          <li>
            Your gender and date of birth, only if you give them. They are optional, shown only to you, and used for
            nothing else.
          </li>
          <li>Your password, only as a one-way hash: nobody, us included, can read it back.</li>
          <li>
            If you turn on two-factor sign-in, its secret and the hashes of your recovery codes, to check your codes.
          </li>
          <li>
            Your files, their names, sizes, types and folders. Files are private: only you can list or download them.
          </li>
          <li>
            Your sessions (signed-in browsers, as they name themselves, and when they were last used), so you can see
            and end them from your profile.
          </li>
          <li>
            Security records: sign-ins, failed attempts, password and two-factor changes, each with the address it came
            from, to protect your account. They never hold your password, codes or email address.
          </li>
        </ul>
      </Part>
      <Part title="How long">
        <p>
          Everything stays while your account exists. Deleted files stay in the trash for 30 days, then go for good.
          Ended sessions and one-time links disappear on their own within days. Deleting your account removes your
          files, folders, sessions, two-factor settings and profile at once; we send one last email to confirm it.
        </p>
      </Part>
      <Part title="Your choices">
        <ul className="list-disc space-y-1 pl-6">
          <li>Change or remove your details on your profile at any time.</li>
          <li>Download everything we hold about your account, as a JSON file, from your profile.</li>
          <li>Delete your account from your profile: it takes your files with it.</li>
        </ul>
      </Part>
      <Part title="Who sees it">
        <p>
          Nobody else. Your data is stored with Amazon Web Services (S3 for files, DynamoDB for the rest), encrypted at
          rest, and emails go out through Amazon SES. We do not sell, share or analyse it, and the app has no trackers
          or advertising.
        </p>
      </Part>
      <p>
        <Link to="/register" className="font-medium text-indigo-700 underline dark:text-indigo-300">
          Create an account
        </Link>
      </p>
    </article>
  );
}

function Part({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section className="space-y-2">
      <h2 className="text-lg font-semibold text-slate-900 dark:text-slate-100">{title}</h2>
      {children}
    </section>
  );
}
