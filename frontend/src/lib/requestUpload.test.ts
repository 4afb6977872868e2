import { describe, expect, it, vi } from "vitest";
import type { RequestVisitor } from "../api/fileRequest";
import { sha256Of } from "../test/directUploadServer";
import { sendThroughRequest } from "./requestUpload";

const MIB = 1024 * 1024;

function fakeVisitorApi() {
  return {
    open: vi.fn(),
    create: vi.fn(async () => ({
      id: "U1",
      name: "scan.pdf",
      size: 12 * MIB,
      partSize: 5 * MIB,
      partCount: 3,
      expiresAt: "2999-01-01T00:00:00Z",
      maxPartsPerRequest: 2,
      parts: [],
    })),
    signParts: vi.fn(async (_id: string, parts: { number: number; size: number; sha256: string }[]) => ({
      parts: parts.map((part) => ({
        number: part.number,
        url: `https://storage.example/part${part.number}`,
        headers: { "x-amz-checksum-sha256": "x" },
        expiresAt: "2999-01-01T00:00:00Z",
      })),
    })),
    complete: vi.fn(async () => ({ name: "scan (1).pdf", size: 12 * MIB })),
    abort: vi.fn(async () => undefined),
  };
}

const asVisitor = (api: ReturnType<typeof fakeVisitorApi>) => api as unknown as RequestVisitor;

describe("sending a file through a request", () => {
  it("signs every part with its checksum, reports progress and completes with the note", async () => {
    const bytes = new Uint8Array(12 * MIB).map((_, index) => index % 251);
    const file = new File([bytes], "scan.pdf", { type: "application/pdf" });
    const api = fakeVisitorApi();
    const progress: number[] = [];
    const put = vi.fn(
      async (url: string, _headers: Record<string, string>, body: Blob, onProgress: (n: number) => void) => {
        onProgress(body.size / 2);
        return `"etag-${url.slice(-1)}"`;
      },
    );

    const received = await sendThroughRequest(asVisitor(api), file, "For you", (sent) => progress.push(sent), put);

    expect(received.name).toBe("scan (1).pdf");
    expect(api.signParts).toHaveBeenCalledTimes(2);
    const signed = api.signParts.mock.calls.flatMap(([, parts]) => parts);
    expect(signed.map((part) => [part.number, part.size])).toEqual([
      [1, 5 * MIB],
      [2, 5 * MIB],
      [3, 2 * MIB],
    ]);
    expect(signed[2].sha256).toBe(sha256Of(bytes.slice(10 * MIB)));
    expect(api.complete).toHaveBeenCalledWith(
      "U1",
      [1, 2, 3].map((number) => ({ number, etag: `"etag-${number}"`, sha256: signed[number - 1].sha256 })),
      "For you",
    );
    expect(progress.at(-1)).toBe(12 * MIB);
    expect(api.abort).not.toHaveBeenCalled();
  });

  it("aborts the upload when a part fails", async () => {
    const api = fakeVisitorApi();
    const put = vi.fn(async () => {
      throw new Error("The network failed while sending the file.");
    });
    await expect(
      sendThroughRequest(asVisitor(api), new File([new Uint8Array(10)], "a.txt"), null, () => {}, put),
    ).rejects.toThrow(/network/);
    expect(api.abort).toHaveBeenCalledWith("U1");
    expect(api.complete).not.toHaveBeenCalled();
  });
});
