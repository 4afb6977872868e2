import { act, renderHook } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { ApiError } from "../api/errors";
import { useSubmit } from "./useSubmit";

describe("useSubmit", () => {
  it("is busy while the action runs, then shows its success text", async () => {
    const { result } = renderHook(() => useSubmit());
    let finish!: () => void;
    let outcome!: Promise<boolean>;
    act(() => {
      outcome = result.current.run(() => new Promise<string>((resolve) => (finish = () => resolve("Saved"))));
    });
    expect(result.current.busy).toBe(true);
    await act(async () => finish());
    expect(await outcome).toBe(true);
    expect(result.current.busy).toBe(false);
    expect(result.current.result).toEqual({ kind: "success", text: "Saved" });
  });

  it("shows a failure's readable message and clears it on the next run", async () => {
    const { result } = renderHook(() => useSubmit());
    await act(async () => {
      await result.current.run(async () => {
        throw new ApiError(409, "name_taken", "That name is taken.");
      });
    });
    expect(result.current.error).toBe("That name is taken.");
    expect(result.current.busy).toBe(false);
    await act(async () => {
      await result.current.run(async () => {});
    });
    expect(result.current.result).toBeNull();
  });
});
