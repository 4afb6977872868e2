import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { afterEach, vi } from "vitest";
import { sessionStore } from "./api/session";
import { giveBlobsArrayBuffer } from "./test/blobBytes";

giveBlobsArrayBuffer();

// The tests wait on conditions (findBy, waitFor), never on time. On a busy shared machine a render
// can take seconds (a page of 1,200 rows took over 10 s beside other suites and stress-ng), so a
// condition gets 30 s before it counts as never met.
configure({ asyncUtilTimeout: 30_000 });

afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
  sessionStore.set(null);
});
