import { screen } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ActivityEvent } from "../api/activity";
import { describeEvent } from "../components/ActivityList";
import { fakeSignedInApi, json, renderApp } from "../test/harness";

const ID = "01JD0000000000000000000001";

function anEvent(overrides: Partial<ActivityEvent> = {}): ActivityEvent {
  return {
    id: `2026-11-25T09:30:00+00:00|${ID}|rename|`,
    action: "rename",
    at: "2026-11-25T09:30:00+00:00",
    actorId: "u1",
    itemId: ID,
    itemKind: "file",
    nameBefore: "a.txt",
    nameAfter: "b.txt",
    pathBefore: "/Docs",
    pathAfter: "/Docs",
    ...overrides,
  };
}

describe("an activity event as a sentence", () => {
  it("names who did what, to which item and where", () => {
    expect(describeEvent(anEvent(), "u1")).toBe("You renamed a.txt to b.txt in /Docs");
    expect(describeEvent(anEvent({ action: "move", pathAfter: "/Archive", nameBefore: "b.txt" }), "u1")).toBe(
      "You moved b.txt from /Docs to /Archive",
    );
    expect(
      describeEvent(anEvent({ action: "request_upload", actorId: null, nameBefore: null, pathBefore: null }), "u1"),
    ).toBe("A visitor uploaded b.txt in /Docs through a file request");
    expect(describeEvent(anEvent({ action: "upload", pathAfter: "/", nameBefore: null }), "u1")).toBe(
      "You uploaded b.txt",
    );
    expect(describeEvent(anEvent({ action: "trash" }), "someone-else")).toBe(
      "Someone you share with moved b.txt to the trash in /Docs",
    );
    expect(describeEvent(anEvent({ action: "copy", pathAfter: "/Archive", nameAfter: "a.txt" }), "u1")).toBe(
      "You copied a.txt in /Docs to a.txt in /Archive",
    );
  });
});

describe("the Activity page", () => {
  it("shows the feed as sentences, following the server's cursor", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, url }) => {
      if (method !== "GET" || path !== "/api/v1/files/activity") return undefined;
      requests.push(url.search);
      return url.searchParams.get("cursor")
        ? json(200, {
            events: [anEvent({ id: "older", action: "upload", nameBefore: null, nameAfter: "a.txt" })],
            nextCursor: null,
          })
        : json(200, { events: [anEvent()], nextCursor: "next" });
    });
    renderApp("/activity");

    expect(await screen.findByText("You renamed a.txt to b.txt in /Docs")).toBeInTheDocument();
    expect(await screen.findByText("You uploaded a.txt in /Docs")).toBeInTheDocument();
    expect(requests.some((search) => search.includes("cursor=next"))).toBe(true);
    expect(screen.getByRole("link", { name: "Activity" })).toHaveAttribute("aria-current", "page");
  });

  it("narrows the feed to a folder given in the address", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, url }) => {
      if (method !== "GET" || path !== "/api/v1/files/activity") return undefined;
      requests.push(url.search);
      return json(200, { events: [], nextCursor: null });
    });
    renderApp(`/activity?folderId=${ID}`);

    expect(await screen.findByText("Nothing has happened here yet.")).toBeInTheDocument();
    expect(requests[0]).toContain(`folderId=${ID}`);
  });
});
