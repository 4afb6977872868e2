import { useCallback, useEffect, useMemo, useState, type FormEvent, type ReactNode } from "react";
import { Link, useParams, useSearchParams } from "react-router";
import { navigateTo } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import {
  SHARED_ROOT,
  sharedLink,
  unlockTokens,
  type SharedEntry,
  type SharedFolderPage,
  type SharedItem,
} from "../api/share";
import { Button } from "../components/Field";
import { ItemIcon } from "../components/ItemIcon";
import { Notice } from "../components/Notice";
import { PasswordField } from "../components/PasswordField";
import { PreviewPane, textPreview, usePreview, type Preview } from "../components/FilePreview";
import { Modal } from "../components/Modal";
import { Spinner } from "../components/Spinner";
import { useDocumentTitle } from "../lib/documentTitle";
import { fileTypeOf } from "../lib/fileType";
import { formatBytes, formatDate, formatWait } from "../lib/format";
import { useSubmit } from "../lib/useSubmit";

type LinkApi = ReturnType<typeof sharedLink>;

type State =
  | { kind: "loading" }
  | { kind: "open"; item: SharedItem }
  | { kind: "password" }
  | { kind: "refused"; error: ApiError | null; message: string };

/** A refusal that ends what the page can show (the link is gone, or needs its password again). */
const endsThePage = (reason: unknown) =>
  reason instanceof ApiError && [401, 404, 410, 429].includes(reason.status) && reason.code !== "item_not_found";

/** The public page of a share link, `/s/<linkId>`: works signed out, shows nothing of the owner's but the name they chose. */
export function SharePage() {
  const { linkId = "" } = useParams();
  const [token, setToken] = useState(() => unlockTokens.read(linkId));
  const [state, setState] = useState<State>({ kind: "loading" });
  const link = useMemo(() => sharedLink(linkId, token), [linkId, token]);

  const refuse = useCallback(
    (reason: unknown) => {
      if (reason instanceof ApiError && reason.code === "password_required") {
        unlockTokens.forget(linkId);
        setToken(null);
        setState({ kind: "password" });
      } else {
        setState({ kind: "refused", error: reason instanceof ApiError ? reason : null, message: messageOf(reason) });
      }
    },
    [linkId],
  );

  useEffect(() => {
    const controller = new AbortController();
    link
      .open(controller.signal)
      .then((item) => setState({ kind: "open", item }))
      .catch((reason) => {
        if (!controller.signal.aborted) refuse(reason);
      });
    return () => controller.abort();
  }, [link, refuse]);

  useDocumentTitle(state.kind === "open" ? state.item.name : "Shared with you");

  const onFailure = useCallback(
    (reason: unknown) => {
      if (endsThePage(reason)) refuse(reason);
    },
    [refuse],
  );

  return (
    <div className="mx-auto max-w-4xl space-y-6">
      {state.kind === "loading" && (
        <div className="flex justify-center py-16">
          <Spinner label="Opening the link" />
        </div>
      )}
      {state.kind === "password" && (
        <UnlockForm
          link={link}
          onUnlocked={(next, expiresAt) => {
            unlockTokens.write(linkId, next, expiresAt);
            setState({ kind: "loading" });
            setToken(next);
          }}
          onRefused={refuse}
        />
      )}
      {state.kind === "refused" && <Refusal error={state.error} message={state.message} />}
      {state.kind === "open" && (
        <>
          <SharedHeader item={state.item} />
          {state.item.kind === "file" ? (
            <SharedFile item={state.item} link={link} onFailure={onFailure} />
          ) : (
            <SharedFolder link={link} onFailure={onFailure} />
          )}
        </>
      )}
    </div>
  );
}

