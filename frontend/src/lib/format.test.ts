import { describe, expect, it } from "vitest";
import { formatBytes, formatWait } from "./format";

describe("formatBytes", () => {
  it.each([
    [0, "0 B"],
    [1023, "1023 B"],
    [1024, "1 KB"],
    [1536, "1.5 KB"],
    [10 * 1024 * 1024, "10 MB"],
    [104857600, "100 MB"],
    [5.5 * 1024 ** 3, "5.5 GB"],
  ])("%d bytes reads as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });

  it("shows a dash for nonsense", () => {
    expect(formatBytes(-1)).toBe("–");
    expect(formatBytes(Number.NaN)).toBe("–");
  });
});

describe("formatWait", () => {
  it.each([
    [0, "1 second"],
    [1, "1 second"],
    [45, "45 seconds"],
    [60, "1 minute"],
    [61, "2 minutes"],
    [900, "15 minutes"],
    [7200, "2 hours"],
  ])("%s seconds reads as %s", (seconds, text) => {
    expect(formatWait(seconds)).toBe(text);
  });
});
