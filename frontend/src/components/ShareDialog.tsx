import { lazy, Suspense, useEffect, useId, useState, type FormEvent } from "react";
import { authApi, unwrap } from "../api/client";
import { ApiError, messageOf } from "../api/errors";
import { publicUrl, shareLinks, type ShareLink, type ShareLinkCreated, type ShareLinkUpdate } from "../api/share";
import { formatDate } from "../lib/format";
import { useSubmit } from "../lib/useSubmit";
import { CopyableLink } from "./CopyableLink";
import { Button, TextField } from "./Field";
import { Modal } from "./Modal";
import { Notice } from "./Notice";
import { SharePeople } from "./SharePeople";
import { Spinner } from "./Spinner";

// Loaded when a link is made, not with the drive: the QR encoder is in a chunk of its own.
const LinkQrCode = lazy(() => import("./LinkQrCode"));

/** Pages of the user's links read to find one item's (the API lists links by owner, newest first). */
const MAX_LINK_PAGES = 5;
const DEFAULT_EXPIRY_DAYS = 7;

const dayInput = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

/** The chosen day at this time of day, a minute early: "7 days from now" stays within a 7-day maximum. */
export function expiryFrom(day: string, now: Date = new Date()): string {
  const [year, month, date] = day.split("-").map(Number);
  const at = new Date(now);
  at.setFullYear(year, month - 1, date);
  return new Date(at.getTime() - 60_000).toISOString();
}

const defaultDay = () => dayInput(new Date(Date.now() + DEFAULT_EXPIRY_DAYS * 86_400_000));

/** A refusal said for people: the account must be verified, the expiry is past the maximum. */
function describeShareError(reason: unknown): string {
  if (reason instanceof ApiError && reason.code === "invalid_expiry") {
    const maxDays = (reason.details as { maxDays?: number } | undefined)?.maxDays;
    return maxDays ? `Choose a day within the next ${maxDays} days.` : reason.message;
  }
  return messageOf(reason);
}

export const STATUS_LABELS: Record<ShareLink["status"], string> = {
  active: "Active",
  revoked: "Revoked",
  expired: "Expired",
  exhausted: "Used up",
};

/** "Expires …, 2 of 5 downloads, password" */
export function describeLink(link: ShareLink): string {
  const parts = [
    link.status === "active" ? `Expires ${formatDate(link.expiresAt)}` : STATUS_LABELS[link.status],
    link.downloadLimit !== null
      ? `${link.downloads} of ${link.downloadLimit} downloads`
      : `${link.downloads} downloads`,
    `${link.opens} opens`,
  ];
  if (link.hasPassword) parts.push("password");
  if (link.ownerName) parts.push(`shows “${link.ownerName}”`);
  return parts.join(" · ");
}

interface ShareDialogProps {
  item: { id: string; name: string; kind: "file" | "folder" };
  onClose(): void;
  fallbackFocus?: () => HTMLElement | null;
}

/** Shares a file or folder with people by email; creates a link to it, copies it, and lists, edits and revokes the item's links. */
export function ShareDialog({ item, onClose, fallbackFocus }: ShareDialogProps) {
  const [links, setLinks] = useState<ShareLink[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [created, setCreated] = useState<ShareLinkCreated | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    (async () => {
      const found: ShareLink[] = [];
      let cursor: string | null = null;
      for (let page = 0; page < MAX_LINK_PAGES; page += 1) {
        const answer = await shareLinks.list({ limit: 200, cursor }, controller.signal);
        found.push(...answer.items.filter((link) => link.itemId === item.id));
        cursor = answer.nextCursor;
        if (!cursor) break;
      }
      return found;
    })()
      .then(setLinks)
      .catch((reason) => !controller.signal.aborted && setLoadError(messageOf(reason)));
    return () => controller.abort();
  }, [item.id]);

  const replace = (next: ShareLink) =>
    setLinks((current) => (current ?? []).map((link) => (link.id === next.id ? next : link)));

  return (
    <Modal title={`Share ${item.name}`} onClose={onClose} fallbackFocus={fallbackFocus}>
      <SharePeople item={item} />
      <h3 className="mt-6 text-sm font-semibold">Links</h3>
      {created ? (
        <CreatedLink link={created} onAnother={() => setCreated(null)} />
      ) : (
        <CreateLinkForm
          item={item}
          onCreated={(link) => {
            setCreated(link);
            setLinks((current) => [link, ...(current ?? [])]);
          }}
        />
      )}
      <section aria-labelledby="existing-links" className="mt-6">
        <h3 id="existing-links" className="text-sm font-semibold">
          Links to this {item.kind}
        </h3>
        {loadError && <Notice kind="error">{loadError}</Notice>}
        {!links && !loadError && <Spinner label="Loading links" />}
        {links?.length === 0 && <p className="mt-1 text-sm text-slate-600 dark:text-slate-400">None yet.</p>}
        {links && links.length > 0 && (
          <ul className="mt-2 space-y-2">
            {links.map((link) => (
              <ExistingLink key={link.id} link={link} onChange={replace} />
            ))}
          </ul>
        )}
      </section>
      <div className="mt-6 flex justify-end">
        <Button variant="secondary" type="button" onClick={onClose}>
          Close
        </Button>
      </div>
    </Modal>
  );
}

