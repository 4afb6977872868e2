import type { CopyJob } from "../api/drive";
import { Button } from "./Field";

/** "Copying… 120 of 800 files" while a copy job runs, with its Cancel. */
export function CopyProgress({ job, onCancel }: { job: CopyJob; onCancel(): void }) {
  const counts = `${job.filesCopied.toLocaleString()} of ${job.filesTotal.toLocaleString()} files`;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      <p role="status">{job.cancelRequested ? `Cancelling… ${counts} copied` : `Copying… ${counts}`}</p>
      <Button variant="secondary" disabled={job.cancelRequested} onClick={onCancel}>
        Cancel copy
      </Button>
    </div>
  );
}
