import { describe, expect, it } from "vitest";
import { parseRetryAfter, toApiError } from "./errors";

const tooMany = { error: { code: "too_many_attempts", message: "Too many attempts." } };

describe("toApiError", () => {
  it("says how long to wait after too many attempts, from Retry-After", () => {
    const error = toApiError(429, tooMany, "900");
    expect(error.code).toBe("too_many_attempts");
    expect(error.retryAfterSeconds).toBe(900);
    expect(error.message).toBe("Too many attempts. Try again in 15 minutes.");
  });

  it("still reads well without Retry-After", () => {
    expect(toApiError(429, null).message).toBe("Too many attempts. Wait a minute and try again.");
  });

  it("keeps the service's message for other client errors", () => {
    const error = toApiError(401, {
      error: { code: "invalid_credentials", message: "Email or password is incorrect." },
    });
    expect(error.message).toBe("Email or password is incorrect.");
  });
});

describe("parseRetryAfter", () => {
  it("reads seconds and HTTP dates", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(parseRetryAfter("120", now)).toBe(120);
    expect(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now)).toBe(120);
    expect(parseRetryAfter("soon", now)).toBeNull();
    expect(parseRetryAfter(null, now)).toBeNull();
  });
});
