import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { CopyJob } from "../api/drive";
import { fakeApi, json } from "../test/harness";
import {
  COPY_JOB_MAX_FAILED_READS,
  COPY_JOB_MAX_IDLE_READS,
  COPY_JOB_POLL_MS,
  CopyJobLost,
  followCopyJob,
} from "./copyJob";

describe("followCopyJob", () => {
  const running: CopyJob = {
    id: "J1",
    state: "running",
    filesTotal: 10,
    filesCopied: 0,
    bytesTotal: 100,
    bytesCopied: 0,
    items: [],
    failed: [],
    cancelRequested: false,
    createdAt: "2026-01-01T00:00:00Z",
  };

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("reads the job once per interval until it ends, reporting each reading", async () => {
    let reads = 0;
    fakeApi(() => {
      reads += 1;
      return json(200, reads < 3 ? { ...running, filesCopied: reads } : { ...running, state: "done", filesCopied: 10 });
    });
    const readings: number[] = [];
    const following = followCopyJob(running, (job) => readings.push(job.filesCopied));
    await vi.advanceTimersByTimeAsync(COPY_JOB_POLL_MS - 1);
    expect(reads).toBe(0);
    await vi.advanceTimersByTimeAsync(3 * COPY_JOB_POLL_MS);
    expect((await following).state).toBe("done");
    expect(readings).toEqual([1, 2, 10]);
  });

  it("gives up on a job that stops moving, and on a server it cannot reach, instead of reading forever", async () => {
    const api = fakeApi(() => json(200, running));
    const stuck = followCopyJob(running, () => {}).catch((reason) => reason);
    await vi.advanceTimersByTimeAsync((COPY_JOB_MAX_IDLE_READS + 1) * COPY_JOB_POLL_MS);
    expect(await stuck).toBeInstanceOf(CopyJobLost);
    expect(api.requests).toHaveLength(COPY_JOB_MAX_IDLE_READS);

    const down = fakeApi(() => json(500, { error: { code: "internal", message: "Down." } }));
    const unreachable = followCopyJob(running, () => {}).catch((reason) => reason);
    await vi.advanceTimersByTimeAsync((COPY_JOB_MAX_FAILED_READS + 1) * COPY_JOB_POLL_MS);
    expect(await unreachable).toMatchObject({ status: 500 });
    expect(down.requests).toHaveLength(COPY_JOB_MAX_FAILED_READS);
  });

  it("stops at once when aborted, answering the last reading", async () => {
    const api = fakeApi(() => json(200, running));
    const abort = new AbortController();
    const following = followCopyJob(running, () => {}, abort.signal);
    abort.abort();
    expect(await following).toBe(running);
    await vi.advanceTimersByTimeAsync(5 * COPY_JOB_POLL_MS);
    expect(api.requests).toEqual([]);
  });
});
