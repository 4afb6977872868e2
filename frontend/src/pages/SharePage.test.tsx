import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderApp, type ApiHandler } from "../test/harness";

const LINK = "AAAAAAAAAAAAAAAAAAAAAA";
const BASE = `/api/v1/files/public/links/${LINK}`;

const sharedFile = {
  kind: "file",
  name: "holiday.png",
  size: 2048,
  type: "image/png",
  modifiedAt: "2026-01-01T00:00:00Z",
  expiresAt: "2026-02-01T00:00:00Z",
  downloadsLeft: 3,
  ownerName: "Ada",
  preview: "image",
};
const sharedFolder = {
  ...sharedFile,
  kind: "folder",
  name: "Trip",
  size: null,
  type: null,
  downloadsLeft: null,
  preview: null,
};
const entry = (
  id: string,
  kind: "file" | "folder",
  name: string,
  path: { id: string; name: string }[] = [],
  preview: string | null = kind === "file" ? "text" : null,
) => ({
  id,
  kind,
  name,
  size: kind === "file" ? 10 : null,
  type: kind === "file" ? "text/plain" : null,
  modifiedAt: "2026-01-01T00:00:00Z",
  path,
  preview,
});
const gone = (code: string) => json(410, { error: { code, message: "Gone." } });

/** A signed-out browser: the session does not restore; then `handler` answers the link's routes. */
function fakeVisitor(handler: ApiHandler) {
  return fakeApi((call) => {
    if (call.path === "/api/v1/auth/refresh") return json(401, { error: { code: "unauthenticated", message: "No." } });
    expect(call.request.headers.get("Authorization")).toBeNull();
    return handler(call);
  });
}

afterEach(() => {
  sessionStorage.clear();
  vi.restoreAllMocks();
});