/** What the create and edit forms ask for, as typed. */
interface LinkFields {
  day: string;
  password: string;
  removePassword: boolean;
  limit: string;
  showName: boolean;
}

const fieldsOf = (link: ShareLink | null): LinkFields => ({
  day: link ? dayInput(new Date(link.expiresAt)) : defaultDay(),
  password: "",
  removePassword: false,
  limit: link?.downloadLimit == null ? "" : String(link.downloadLimit),
  showName: link ? link.ownerName !== null : false,
});

/** A link's settings, for a new link (`link` null) or an existing one. */
function LinkSettingsFields({
  link,
  fields,
  onChange,
}: {
  link: ShareLink | null;
  fields: LinkFields;
  onChange(changes: Partial<LinkFields>): void;
}) {
  const removeId = useId();
  const nameId = useId();
  const hasPassword = link?.hasPassword ?? false;
  let passwordHint = "Visitors must type it to open the link. Send it separately.";
  if (link) passwordHint = hasPassword ? "Empty: keep the current one." : "Empty: no password.";
  return (
    <>
      <TextField
        label="Works until"
        type="date"
        required
        min={dayInput(new Date())}
        value={fields.day}
        onChange={(event) => onChange({ day: event.target.value })}
      />
      <TextField
        label={link ? "Download limit" : "Download limit (optional)"}
        type="number"
        min={1}
        max={1_000_000}
        inputMode="numeric"
        hint={link ? "Empty: no limit." : "The link stops working after this many downloads. Previews do not count."}
        value={fields.limit}
        onChange={(event) => onChange({ limit: event.target.value })}
      />
      <TextField
        label={hasPassword ? "New password" : link ? "Password" : "Password (optional)"}
        type="password"
        autoComplete="new-password"
        hint={passwordHint}
        disabled={fields.removePassword}
        value={fields.password}
        onChange={(event) => onChange({ password: event.target.value })}
      />
      {hasPassword && (
        <div className="flex items-center gap-2">
          <input
            id={removeId}
            type="checkbox"
            checked={fields.removePassword}
            onChange={(event) => onChange({ removePassword: event.target.checked })}
            className="h-4 w-4 accent-indigo-600"
          />
          <label htmlFor={removeId} className="text-sm">
            Remove the password
          </label>
        </div>
      )}
      <div className="flex items-center gap-2">
        <input
          id={nameId}
          type="checkbox"
          checked={fields.showName}
          onChange={(event) => onChange({ showName: event.target.checked })}
          className="h-4 w-4 accent-indigo-600"
        />
        <label htmlFor={nameId} className="text-sm">
          Show my display name to visitors
        </label>
      </div>
    </>
  );
}

/** The form's fields and their setter, from a link's current settings or a new link's defaults. */
function useLinkFields(link: ShareLink | null) {
  const [fields, setFields] = useState(() => fieldsOf(link));
  const change = (changes: Partial<LinkFields>) => setFields((current) => ({ ...current, ...changes }));
  return [fields, change] as const;
}

