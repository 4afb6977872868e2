import { describe, expect, it } from "vitest";
import { secondsLeft, TransferRate } from "./transferRate";

describe("TransferRate", () => {
  it("smooths the speed between progress events and knows no time left without one", () => {
    let now = 0;
    const rate = new TransferRate(() => now, 1000);
    expect(rate.sample(0)).toBe(0);
    now = 1000;
    expect(rate.sample(1000)).toBe(1000);
    now = 2000;
    expect(rate.sample(4000)).toBe(2000);
    expect(secondsLeft(10_000, 2000)).toBe(5);
    expect(secondsLeft(10_000, 0)).toBeNull();
  });
});
