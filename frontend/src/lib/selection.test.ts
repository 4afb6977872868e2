import { describe, expect, it } from "vitest";
import { EMPTY_SELECTION, retain, toggle, toggleAll } from "./selection";

const order = ["a", "b", "c", "d", "e"];
const ids = (selection: { ids: ReadonlySet<string> }) => [...selection.ids].sort();

describe("selection", () => {
  it("checks one row at a time without shift", () => {
    const one = toggle(EMPTY_SELECTION, order, "b", false);
    const two = toggle(one, order, "d", false);
    expect(ids(two)).toEqual(["b", "d"]);
    expect(ids(toggle(two, order, "b", false))).toEqual(["d"]);
  });

  it("checks the range from the last clicked row with shift, in either direction", () => {
    const anchored = toggle(EMPTY_SELECTION, order, "b", false);
    expect(ids(toggle(anchored, order, "d", true))).toEqual(["b", "c", "d"]);
    const upwards = toggle(toggle(EMPTY_SELECTION, order, "e", false), order, "c", true);
    expect(ids(upwards)).toEqual(["c", "d", "e"]);
  });

  it("unchecks a range when the shift-clicked row was checked, keeping the anchor", () => {
    const all = toggleAll(EMPTY_SELECTION, order);
    const anchored = toggle(toggle(all, order, "a", false), order, "a", false);
    const cleared = toggle(anchored, order, "c", true);
    expect(ids(cleared)).toEqual(["d", "e"]);
    expect(cleared.anchor).toBe("a");
  });

  it("treats shift without an anchor as a plain click", () => {
    expect(ids(toggle(EMPTY_SELECTION, order, "c", true))).toEqual(["c"]);
  });

  it("selects all, then clears all", () => {
    const all = toggleAll(toggle(EMPTY_SELECTION, order, "a", false), order);
    expect(ids(all)).toEqual(order);
    expect(ids(toggleAll(all, order))).toEqual([]);
  });

  it("forgets rows that are no longer listed", () => {
    const selection = toggle(toggle(EMPTY_SELECTION, order, "a", false), order, "b", false);
    const kept = retain(selection, ["b", "c"]);
    expect(ids(kept)).toEqual(["b"]);
    expect(kept.anchor).toBe("b");
    expect(retain(kept, ["b", "c"])).toBe(kept);
  });
});
