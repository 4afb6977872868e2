import { useId, useState, type FormEvent } from "react";
import { ApiError, messageOf } from "../api/errors";
import { fileRequests, requestUrl, type FileRequestCreated } from "../api/fileRequest";
import { useSubmit } from "../lib/useSubmit";
import { CopyableLink } from "./CopyableLink";
import { Button, TextField } from "./Field";
import { Modal } from "./Modal";
import { Notice } from "./Notice";
import { expiryFrom } from "./ShareDialog";

const MIB = 1024 * 1024;
const DEFAULT_OPEN_DAYS = 7;

const dayInput = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, "0")}-${String(date.getDate()).padStart(2, "0")}`;

/** A refusal said for people: the expiry or a limit past what the service allows. */
function describeRequestError(reason: unknown): string {
  if (reason instanceof ApiError && reason.code === "invalid_expiry") {
    const maxDays = (reason.details as { maxDays?: number } | undefined)?.maxDays;
    return maxDays ? `Choose a day within the next ${maxDays} days.` : reason.message;
  }
  if (reason instanceof ApiError && reason.code === "email_not_verified")
    return "Only accounts with a confirmed email address can ask for files. Open the link in the email we sent you.";
  return messageOf(reason);
}

interface FileRequestDialogProps {
  folder: { id: string; name: string };
  onClose(): void;
  fallbackFocus?: () => HTMLElement | null;
}

/** Makes a file request into a folder (an upload-only link) and copies its address. */
export function FileRequestDialog({ folder, onClose, fallbackFocus }: FileRequestDialogProps) {
  const [created, setCreated] = useState<FileRequestCreated | null>(null);
  return (
    <Modal title={`Request files into ${folder.name}`} onClose={onClose} fallbackFocus={fallbackFocus}>
      {created ? (
        <CreatedRequest request={created} />
      ) : (
        <RequestSettingsForm
          submitLabel="Create request"
          onSubmit={async (settings) => setCreated(await fileRequests.create({ folderId: folder.id, ...settings }))}
        />
      )}
      <div className="mt-6 flex justify-end">
        <Button variant="secondary" type="button" onClick={onClose}>
          Close
        </Button>
      </div>
    </Modal>
  );
}

/** What the owner sets on a request, for making one and for changing it later. */
export interface RequestSettings {
  expiresAt: string;
  maxFileBytes: number | null;
  maxTotalBytes: number | null;
  showOwnerName: boolean;
}

interface RequestSettingsFormProps {
  initial?: { expiresAt: string; maxFileBytes: number | null; maxTotalBytes: number | null; showOwnerName: boolean };
  submitLabel: string;
  onSubmit(settings: RequestSettings): Promise<void>;
}

const megabytes = (bytes: number | null | undefined) => (bytes ? String(Math.round((bytes / MIB) * 100) / 100) : "");

/** The request's closing day, limits and whether visitors see the owner's display name. */
export function RequestSettingsForm({ initial, submitLabel, onSubmit }: RequestSettingsFormProps) {
  const [day, setDay] = useState(() =>
    dayInput(initial ? new Date(initial.expiresAt) : new Date(Date.now() + DEFAULT_OPEN_DAYS * 86_400_000)),
  );
  const [perFile, setPerFile] = useState(() => megabytes(initial?.maxFileBytes));
  const [total, setTotal] = useState(() => megabytes(initial?.maxTotalBytes));
  const [showName, setShowName] = useState(initial?.showOwnerName ?? true);
  const nameId = useId();
  const { busy, result, run } = useSubmit();

  async function submit(event: FormEvent) {
    event.preventDefault();
    await run(
      () =>
        onSubmit({
          expiresAt: expiryFrom(day),
          maxFileBytes: perFile ? Math.round(Number(perFile) * MIB) : null,
          maxTotalBytes: total ? Math.round(Number(total) * MIB) : null,
          showOwnerName: showName,
        }),
      describeRequestError,
    );
  }

  return (
    <form onSubmit={submit} className="mt-4 space-y-3">
      <p className="text-sm text-slate-600 dark:text-slate-400">
        Anyone with the link can send files into this folder. They cannot see or download anything in it.
      </p>
      <TextField
        label="Open until"
        type="date"
        required
        min={dayInput(new Date())}
        value={day}
        onChange={(event) => setDay(event.target.value)}
      />
      <TextField
        label="Largest file, in MB (optional)"
        type="number"
        min={1}
        inputMode="numeric"
        value={perFile}
        onChange={(event) => setPerFile(event.target.value)}
      />
      <TextField
        label="All files together, in MB (optional)"
        type="number"
        min={1}
        inputMode="numeric"
        value={total}
        onChange={(event) => setTotal(event.target.value)}
      />
      <div className="flex items-center gap-2">
        <input
          id={nameId}
          type="checkbox"
          checked={showName}
          onChange={(event) => setShowName(event.target.checked)}
          className="h-4 w-4 accent-indigo-600"
        />
        <label htmlFor={nameId} className="text-sm">
          Show my display name to visitors
        </label>
      </div>
      {result?.kind === "error" && <Notice kind="error">{result.text}</Notice>}
      <Button type="submit" busy={busy}>
        {submitLabel}
      </Button>
    </form>
  );
}

function CreatedRequest({ request }: { request: FileRequestCreated }) {
  return (
    <div className="mt-4 space-y-3">
      <Notice kind="success">Request created. Copy its link now: it is shown only this once.</Notice>
      <CopyableLink label="Request link" url={requestUrl(request.requestId)} />
    </div>
  );
}
