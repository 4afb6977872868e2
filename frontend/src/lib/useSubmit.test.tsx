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

  it("lets the latest run win: an earlier one is aborted and its late failure is not shown", async () => {
    const { result } = renderHook(() => useSubmit());
    let failFirst!: () => void;
    let firstSignal!: AbortSignal;
    let first!: Promise<boolean>;
    act(() => {
      first = result.current.run(
        (signal) =>
          new Promise<void>((_, reject) => {
            firstSignal = signal;
            failFirst = () => reject(new ApiError(404, "not_found", "Gone."));
          }),
      );
    });
    let finishSecond!: () => void;
    let second!: Promise<boolean>;
    act(() => {
      second = result.current.run(() => new Promise<string>((resolve) => (finishSecond = () => resolve("Shown"))));
    });
    expect(firstSignal.aborted).toBe(true);
    await act(async () => failFirst());
    expect(await first).toBe(false);
    expect(result.current.busy).toBe(true);
    expect(result.current.error).toBeNull();
    await act(async () => finishSecond());
    expect(await second).toBe(true);
    expect(result.current.busy).toBe(false);
    expect(result.current.result).toEqual({ kind: "success", text: "Shown" });
  });

  it("hands failures to onError, described, instead of keeping them as the result", async () => {
    const reported: string[] = [];
    const { result } = renderHook(() => useSubmit({ onError: (text) => reported.push(text) }));
    await act(async () => {
      await result.current.run(
        async () => {
          throw new ApiError(503, "service_unavailable", "Try again later.");
        },
        (reason) => `Could not delete: ${(reason as ApiError).message}`,
      );
    });
    expect(reported).toEqual(["Could not delete: Try again later."]);
    expect(result.current.result).toBeNull();
  });
});
