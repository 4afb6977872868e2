import { act, render, screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import type { UploadItem } from "../lib/uploadQueue";
import { UploadQueue } from "../lib/uploadQueue";
import { UploadPanel, UploadProvider } from "./UploadPanel";
import { renderWithProviders } from "../test/harness";

function item(id: number, name: string, status: UploadItem["status"], loaded = 0, size = 100): UploadItem {
  return {
    id,
    name,
    size,
    loaded,
    status,
    parentId: null,
    message: status === "failed" ? `${name}: Boom.` : undefined,
  };
}

/** A queue that records what the panel asks of it. */
class RecordingQueue extends UploadQueue {
  calls: string[] = [];
  constructor() {
    super(() => {});
  }
  override retry(id: number) {
    this.calls.push(`retry ${id}`);
  }
  override cancel(id: number) {
    this.calls.push(`cancel ${id}`);
  }
  override clearFinished() {
    this.calls.push("clear");
  }
}

describe("UploadPanel", () => {
  it("shows one overall progress for many uploads, and each file's state", () => {
    const queue = new RecordingQueue();
    render(
      <UploadPanel
        queue={queue}
        items={[item(1, "a.txt", "done", 100), item(2, "b.txt", "uploading", 50), item(3, "c.txt", "waiting")]}
      />,
    );
    const panel = screen.getByRole("region", { name: "Uploads" });
    expect(within(panel).getByRole("heading")).toHaveTextContent("Uploading 2 files");
    expect(within(panel).getByRole("progressbar", { name: "All uploads" })).toHaveAttribute("value", "50");
    expect(within(panel).getByRole("progressbar", { name: "Uploading b.txt" })).toHaveAttribute("value", "50");
    expect(within(panel).getAllByTestId("upload-card")).toHaveLength(3);
  });

  it("retries a failed upload from its card and clears the finished ones", async () => {
    const queue = new RecordingQueue();
    render(<UploadPanel queue={queue} items={[item(1, "a.txt", "done", 100), item(2, "b.txt", "failed")]} />);
    expect(screen.getByRole("heading")).toHaveTextContent("1 upload failed");
    expect(screen.getByRole("alert")).toHaveTextContent("b.txt: Boom.");
    await userEvent.click(screen.getByRole("button", { name: "Retry upload of b.txt" }));
    await userEvent.click(screen.getByRole("button", { name: "Clear finished" }));
    expect(queue.calls).toEqual(["retry 2", "clear"]);
  });

  it("folds to its summary by itself once everything is sent, and opens when new files start", () => {
    const queue = new RecordingQueue();
    const { rerender } = render(<UploadPanel queue={queue} items={[item(1, "a.txt", "uploading", 10)]} />);
    expect(screen.getByRole("button", { name: "Hide" })).toHaveAttribute("aria-expanded", "true");
    rerender(<UploadPanel queue={queue} items={[item(1, "a.txt", "done", 100)]} />);
    expect(screen.getByRole("heading")).toHaveTextContent("Uploads finished");
    expect(screen.getByRole("button", { name: "Show" })).toHaveAttribute("aria-expanded", "false");
    expect(screen.queryByText("a.txt")).not.toBeVisible();
    rerender(<UploadPanel queue={queue} items={[item(1, "a.txt", "done", 100), item(2, "b.txt", "uploading")]} />);
    expect(screen.getByRole("button", { name: "Hide" })).toBeInTheDocument();
  });

  it("stays open when an upload failed", () => {
    const queue = new RecordingQueue();
    const { rerender } = render(<UploadPanel queue={queue} items={[item(1, "a.txt", "uploading", 10)]} />);
    rerender(<UploadPanel queue={queue} items={[item(1, "a.txt", "failed")]} />);
    expect(screen.getByRole("button", { name: "Hide" })).toBeInTheDocument();
  });

  it("shows each file's speed and time left, and the whole queue's", () => {
    const MiB = 1024 * 1024;
    const sending = { ...item(1, "a.bin", "uploading", 2 * MiB, 12 * MiB), speed: MiB, resumable: true };
    const other = { ...item(2, "b.bin", "uploading", 0, 5 * MiB), speed: MiB };
    render(<UploadPanel queue={new RecordingQueue()} items={[sending, other]} />);
    expect(screen.getByTestId("upload-pace")).toHaveTextContent("2 MB/s · 8 s left");
    expect(screen.getByText("1 MB/s · 10 s left")).toBeInTheDocument();
    expect(screen.getByRole("button", { name: "Pause upload of a.bin" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Pause upload of b.bin" })).not.toBeInTheDocument();
  });

  it("warns before leaving the page while files are still being sent", () => {
    const queue = new UploadQueue(
      () => {},
      () => ({ promise: new Promise(() => {}), cancel() {} }),
    );
    renderWithProviders(
      <UploadProvider queue={queue}>
        <p>page</p>
      </UploadProvider>,
    );
    const before = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(before);
    expect(before.defaultPrevented).toBe(false);
    act(() => queue.add([{ file: new File(["x"], "x.txt"), parentId: null }]));
    const during = new Event("beforeunload", { cancelable: true });
    window.dispatchEvent(during);
    expect(during.defaultPrevented).toBe(true);
  });
});
