import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json } from "../test/harness";
import { EXPIRY_MARGIN_MS, forgetThumbnailLinks, thumbnailLink } from "./thumbnailLinks";

const file = { id: "I1", modifiedAt: "2026-01-01T00:00:00Z" };
const NOW = Date.parse("2026-03-01T12:00:00Z");

/** A thumbnail route whose links last `lifetimeMs`, numbered so a new one can be told from the last. */
function linkServer(lifetimeMs: number) {
  let issued = 0;
  return fakeApi(({ path, url }) => {
    if (path !== "/api/v1/files/I1/thumbnail") return;
    issued += 1;
    return json(200, {
      url: `http://storage.test/${url.searchParams.get("size")}/${issued}`,
      expiresAt: new Date(Date.now() + lifetimeMs).toISOString(),
    });
  });
}

beforeEach(() => {
  forgetThumbnailLinks();
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(NOW);
});
afterEach(() => vi.useRealTimers());

describe("thumbnail links", () => {
  it("shares one request between concurrent callers and reuses the link while it has time left", async () => {
    const { requests } = linkServer(10 * 60_000);
    const [first, second] = await Promise.all([thumbnailLink(file, "small"), thumbnailLink(file, "small")]);
    expect(first).toBe("http://storage.test/small/1");
    expect(second).toBe(first);
    vi.setSystemTime(NOW + 9 * 60_000);
    expect(await thumbnailLink(file, "small")).toBe(first);
    expect(requests).toEqual(["GET /api/v1/files/I1/thumbnail?size=small"]);
  });

  it("asks for a new link shortly before the old one expires", async () => {
    const { requests } = linkServer(5 * 60_000);
    expect(await thumbnailLink(file, "small")).toBe("http://storage.test/small/1");
    vi.setSystemTime(NOW + 5 * 60_000 - EXPIRY_MARGIN_MS + 1);
    expect(await thumbnailLink(file, "small")).toBe("http://storage.test/small/2");
    expect(requests).toHaveLength(2);
  });

  it("keeps sizes and versions of a file apart, and does not keep a refusal", async () => {
    let refuse = true;
    const { requests } = fakeApi(({ url }) =>
      refuse
        ? json(404, { error: { code: "thumbnail_not_found", message: "No thumbnail." } })
        : json(200, { url: `http://storage.test/${url.search}`, expiresAt: "2026-03-01T13:00:00Z" }),
    );
    await expect(thumbnailLink(file, "small")).rejects.toMatchObject({ code: "thumbnail_not_found" });
    refuse = false;
    expect(await thumbnailLink(file, "small")).toBe("http://storage.test/?size=small");
    expect(await thumbnailLink(file, "large")).toBe("http://storage.test/?size=large");
    await thumbnailLink({ ...file, modifiedAt: "2026-02-01T00:00:00Z" }, "small");
    expect(requests).toHaveLength(4);
  });
});