function CreateLinkForm({
  item,
  onCreated,
}: {
  item: ShareDialogProps["item"];
  onCreated(link: ShareLinkCreated): void;
}) {
  const [fields, change] = useLinkFields(null);
  const { busy, result, run } = useSubmit();
  const [unverified, setUnverified] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      try {
        onCreated(
          await shareLinks.create({
            itemId: item.id,
            expiresAt: expiryFrom(fields.day),
            password: fields.password || null,
            downloadLimit: fields.limit ? Number(fields.limit) : null,
            showOwnerName: fields.showName,
          }),
        );
      } catch (reason) {
        if (reason instanceof ApiError && reason.code === "email_not_verified") setUnverified(true);
        else throw reason;
      }
    }, describeShareError);
  }

  if (unverified) return <VerifyFirst />;
  return (
    <form onSubmit={submit} className="mt-4 space-y-3">
      <LinkSettingsFields link={null} fields={fields} onChange={change} />
      {result?.kind === "error" && <Notice kind="error">{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        Create link
      </Button>
    </form>
  );
}

function VerifyFirst() {
  const { busy, result, run } = useSubmit();
  return (
    <div className="mt-4 space-y-3">
      <Notice kind="info">
        Only accounts with a confirmed email address can share links. Open the link in the email we sent you, or ask for
        a new one.
      </Notice>
      {result && <Notice kind={result.kind}>{result.text}</Notice>}
      <Button
        variant="secondary"
        busy={busy}
        onClick={() =>
          void run(async () => {
            await unwrap(authApi.POST("/api/v1/auth/verify-email/resend"));
            return "Sent. Check your inbox.";
          })
        }
      >
        Send the confirmation email again
      </Button>
    </div>
  );
}

function CreatedLink({ link, onAnother }: { link: ShareLinkCreated; onAnother(): void }) {
  const url = publicUrl(link.linkId);
  return (
    <div className="mt-4 space-y-3">
      <Notice kind="success">Link created. Copy it now: it is shown only this once.</Notice>
      <CopyableLink label="Link" url={url} />
      <Suspense fallback={<Spinner label="Drawing the QR code" />}>
        <LinkQrCode url={url} />
      </Suspense>
      <Button variant="secondary" type="button" onClick={onAnother}>
        Create another link
      </Button>
    </div>
  );
}

function ExistingLink({ link, onChange }: { link: ShareLink; onChange(link: ShareLink): void }) {
  const [editing, setEditing] = useState(false);
  const revoking = useSubmit();
  return (
    <li className="rounded-md border border-slate-200 p-3 text-sm dark:border-slate-700">
      <p>
        Created {formatDate(link.createdAt)} · {describeLink(link)}
      </p>
      {revoking.result?.kind === "error" && <Notice kind="error">{revoking.result.text}</Notice>}
      {link.status === "active" && !editing && (
        <div className="mt-2 flex gap-2">
          <Button variant="secondary" type="button" onClick={() => setEditing(true)}>
            Edit
          </Button>
          <Button
            variant="danger"
            type="button"
            busy={revoking.busy}
            aria-label={`Revoke the link created ${formatDate(link.createdAt)}`}
            onClick={() =>
              void revoking.run(async () => {
                await shareLinks.revoke(link.id);
                onChange({ ...link, status: "revoked", revokedAt: new Date().toISOString() });
              })
            }
          >
            Revoke
          </Button>
        </div>
      )}
      {editing && (
        <EditLinkForm
          link={link}
          onDone={(next) => {
            if (next) onChange(next);
            setEditing(false);
          }}
        />
      )}
    </li>
  );
}

function EditLinkForm({ link, onDone }: { link: ShareLink; onDone(link: ShareLink | null): void }) {
  const [fields, change] = useLinkFields(link);
  const { busy, result, run } = useSubmit();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const changes: ShareLinkUpdate = {
      downloadLimit: fields.limit ? Number(fields.limit) : null,
      showOwnerName: fields.showName,
    };
    if (fields.day !== dayInput(new Date(link.expiresAt))) changes.expiresAt = expiryFrom(fields.day);
    if (fields.removePassword) changes.password = null;
    else if (fields.password) changes.password = fields.password;
    await run(async () => onDone(await shareLinks.update(link.id, changes)), describeShareError);
  }

  return (
    <form onSubmit={submit} className="mt-3 space-y-3" aria-label="Edit the link">
      <LinkSettingsFields link={link} fields={fields} onChange={change} />
      {result?.kind === "error" && <Notice kind="error">{result.text}</Notice>}
      <div className="flex gap-2">
        <Button type="submit" busy={busy}>
          Save
        </Button>
        <Button variant="secondary" type="button" onClick={() => onDone(null)}>
          Cancel
        </Button>
      </div>
    </form>
  );
}
