import { describe, expect, it, vi } from "vitest";
import { forgetLinkToken, readLinkToken } from "./linkToken";

describe("link tokens", () => {
  it("are read from the fragment, then taken off the address bar", () => {
    const history = { state: null, replaceState: vi.fn() } as unknown as History;
    const location = { hash: "#token=abc-DEF_123", pathname: "/verify-email", search: "" } as Location;
    expect(readLinkToken(location)).toBe("abc-DEF_123");
    forgetLinkToken(location, history);
    expect(history.replaceState).toHaveBeenCalledWith(null, "", "/verify-email");
  });

  it("are empty without a fragment, which is left alone", () => {
    const history = { state: null, replaceState: vi.fn() } as unknown as History;
    const location = { hash: "", pathname: "/verify-email", search: "" } as Location;
    expect(readLinkToken(location)).toBe("");
    forgetLinkToken(location, history);
    expect(history.replaceState).not.toHaveBeenCalled();
  });
});
