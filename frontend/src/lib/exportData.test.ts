import { afterEach, describe, expect, it, vi } from "vitest";
import { collectAccountData } from "./exportData";

const json = (body: unknown) => new Response(JSON.stringify(body), { headers: { "content-type": "application/json" } });

const item = (id: string, name: string, kind: "file" | "folder", extra: Record<string, unknown> = {}) => ({
  id,
  kind,
  name,
  parentId: null,
  size: kind === "file" ? 3 : null,
  type: kind === "file" ? "text/plain" : null,
  createdAt: "2026-01-01T00:00:00Z",
  modifiedAt: "2026-01-02T00:00:00Z",
  trashedAt: null,
  ...extra,
});

afterEach(() => vi.unstubAllGlobals());

describe("collectAccountData", () => {
  it("walks every folder page by page, then the trash, names each item by its path, and adds the activity", async () => {
    const asked: string[] = [];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (request: Request) => {
        const url = new URL(request.url);
        asked.push(url.pathname + url.search);
        const cursor = url.searchParams.get("cursor");
        switch (url.pathname) {
          case "/api/v1/users/me":
            return json({ userId: "u1", email: "ada@example.com", username: "Ada" });
          case "/api/v1/auth/sessions":
            return json({ sessions: [{ id: "s1" }] });
          case "/api/v1/auth/two-factor":
            return json({ enabled: true, recoveryCodesLeft: 9 });
          case "/api/v1/folders/root/children":
            return cursor
              ? json({ items: [item("f2", "b.txt", "file")], nextCursor: null })
              : json({ items: [item("d1", "Projects", "folder"), item("f1", "a.txt", "file")], nextCursor: "next" });
          case "/api/v1/folders/d1/children":
            return json({ items: [item("f3", "plan.md", "file", { parentId: "d1" })], nextCursor: null });
          case "/api/v1/trash":
            return json({
              items: [
                item("f4", "old.txt", "file", {
                  trashedAt: "2026-01-03T00:00:00Z",
                  path: [{ id: "d1", name: "Projects" }],
                }),
              ],
              nextCursor: null,
            });
          case "/api/v1/files/activity":
            return cursor
              ? json({ events: [{ id: "e2", action: "upload", nameAfter: "a.txt" }], nextCursor: null })
              : json({ events: [{ id: "e1", action: "rename", nameAfter: "b.txt" }], nextCursor: "more" });
          default:
            return new Response(null, { status: 404 });
        }
      }),
    );
    const data = await collectAccountData();
    expect(data.profile).toMatchObject({ email: "ada@example.com" });
    expect(data.twoFactor).toEqual({ enabled: true, recoveryCodesLeft: 9 });
    expect((data.items as { path: string; trashedAt: string | null }[]).map((i) => [i.path, i.trashedAt])).toEqual([
      ["Projects", null],
      ["a.txt", null],
      ["b.txt", null],
      ["Projects/plan.md", null],
      ["Projects/old.txt", "2026-01-03T00:00:00Z"],
    ]);
    expect(asked).toContain("/api/v1/folders/root/children?limit=200&cursor=next");
    expect((data.activity as { id: string }[]).map((event) => event.id)).toEqual(["e1", "e2"]);
    expect(asked).toContain("/api/v1/files/activity?limit=200&cursor=more");
  });
});