function SharedHeader({ item }: { item: SharedItem }) {
  const type = fileTypeOf(item);
  return (
    <header className="space-y-2">
      <h1 className="flex items-center gap-2 text-2xl font-bold [overflow-wrap:anywhere]">
        <ItemIcon family={type.family} />
        {item.name}
      </h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        {item.ownerName ? `Shared by ${item.ownerName}` : "Shared with you"} · {type.label}
        {item.size !== null && ` · ${formatBytes(item.size)}`} · modified {formatDate(item.modifiedAt)}
      </p>
      <p className="text-sm text-slate-600 dark:text-slate-400">
        This link works until {formatDate(item.expiresAt)}
        {item.downloadsLeft !== null && ` · ${item.downloadsLeft} download${item.downloadsLeft === 1 ? "" : "s"} left`}.
      </p>
    </header>
  );
}

function UnlockForm({
  link,
  onUnlocked,
  onRefused,
}: {
  link: LinkApi;
  onUnlocked(token: string, expiresAt: string): void;
  onRefused(reason: unknown): void;
}) {
  const [password, setPassword] = useState("");
  const { busy, result, run } = useSubmit();
  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(async () => {
      try {
        const unlocked = await link.unlock(password);
        onUnlocked(unlocked.unlockToken, unlocked.expiresAt);
      } catch (reason) {
        if (reason instanceof ApiError && reason.status === 403) {
          throw new ApiError(403, reason.code, "Wrong password. Check it with the person who sent the link.");
        }
        if (reason instanceof ApiError && [404, 410].includes(reason.status)) onRefused(reason);
        else throw reason;
      }
    });
  }
  return (
    <form onSubmit={submit} className="mx-auto max-w-md space-y-4" aria-labelledby="unlock-title">
      <h1 id="unlock-title" className="text-2xl font-bold">
        This link is protected
      </h1>
      <p className="text-sm text-slate-600 dark:text-slate-400">Enter the password you were given with the link.</p>
      <PasswordField
        label="Password"
        autoComplete="off"
        required
        // eslint-disable-next-line jsx-a11y/no-autofocus -- the page's one field, what the visitor came to fill
        autoFocus
        value={password}
        onChange={(event) => setPassword(event.target.value)}
      />
      {result?.kind === "error" && <Notice kind="error">{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        Open
      </Button>
    </form>
  );
}

const GONE: Record<string, { title: string; text: string }> = {
  link_expired: { title: "This link has expired", text: "Ask the person who shared it for a new one." },
  link_revoked: { title: "This link was turned off", text: "The person who shared it no longer shares it here." },
  link_exhausted: {
    title: "This link has been used up",
    text: "It allowed a set number of downloads, and they have all been made. Ask for a new link.",
  },
};

function Refusal({ error, message }: { error: ApiError | null; message: string }) {
  let title = "Could not open this link";
  let text: ReactNode = message;
  if (error?.status === 404) {
    title = "This link does not exist";
    text = "Check that the address was copied whole. The link may also have been removed.";
  } else if (error?.status === 410) {
    ({ title, text } = GONE[error.code] ?? { title: "This link no longer works", text: message });
  } else if (error?.status === 429) {
    title = "Too many attempts";
    text =
      error.retryAfterSeconds !== null
        ? `Too many wrong passwords were tried. Try again in ${formatWait(error.retryAfterSeconds)}.`
        : "Too many wrong passwords were tried. Wait a while and try again.";
  }
  return (
    <section className="mx-auto max-w-md space-y-3 py-8 text-center" aria-labelledby="refusal-title">
      <h1 id="refusal-title" className="text-2xl font-bold">
        {title}
      </h1>
      <p className="text-slate-600 dark:text-slate-400">{text}</p>
      <p>
        <Link to="/" className="text-sm font-medium text-indigo-700 underline dark:text-indigo-300">
          Go to SCloud
        </Link>
      </p>
    </section>
  );
}

/** A file's preview through the link (a folder link's file when `fileId` is set), as its `preview` says. */
function SharedPreview({
  file,
  fileId,
  link,
  onFailure,
}: {
  file: SharedItem | SharedEntry;
  fileId: string | null;
  link: LinkApi;
  onFailure(reason: unknown): void;
}) {
  const load = useCallback(async (): Promise<Preview> => {
    if (!file.preview) return { kind: "none" };
    try {
      const { url } = await (fileId ? link.previewFile(fileId) : link.preview());
      return file.preview === "text" ? await textPreview(file, url) : { kind: file.preview, url };
    } catch (reason) {
      onFailure(reason);
      throw reason;
    }
  }, [file, fileId, link, onFailure]);
  const { preview, renewLink } = usePreview(fileId ?? "", load);
  return <PreviewPane preview={preview} name={file.name} onLoadError={renewLink} />;
}

function SharedFile({ item, link, onFailure }: { item: SharedItem; link: LinkApi; onFailure(reason: unknown): void }) {
  const [previewing, setPreviewing] = useState(false);
  const downloading = useSubmit();
  const download = async () => {
    try {
      navigateTo((await link.download()).url);
    } catch (reason) {
      onFailure(reason);
      throw reason;
    }
  };
  return (
    <section aria-label="File" className="space-y-4">
      <div className="flex flex-wrap gap-2">
        <Button busy={downloading.busy} onClick={() => void downloading.run(download)}>
          Download
        </Button>
        {item.preview && !previewing && (
          <Button variant="secondary" onClick={() => setPreviewing(true)}>
            Show preview
          </Button>
        )}
      </div>
      {downloading.result?.kind === "error" && <Notice kind="error">{downloading.result.text}</Notice>}
      {previewing && <SharedPreview file={item} fileId={null} link={link} onFailure={onFailure} />}
    </section>
  );
}

function SharedFolder({ link, onFailure }: { link: LinkApi; onFailure(reason: unknown): void }) {
  const [params, setParams] = useSearchParams();
  const folderId = params.get("folder") ?? SHARED_ROOT;
  const [listing, setListing] = useState<{ id: string; page: SharedFolderPage } | null>(null);
  const [failure, setFailure] = useState<{ id: string; message: string } | null>(null);
  const [more, setMore] = useState(false);
  const [previewed, setPreviewed] = useState<SharedEntry | null>(null);
  const acting = useSubmit();

  useEffect(() => {
    const controller = new AbortController();
    link
      .children(folderId, null, controller.signal)
      .then((page) => {
        setListing({ id: folderId, page });
        setFailure(null);
      })
      .catch((reason) => {
        if (controller.signal.aborted) return;
        if (endsThePage(reason)) onFailure(reason);
        else setFailure({ id: folderId, message: messageOf(reason) });
      });
    return () => controller.abort();
  }, [folderId, link, onFailure]);

  const open = (id: string) => setParams(id === SHARED_ROOT ? {} : { folder: id });
  const current = listing?.id === folderId ? listing.page : null;
  const error = failure?.id === folderId ? failure.message : null;

  async function loadMore() {
    if (!current?.nextCursor) return;
    setMore(true);
    try {
      const next = await link.children(folderId, current.nextCursor);
      setListing({ id: folderId, page: { ...next, items: [...current.items, ...next.items] } });
    } catch (reason) {
      if (endsThePage(reason)) onFailure(reason);
      else setFailure({ id: folderId, message: messageOf(reason) });
    } finally {
      setMore(false);
    }
  }

  const act = (action: () => Promise<{ url: string }>) =>
    void acting.run(async () => {
      try {
        navigateTo((await action()).url);
      } catch (reason) {
        onFailure(reason);
        throw reason;
      }
    });

  return (
    <section aria-label="Folder contents" className="space-y-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <SharedCrumbs folder={current?.folder ?? null} onOpen={open} />
        <Button variant="secondary" busy={acting.busy} onClick={() => act(() => link.archive([folderId]))}>
          {folderId === SHARED_ROOT ? "Download all as ZIP" : "Download this folder as ZIP"}
        </Button>
      </div>
      {acting.result?.kind === "error" && <Notice kind="error">{acting.result.text}</Notice>}
      {error && <Notice kind="error">{error}</Notice>}
      {!current && !error && (
        <div className="flex justify-center py-8">
          <Spinner label="Loading the folder" />
        </div>
      )}
      {current && current.items.length === 0 && (
        <p className="text-sm text-slate-600 dark:text-slate-400">This folder is empty.</p>
      )}
      {current && current.items.length > 0 && (
        <ul className="divide-y divide-slate-200 rounded-lg border border-slate-200 bg-white dark:divide-slate-700 dark:border-slate-700 dark:bg-slate-900">
          {current.items.map((entry) => (
            <SharedRow
              key={entry.id}
              entry={entry}
              onOpen={() => open(entry.id)}
              onPreview={() => setPreviewed(entry)}
              onDownload={() => act(() => link.downloadFile(entry.id))}
            />
          ))}
        </ul>
      )}
      {current?.nextCursor && (
        <Button variant="secondary" busy={more} onClick={() => void loadMore()}>
          Show more
        </Button>
      )}
      {previewed && (
        <Modal title={previewed.name} wide onClose={() => setPreviewed(null)}>
          <div className="mt-4">
            <SharedPreview file={previewed} fileId={previewed.id} link={link} onFailure={onFailure} />
          </div>
          <div className="mt-6 flex justify-end gap-2">
            <Button busy={acting.busy} onClick={() => act(() => link.downloadFile(previewed.id))}>
              Download
            </Button>
            <Button variant="secondary" onClick={() => setPreviewed(null)}>
              Close
            </Button>
          </div>
        </Modal>
      )}
    </section>
  );
}

function SharedRow({
  entry,
  onOpen,
  onPreview,
  onDownload,
}: {
  entry: SharedEntry;
  onOpen(): void;
  onPreview(): void;
  onDownload(): void;
}) {
  const type = fileTypeOf(entry);
  const folder = entry.kind === "folder";
  return (
    <li className="flex items-center gap-3 px-4 py-3 text-sm">
      <ItemIcon family={type.family} />
      <span className="min-w-0 flex-1">
        {folder ? (
          <button
            type="button"
            onClick={onOpen}
            className="text-left font-medium [overflow-wrap:anywhere] hover:underline"
          >
            {entry.name}
          </button>
        ) : (
          <span className="font-medium [overflow-wrap:anywhere]">{entry.name}</span>
        )}
        <span className="block text-xs text-slate-600 dark:text-slate-400">
          {folder ? formatDate(entry.modifiedAt) : `${type.label} · ${formatBytes(entry.size ?? 0)}`}
        </span>
      </span>
      {entry.preview && (
        <button
          type="button"
          onClick={onPreview}
          aria-label={`Preview ${entry.name}`}
          className="rounded-md px-2 py-1 font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-slate-800"
        >
          Preview
        </button>
      )}
      {!folder && (
        <button
          type="button"
          onClick={onDownload}
          aria-label={`Download ${entry.name}`}
          className="rounded-md px-2 py-1 font-medium text-indigo-700 hover:bg-indigo-50 dark:text-indigo-300 dark:hover:bg-slate-800"
        >
          Download
        </button>
      )}
    </li>
  );
}

/** The folders from the link's folder down to the one shown: nothing above the link's folder exists here. */
function SharedCrumbs({ folder, onOpen }: { folder: SharedEntry | null; onOpen(id: string): void }) {
  const inside = folder !== null && folder.id !== SHARED_ROOT;
  const ancestors = inside ? [{ id: SHARED_ROOT, name: "Shared folder" }, ...folder.path] : [];
  return (
    <nav aria-label="Breadcrumb">
      <ol className="flex flex-wrap items-center gap-1 text-sm">
        {ancestors.map((crumb) => (
          <li key={crumb.id} className="flex items-center gap-1">
            <button
              type="button"
              onClick={() => onOpen(crumb.id)}
              className="rounded px-1 text-indigo-700 hover:underline dark:text-indigo-300"
            >
              {crumb.name}
            </button>
            <span aria-hidden="true" className="text-slate-400">
              /
            </span>
          </li>
        ))}
        <li>
          <span aria-current="page" className="px-1 font-semibold">
            {inside ? folder.name : "Shared folder"}
          </span>
        </li>
      </ol>
    </nav>
  );
}
