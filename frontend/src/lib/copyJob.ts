import { drive, type CopyJob } from "../api/drive";

/** How often a running copy job is read. */
export const COPY_JOB_POLL_MS = 1000;
/**
 * Readings in a row that show no progress before the job counts as lost. The server ends a job
 * whose worker stopped (a stale heartbeat reads as failed) well before this; the bound is for a
 * server that answers but no longer moves.
 */
export const COPY_JOB_MAX_IDLE_READS = 300;
/** Failed readings in a row (the network gone) before following stops. */
export const COPY_JOB_MAX_FAILED_READS = 5;

export class CopyJobLost extends Error {
  constructor(readonly job: CopyJob) {
    super("The copy stopped reporting progress. Reload the folder to see what was copied.");
    this.name = "CopyJobLost";
  }
}

function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener("abort", () => (clearTimeout(timer), resolve()), { once: true });
  });
}

/**
 * Reads the copy job every COPY_JOB_POLL_MS until it ends (done, failed or cancelled) and answers
 * its last reading; each reading goes to `onReading`. Gives up (CopyJobLost) when the job shows
 * no progress for COPY_JOB_MAX_IDLE_READS readings, and rethrows after COPY_JOB_MAX_FAILED_READS
 * failed readings in a row. An abort stops following and answers the last reading.
 */
export async function followCopyJob(
  job: CopyJob,
  onReading: (job: CopyJob) => void,
  signal?: AbortSignal,
): Promise<CopyJob> {
  let last = job;
  let idle = 0;
  let failures = 0;
  while (last.state === "running" && !signal?.aborted) {
    await pause(COPY_JOB_POLL_MS, signal);
    if (signal?.aborted) break;
    let reading: CopyJob;
    try {
      reading = await drive.copyJob(job.id, signal);
      failures = 0;
    } catch (reason) {
      if (signal?.aborted) break;
      if (++failures >= COPY_JOB_MAX_FAILED_READS) throw reason;
      continue;
    }
    const moved = reading.filesCopied !== last.filesCopied || reading.bytesCopied !== last.bytesCopied;
    idle = moved || reading.state !== "running" ? 0 : idle + 1;
    last = reading;
    onReading(reading);
    if (idle >= COPY_JOB_MAX_IDLE_READS) throw new CopyJobLost(reading);
  }
  return last;
}
