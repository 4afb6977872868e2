import { describe, expect, it, vi } from "vitest";
import { BULK_MAX_IDS, runBulk, sameFolder, type BulkResult, type Item } from "./drive";

const ids = (count: number) => Array.from({ length: count }, (_, index) => `I${index}`);
const done = (chunk: string[]) => chunk.map((id) => ({ id }) as Item);

describe("runBulk", () => {
  it("sends at most 500 ids per request and sends what the server left back again, reporting progress", async () => {
    const sent: string[][] = [];
    const call = vi.fn(async (chunk: string[]): Promise<BulkResult> => {
      sent.push(chunk);
      return { items: done(chunk.slice(0, 200)), failed: [], remaining: chunk.slice(200) };
    });
    const progress: number[] = [];
    const result = await runBulk(ids(1200), call, (count) => progress.push(count));
    expect(Math.max(...sent.map((chunk) => chunk.length))).toBe(BULK_MAX_IDS);
    expect(result.items.map((item) => item.id)).toEqual(ids(1200));
    expect(progress.at(-1)).toBe(1200);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it("reports ids the server never reaches as not done, instead of asking forever", async () => {
    const call = vi.fn(async (chunk: string[]): Promise<BulkResult> => ({ items: [], failed: [], remaining: chunk }));
    const result = await runBulk(ids(3), call);
    expect(call).toHaveBeenCalledTimes(3);
    expect(result.failed.map((entry) => [entry.id, entry.code])).toEqual([
      ["I0", "not_done"],
      ["I1", "not_done"],
      ["I2", "not_done"],
    ]);
  });
});

describe("sameFolder", () => {
  it("takes null and 'root' both as the root", () => {
    expect(sameFolder(null, "root")).toBe(true);
    expect(sameFolder("root", undefined)).toBe(true);
    expect(sameFolder("F1", "root")).toBe(false);
  });
});