describe("the share page", () => {
  it("shows a shared file with its owner's chosen name, previews it inline and downloads it", async () => {
    const { requests } = fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE) return json(200, sharedFile);
      if (method === "GET" && path === `${BASE}/preview`)
        return json(200, { url: "https://storage.example/holiday.png?inline=1", expiresAt: "2026-01-01T00:05:00Z" });
      if (method === "POST" && path === `${BASE}/download`)
        return json(200, { url: "https://storage.example/holiday.png?sig=1", expiresAt: "2026-01-01T00:05:00Z" });
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderApp(`/s/${LINK}`);

    expect(await screen.findByRole("heading", { name: /holiday\.png/ })).toBeInTheDocument();
    expect(screen.getByText(/Shared by Ada/)).toBeInTheDocument();
    expect(screen.getByText(/3 downloads left/)).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Show preview" }));
    const image = await screen.findByRole("img", { name: "holiday.png" });
    expect(image).toHaveAttribute("src", "https://storage.example/holiday.png?inline=1");
    expect(image).toHaveAttribute("referrerpolicy", "no-referrer");
    // A preview is not a download: the link's limit is only spent by the button that says so.
    expect(requests.filter((request) => request.includes("/download"))).toEqual([]);

    await userEvent.click(screen.getByRole("button", { name: "Download" }));
    await waitFor(() => expect(click).toHaveBeenCalled());
    expect(requests.filter((request) => request === `POST ${BASE}/download`)).toHaveLength(1);
  });

  it("offers no preview of a file the server says cannot be shown", async () => {
    fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE) return json(200, { ...sharedFile, name: "a.zip", preview: null });
    });
    renderApp(`/s/${LINK}`);
    expect(await screen.findByRole("button", { name: "Download" })).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Show preview" })).toBeNull();
  });

  it("previews a folder link's files in a dialog: text in a sandboxed frame, Markdown rendered", async () => {
    const { requests } = fakeVisitor(({ method, path, url }) => {
      if (method === "GET" && path === BASE) return json(200, sharedFolder);
      if (path === `${BASE}/folders/root/children`)
        return json(200, {
          folder: entry("root", "folder", "Trip"),
          items: [
            entry("F1", "file", "notes.txt"),
            entry("F2", "file", "readme.md"),
            entry("F3", "file", "a.zip", [], null),
          ],
          nextCursor: null,
        });
      if (method === "GET" && path.endsWith("/preview"))
        return json(200, { url: `https://storage.example/${path.split("/").at(-2)}`, expiresAt: "x" });
      if (url.host === "storage.example") return new Response("# Plan\n\n<script>bad()</script>");
    });
    renderApp(`/s/${LINK}`);

    await userEvent.click(await screen.findByRole("button", { name: "Preview notes.txt" }));
    const dialog = await screen.findByRole("dialog", { name: "notes.txt" });
    await waitFor(() =>
      expect(within(dialog).getByTitle("Preview of notes.txt")).toHaveAttribute("src", "https://storage.example/F1"),
    );
    expect(within(dialog).getByTitle("Preview of notes.txt")).toHaveAttribute("sandbox", "");
    await userEvent.click(within(dialog).getByRole("button", { name: "Close" }));

    await userEvent.click(screen.getByRole("button", { name: "Preview readme.md" }));
    const rendered = await screen.findByRole("document", { name: "Preview of readme.md" });
    expect(within(rendered).getByRole("heading", { name: "Plan" })).toBeInTheDocument();
    expect(rendered.innerHTML).not.toMatch(/<script/);

    expect(screen.queryByRole("button", { name: "Preview a.zip" })).toBeNull();
    expect(requests.filter((request) => request.includes("/download"))).toEqual([]);
  });

  it("browses a shared folder with breadcrumbs inside the link, downloads a file and the whole folder", async () => {
    const { requests } = fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE) return json(200, sharedFolder);
      if (path === `${BASE}/folders/root/children`)
        return json(200, {
          folder: entry("root", "folder", "Trip"),
          items: [entry("D1", "folder", "Day 1"), entry("F1", "file", "notes.txt")],
          nextCursor: null,
        });
      if (path === `${BASE}/folders/D1/children`)
        return json(200, {
          folder: entry("D1", "folder", "Day 1"),
          items: [entry("F2", "file", "beach.txt", [{ id: "D1", name: "Day 1" }])],
          nextCursor: null,
        });
      if (path === `${BASE}/files/F2/download`) return json(200, { url: "https://storage.example/f2", expiresAt: "x" });
      if (path === `${BASE}/archive`) return json(200, { url: "/api/v1/files/archive/zip", expiresAt: "x" });
    });
    const click = vi.spyOn(HTMLAnchorElement.prototype, "click").mockImplementation(() => {});
    renderApp(`/s/${LINK}`);

    await userEvent.click(await screen.findByRole("button", { name: "Day 1" }));
    expect(await screen.findByText("beach.txt")).toBeInTheDocument();
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(within(crumbs).getByRole("button", { name: "Shared folder" })).toBeInTheDocument();
    expect(within(crumbs).getByText("Day 1")).toHaveAttribute("aria-current", "page");

    await userEvent.click(screen.getByRole("button", { name: "Download beach.txt" }));
    await waitFor(() => expect(requests).toContain(`POST ${BASE}/files/F2/download`));
    await userEvent.click(screen.getByRole("button", { name: "Download this folder as ZIP" }));
    await waitFor(() => expect(requests).toContain(`POST ${BASE}/archive`));
    expect(click).toHaveBeenCalledTimes(2);

    await userEvent.click(within(crumbs).getByRole("button", { name: "Shared folder" }));
    expect(await screen.findByText("notes.txt")).toBeInTheDocument();
  });

  it("asks for the password, keeps the unlock token for this link only and sends it", async () => {
    const { fetch } = fakeVisitor(({ method, path, body, request }) => {
      if (method === "GET" && path === BASE) {
        return request.headers.get("X-Share-Unlock") === "tok"
          ? json(200, sharedFile)
          : json(401, { error: { code: "password_required", message: "Password." } }, { "WWW-Authenticate": "Bearer" });
      }
      if (path === `${BASE}/unlock`) {
        return body.password === "right"
          ? json(200, { unlockToken: "tok", expiresAt: "2999-01-01T00:00:00Z" })
          : json(403, { error: { code: "wrong_password", message: "Wrong." } });
      }
    });
    renderApp(`/s/${LINK}`);

    const password = await screen.findByLabelText("Password");
    await userEvent.type(password, "wrong");
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(await screen.findByRole("alert")).toHaveTextContent("Wrong password");

    await userEvent.clear(password);
    await userEvent.type(password, "right");
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(await screen.findByRole("heading", { name: /holiday\.png/ })).toBeInTheDocument();
    expect(sessionStorage.getItem(`scloud.share-unlock.${LINK}`)).toContain("tok");
    expect(Object.keys(sessionStorage)).toEqual([`scloud.share-unlock.${LINK}`]);
    expect(fetch).toHaveBeenCalled();
  });

  it.each([
    ["link_expired", "This link has expired"],
    ["link_revoked", "This link was turned off"],
    ["link_exhausted", "This link has been used up"],
  ])("says what a 410 %s means", async (code, title) => {
    fakeVisitor(({ path }) => (path === BASE ? gone(code) : undefined));
    renderApp(`/s/${LINK}`);
    expect(await screen.findByRole("heading", { name: title })).toBeInTheDocument();
  });

  it("says an unknown link does not exist", async () => {
    fakeVisitor(({ path }) =>
      path === BASE ? json(404, { error: { code: "link_not_found", message: "No." } }) : undefined,
    );
    renderApp(`/s/${LINK}`);
    expect(await screen.findByRole("heading", { name: "This link does not exist" })).toBeInTheDocument();
  });

  it("says when to try again after too many wrong passwords", async () => {
    fakeVisitor(({ path }) => {
      if (path === BASE) return json(401, { error: { code: "password_required", message: "Password." } });
      if (path === `${BASE}/unlock`)
        return json(429, { error: { code: "too_many_attempts", message: "Slow." } }, { "Retry-After": "600" });
    });
    renderApp(`/s/${LINK}`);
    await userEvent.type(await screen.findByLabelText("Password"), "guess");
    await userEvent.click(screen.getByRole("button", { name: "Open" }));
    expect(await screen.findByRole("alert")).toHaveTextContent(/Try again in 10 min/);
  });

  it("turns into the used-up page when a download finds the link exhausted", async () => {
    fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE) return json(200, sharedFile);
      if (path === `${BASE}/download`) return gone("link_exhausted");
    });
    renderApp(`/s/${LINK}`);
    await userEvent.click(await screen.findByRole("button", { name: "Download" }));
    expect(await screen.findByRole("heading", { name: "This link has been used up" })).toBeInTheDocument();
  });
});

