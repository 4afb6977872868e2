import { useEffect, useId, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../api/errors";
import { itemPeople, type Person, type Role } from "../api/people";
import { useSubmit } from "../lib/useSubmit";
import { Button, TextField } from "./Field";
import { Notice } from "./Notice";
import { Spinner } from "./Spinner";

export const ROLE_LABELS: Record<Role, string> = { viewer: "Viewer", editor: "Editor" };

/** What a role lets the person do, under its choice. */
const ROLE_HINTS: Record<Role, string> = {
  viewer: "Can open and download.",
  editor: "Can also upload, rename, move and trash inside.",
};

/** Refusals said for the owner; the API's own message otherwise. */
function describePeopleError(reason: unknown): string {
  if (reason instanceof ApiError && reason.code === "email_not_verified")
    return "Confirm your email address first: open the link in the email we sent you.";
  return messageOf(reason);
}

const selectClass =
  "rounded-md border border-slate-300 bg-white px-2 py-2 text-sm text-slate-900 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100";

/** The Share dialog's People section: shares the item with an email address, and lists, changes and removes people. */
export function SharePeople({ item }: { item: { id: string; kind: "file" | "folder" } }) {
  const api = itemPeople(item.id);
  const [people, setPeople] = useState<Person[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    itemPeople(item.id)
      .list(controller.signal)
      .then((answer) => setPeople(answer.items))
      .catch((reason) => !controller.signal.aborted && setLoadError(messageOf(reason)));
    return () => controller.abort();
  }, [item.id]);

  // Sharing again with someone changes their role: the row is replaced, not repeated.
  const put = (person: Person) =>
    setPeople((current) =>
      current?.some((entry) => entry.id === person.id)
        ? current.map((entry) => (entry.id === person.id ? person : entry))
        : [...(current ?? []), person],
    );

  return (
    <section aria-labelledby="share-people" className="mt-4">
      <h3 id="share-people" className="text-sm font-semibold">
        People
      </h3>
      <AddPersonForm onAdd={(email, role) => api.add(email, role)} onAdded={put} />
      <h4 className="mt-4 text-sm font-medium">People with access</h4>
      {loadError && <Notice kind="error">{loadError}</Notice>}
      {!people && !loadError && <Spinner label="Loading people" />}
      {people?.length === 0 && (
        <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">Only you. Add someone by email above.</p>
      )}
      {people && people.length > 0 && (
        <ul aria-label="People with access" className="mt-2 space-y-2">
          {people.map((person) => (
            <PersonRow
              key={person.id}
              person={person}
              onRole={async (role) => put(await api.changeRole(person.id, role))}
              onRemove={async () => {
                await api.remove(person.id);
                setPeople((current) => (current ?? []).filter((entry) => entry.id !== person.id));
              }}
            />
          ))}
        </ul>
      )}
    </section>
  );
}

function AddPersonForm({
  onAdd,
  onAdded,
}: {
  onAdd(email: string, role: Role): Promise<Person>;
  onAdded(person: Person): void;
}) {
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<Role>("viewer");
  const { busy, result, run } = useSubmit();
  const roleId = useId();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      const person = await onAdd(email.trim(), role);
      onAdded(person);
      setEmail("");
      // The same answer whether the address has an account or not, so the same words.
      return `Invitation sent to ${person.email}.`;
    }, describePeopleError);
  }

  return (
    <form onSubmit={submit} aria-label="Share with a person" className="mt-2 space-y-3">
      <TextField
        label="Email address"
        type="email"
        required
        autoComplete="off"
        maxLength={320}
        value={email}
        onChange={(event) => setEmail(event.target.value)}
      />
      <div className="space-y-1">
        <label htmlFor={roleId} className="block text-sm font-medium">
          Role
        </label>
        <select
          id={roleId}
          value={role}
          onChange={(event) => setRole(event.target.value as Role)}
          aria-describedby={`${roleId}-hint`}
          className={selectClass}
        >
          <option value="viewer">{ROLE_LABELS.viewer}</option>
          <option value="editor">{ROLE_LABELS.editor}</option>
        </select>
        <p id={`${roleId}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
          {ROLE_HINTS[role]}
        </p>
      </div>
      {result && <Notice kind={result.kind}>{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        Share
      </Button>
    </form>
  );
}

function PersonRow({
  person,
  onRole,
  onRemove,
}: {
  person: Person;
  onRole(role: Role): Promise<void>;
  onRemove(): Promise<void>;
}) {
  const changing = useSubmit();
  const removing = useSubmit();
  const roleId = useId();
  const error = changing.error ?? removing.error;
  return (
    <li className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <div className="flex flex-wrap items-center gap-2">
        <span className="min-w-0 flex-1 break-all">{person.email}</span>
        <label htmlFor={roleId} className="sr-only">
          Role of {person.email}
        </label>
        <select
          id={roleId}
          value={person.role}
          disabled={changing.busy}
          onChange={(event) => void changing.run(() => onRole(event.target.value as Role), describePeopleError)}
          className={selectClass}
        >
          <option value="viewer">{ROLE_LABELS.viewer}</option>
          <option value="editor">{ROLE_LABELS.editor}</option>
        </select>
        <Button
          variant="danger"
          type="button"
          busy={removing.busy}
          aria-label={`Remove ${person.email}`}
          onClick={() => void removing.run(onRemove, describePeopleError)}
        >
          Remove
        </Button>
      </div>
      {error && <Notice kind="error">{error}</Notice>}
    </li>
  );
}
