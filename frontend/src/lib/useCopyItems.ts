import { useEffect, useRef, useState } from "react";
import { drive, runBulk, type BulkResult, type CopyAnswer, type CopyJob } from "../api/drive";
import { ApiError, messageOf } from "../api/errors";
import { followCopyJob } from "./copyJob";
import { formatBytes } from "./format";
import type { ToastOptions } from "../components/Toast";

/** Selected items whose names the destination holds: the person chooses to keep both or skip. */
export interface CopyConflict {
  ids: string[];
  names: string[];
  parentId: string | null;
}

interface CopyItemsOptions {
  /** An item's name for messages, by id. */
  nameOf(id: string): string;
  /** The copy is over (done, failed or cancelled): the listing may hold new items. */
  onSettled(): void;
  toast(options: ToastOptions): void;
}

/** The quota's refusal said of a copy (the shared message speaks of an uploaded file). */
function copyRefusal(reason: unknown): unknown {
  if (!(reason instanceof ApiError) || reason.code !== "quota_exceeded") return reason;
  const details = (reason.details ?? {}) as Record<string, unknown>;
  const [used, quota, size] = [details.used, details.quota, details.size];
  if (typeof used !== "number" || typeof quota !== "number" || typeof size !== "number") return reason;
  const message = `Not enough storage: the copy needs ${formatBytes(size)}, and ${formatBytes(used)} of your ${formatBytes(quota)} are used (${formatBytes(Math.max(0, quota - used))} free). Nothing was copied.`;
  return new ApiError(reason.status, reason.code, message, null, reason.details);
}

const files = (count: number) => `${count.toLocaleString()} ${count === 1 ? "file" : "files"}`;

/**
 * "Copy to…": `copy` sends the copy and resolves once it is made or its job has started (a
 * refusal up front, such as the quota, rejects for the dialog to show). A job is followed in the
 * background (`job`, for a progress line, and `cancel`); names the destination holds come back
 * as a `conflict` to resolve, as moves and uploads ask.
 */
export function useCopyItems({ nameOf, onSettled, toast }: CopyItemsOptions) {
  const [job, setJob] = useState<CopyJob | null>(null);
  const [conflict, setConflict] = useState<CopyConflict | null>(null);
  const following = useRef<AbortController | null>(null);
  const options = useRef({ nameOf, onSettled, toast });
  useEffect(() => {
    options.current = { nameOf, onSettled, toast };
  });
  useEffect(() => () => following.current?.abort(), []);

  async function copy(ids: string[], parentId: string | null, onConflict: "fail" | "rename" = "fail") {
    // One copy followed at a time: a second would share the progress line and its Cancel.
    if (following.current)
      throw new ApiError(409, "copy_running", "A copy is running: wait for it or cancel it first.");
    const answer = await drive.copy(ids, parentId, onConflict).catch((reason) => Promise.reject(copyRefusal(reason)));
    void settle(answer, parentId, onConflict);
  }

  async function settle(first: CopyAnswer, parentId: string | null, onConflict: "fail" | "rename") {
    const abort = new AbortController();
    following.current = abort;
    let ended: CopyJob | null = null;
    const follow = async (started: CopyJob): Promise<BulkResult> => {
      setJob(started);
      ended = await followCopyJob(started, setJob, abort.signal);
      return { items: ended.items, failed: ended.failed, remaining: [] };
    };
    try {
      const head = first.job ? await follow(first.job) : first.result;
      // What the server had no time for is sent again, as every bulk action does.
      const rest = await runBulk(head.remaining, async (chunk) => {
        const answer = await drive.copy(chunk, parentId, onConflict);
        return answer.job ? follow(answer.job) : answer.result;
      });
      if (abort.signal.aborted) return;
      report({ items: [...head.items, ...rest.items], failed: [...head.failed, ...rest.failed] }, ended, parentId);
    } catch (reason) {
      options.current.toast({ kind: "error", message: `Could not copy: ${messageOf(reason)}` });
    } finally {
      if (following.current === abort) following.current = null;
      if (!abort.signal.aborted) {
        setJob(null);
        options.current.onSettled();
      }
    }
  }

  function report(
    { items, failed }: Pick<BulkResult, "items" | "failed">,
    ended: CopyJob | null,
    parentId: string | null,
  ) {
    const { nameOf, toast } = options.current;
    if (ended?.state === "cancelled") {
      toast({ message: `Copy cancelled: ${ended.filesCopied} of ${files(ended.filesTotal)} copied, which stay.` });
    } else if (ended?.state === "failed") {
      toast({
        kind: "error",
        message: `The copy stopped: ${ended.filesCopied} of ${files(ended.filesTotal)} copied, which stay.`,
      });
    } else if (items.length) {
      toast({ message: `Copied ${items.length === 1 ? items[0].name : `${items.length} items`}` });
    }
    const taken = failed.filter((failure) => failure.code === "name_taken");
    const other = failed.filter((failure) => failure.code !== "name_taken");
    if (other.length) {
      toast({
        kind: "error",
        message: `Not copied: ${other.map((failure) => `${nameOf(failure.id)}: ${failure.message}`).join("; ")}`,
      });
    }
    if (taken.length) {
      setConflict({
        ids: taken.map((failure) => failure.id),
        names: taken.map((failure) => nameOf(failure.id)),
        parentId,
      });
    }
  }

  /** "Keep both" copies the items again under numbered names; "Skip" leaves them. */
  function resolve(choice: "rename" | "replace" | "cancel") {
    const pending = conflict;
    setConflict(null);
    if (!pending || choice === "cancel") return;
    copy(pending.ids, pending.parentId, "rename").catch((reason) =>
      options.current.toast({ kind: "error", message: `Could not copy: ${messageOf(reason)}` }),
    );
  }

  async function cancel() {
    if (!job) return;
    try {
      const answer = await drive.cancelCopyJob(job.id);
      // The next reading may already have ended the job: only a running job takes the answer.
      setJob((current) => (current?.id === answer.id ? answer : current));
    } catch (reason) {
      options.current.toast({ kind: "error", message: `Could not cancel the copy: ${messageOf(reason)}` });
    }
  }

  return { copy, job, cancel, conflict, resolve };
}
