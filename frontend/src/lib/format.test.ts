import { describe, expect, it } from "vitest";
import { formatBytes, formatSpeed, formatTimeLeft, formatWait } from "./format";

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

describe("transfer pace", () => {
  it("says a speed and the time left briefly", () => {
    expect(formatSpeed(1.5 * 1024 * 1024)).toBe("1.5 MB/s");
    expect(formatTimeLeft(8.2)).toBe("8 s left");
    expect(formatTimeLeft(0.2)).toBe("1 s left");
    expect(formatTimeLeft(170)).toBe("3 min left");
    expect(formatTimeLeft(2 * 3600 + 5 * 60)).toBe("2 h 5 min left");
  });
});