describe("a shared video, whose storage links live for seconds", () => {
  const sharedVideo = { ...sharedFile, name: "clip.mp4", type: "video/mp4", preview: "video" };
  const linkNumber = (player: HTMLElement) => new URL(player.getAttribute("src") ?? "").searchParams.get("n");

  /** The link's page with the video shown; `freshLink(n)` answers the n-th request for a preview link. */
  async function showVideo(freshLink: (n: number) => Response) {
    let previewLinks = 0;
    const { requests } = fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE) return json(200, sharedVideo);
      if (method === "GET" && path === `${BASE}/preview`) return freshLink(++previewLinks);
    });
    renderApp(`/s/${LINK}`);
    await userEvent.click(await screen.findByRole("button", { name: "Show preview" }));
    const player = await screen.findByLabelText<HTMLVideoElement>("Play clip.mp4");
    return { player, requests };
  }
  const storageLink = (n: number) =>
    json(200, { url: `https://storage.example/clip.mp4?n=${n}`, expiresAt: "2026-01-01T00:00:05Z" });

  it("gets a fresh link when the player fails, and carries on where it was", async () => {
    const play = vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue();
    const { player } = await showVideo(storageLink);
    expect(linkNumber(player)).toBe("1");

    player.currentTime = 42;
    Object.defineProperty(player, "paused", { value: false, configurable: true });
    fireEvent.error(player);
    await waitFor(() => expect(linkNumber(player)).toBe("2"));
    expect(screen.getByLabelText("Play clip.mp4")).toBe(player);

    // A browser starts a new source at 0, paused.
    player.currentTime = 0;
    fireEvent.loadedMetadata(player);
    expect(player.currentTime).toBe(42);
    expect(play).toHaveBeenCalledTimes(1);
  });

  it("keeps the position when a fresh link fails before the player got going", async () => {
    vi.spyOn(HTMLMediaElement.prototype, "play").mockResolvedValue();
    const { player } = await showVideo(storageLink);
    player.currentTime = 42;
    fireEvent.error(player);
    await waitFor(() => expect(linkNumber(player)).toBe("2"));

    player.currentTime = 0;
    fireEvent.error(player);
    await waitFor(() => expect(linkNumber(player)).toBe("3"));
    fireEvent.loadedMetadata(player);
    expect(player.currentTime).toBe(42);
  });

  it("says the preview could not load once three fresh links in a minute did not help", async () => {
    const { player, requests } = await showVideo(storageLink);
    for (const next of ["2", "3", "4"]) {
      fireEvent.error(player);
      await waitFor(() => expect(linkNumber(player)).toBe(next));
    }
    fireEvent.error(player);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "Could not load the preview: the browser could not open the file.",
    );
    expect(screen.queryByLabelText("Play clip.mp4")).toBeNull();
    expect(requests.filter((request) => request === `GET ${BASE}/preview`)).toHaveLength(4);
  });

  it("allows three more fresh links once a minute has passed", async () => {
    vi.useFakeTimers({ toFake: ["Date"] });
    const { player } = await showVideo(storageLink);
    for (const next of ["2", "3", "4"]) {
      fireEvent.error(player);
      await waitFor(() => expect(linkNumber(player)).toBe(next));
    }
    vi.setSystemTime(Date.now() + 61_000);
    fireEvent.error(player);
    await waitFor(() => expect(linkNumber(player)).toBe("5"));
  });

  it("shows why a fresh link was refused", async () => {
    const { player } = await showVideo((n) =>
      n === 1
        ? storageLink(n)
        : json(403, { error: { code: "preview_refused", message: "No previews of this link." } }),
    );
    fireEvent.error(player);
    expect(await screen.findByRole("alert")).toHaveTextContent("Could not load the preview: No previews of this link.");
  });

  it("turns into the turned-off page when the share was revoked while the video played", async () => {
    const { player } = await showVideo((n) => (n === 1 ? storageLink(n) : gone("link_revoked")));
    fireEvent.error(player);
    expect(await screen.findByRole("heading", { name: "This link was turned off" })).toBeInTheDocument();
  });
});
