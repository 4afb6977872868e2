import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

const recentFile = (id: string, name: string) => ({
  id,
  kind: "file",
  name,
  parentId: "root",
  size: 5,
  type: "text/plain",
  mediaType: "text/plain",
  createdAt: "2026-11-25T09:30:00Z",
  modifiedAt: "2026-11-25T09:30:00Z",
  trashedAt: null,
  path: [],
  touchedAt: "2026-11-25T10:00:00.000+00:00",
});

describe("the Recent page", () => {
  it("lists the recent files newest first, following the server's cursor", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, url }) => {
      if (method !== "GET" || path !== "/api/v1/files/recent") return undefined;
      requests.push(url.search);
      return url.searchParams.get("cursor")
        ? json(200, { items: [recentFile("F2", "older.txt")], nextCursor: null })
        : json(200, { items: [recentFile("F1", "newest.txt")], nextCursor: "next" });
    });
    renderApp("/recent");

    expect(await screen.findByText("newest.txt")).toBeInTheDocument();
    expect(await screen.findByText("older.txt")).toBeInTheDocument();
    expect(requests.some((search) => search.includes("cursor=next"))).toBe(true);
    const names = screen.getAllByText(/\.txt$/).map((element) => element.textContent);
    expect(names).toEqual(["newest.txt", "older.txt"]);
    expect(screen.getByRole("button", { name: "Download newest.txt" })).toBeInTheDocument();
  });

  it("says how a file gets here when there is none yet", async () => {
    fakeSignedInApi(({ method, path }) =>
      method === "GET" && path === "/api/v1/files/recent" ? json(200, { items: [], nextCursor: null }) : undefined,
    );
    renderApp("/recent");
    expect(await screen.findByText(/Files you open or upload in/)).toBeInTheDocument();
  });
});
