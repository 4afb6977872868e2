import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { Item } from "../api/drive";
import { fakeApi, json, renderWithProviders } from "../test/harness";
import { forgetThumbnailLinks } from "../lib/thumbnailLinks";
import { LARGE_RENDITION_FROM_BYTES, PreviewDialog } from "./PreviewDialog";

const file = (id: string, name: string, type: string, mediaType?: string): Item => ({
  id,
  kind: "file",
  name,
  parentId: "root",
  size: 100,
  type,
  mediaType,
  thumbnail: "none",
  createdAt: "2026-01-01T00:00:00Z",
  modifiedAt: "2026-01-01T00:00:00Z",
  trashedAt: null,
  shared: false,
  starred: false,
});

function storage(text: string) {
  return fakeApi(({ path, url }) => {
    if (path.endsWith("/download"))
      return json(200, { url: `http://storage.test/${url.searchParams.get("as") ?? "raw"}`, expiresAt: "" });
    if (url.host === "storage.test") return new Response(text, { headers: { "content-type": "text/plain" } });
  });
}

function show(item: Item) {
  renderWithProviders(
    <PreviewDialog files={[item]} index={0} onIndexChange={() => {}} onDownload={() => {}} onClose={() => {}} />,
  );
}

const original = { create: URL.createObjectURL, revoke: URL.revokeObjectURL };
beforeEach(() => {
  forgetThumbnailLinks();
  URL.createObjectURL = vi.fn(() => "blob:preview");
  URL.revokeObjectURL = vi.fn();
});
afterEach(() => {
  URL.createObjectURL = original.create;
  URL.revokeObjectURL = original.revoke;
});

describe("previews", () => {
  it("renders Markdown as sanitised HTML", async () => {
    storage("# Hello\n\nplain *words*\n\n<script>window.hacked = true</script><img src=x onerror=alert(1)>");
    show(file("M1", "readme.md", "text/plain", "text/markdown"));
    const document = await screen.findByRole("document", { name: "Preview of readme.md" });
    expect(within(document).getByRole("heading", { name: "Hello" })).toBeInTheDocument();
    expect(document.innerHTML).not.toMatch(/<script|onerror/);
  });

  it("shows an SVG as an image of its own bytes, never as a page that could run its scripts", async () => {
    storage('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>');
    show(file("S1", "drawing.svg", "application/octet-stream"));
    const image = await screen.findByRole("img", { name: "drawing.svg" });
    expect(image).toHaveAttribute("src", "blob:preview");
    const blob = vi.mocked(URL.createObjectURL).mock.calls[0][0] as Blob;
    expect(blob.type).toBe("image/svg+xml");
    expect(screen.getByText("Image (SVG)")).toBeInTheDocument();
  });

  it("falls back to the plain text frame when the text cannot be read", async () => {
    fakeApi(({ path }) => {
      if (path.endsWith("/download")) return json(200, { url: "http://storage.test/text", expiresAt: "" });
      throw new TypeError("Failed to fetch");
    });
    show(file("M2", "notes.md", "text/plain"));
    await waitFor(() => expect(screen.getByTitle("Preview of notes.md")).toHaveAttribute("sandbox", ""));
  });

  it("shows the SHA-256 storage verified in the file's details, so a download can be checked", async () => {
    storage("text");
    show({
      ...file("C1", "big.bin", "application/octet-stream"),
      sha256: "q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=-3",
    } as Item);
    expect(await screen.findByText("q1w2e3r4t5y6u7i8o9p0a1s2d3f4g5h6j7k8l9z0x1c=-3")).toBeInTheDocument();
    expect(screen.getByText("SHA-256")).toBeInTheDocument();
  });
});

describe("image previews", () => {
  const photo = (size: number, thumbnail: Item["thumbnail"] = "ready"): Item => ({
    ...file("P1", "photo.jpg", "image/jpeg"),
    size,
    thumbnail,
  });

  function imageServer(thumbnail = true) {
    return fakeApi(({ path, url }) => {
      if (path === "/api/v1/files/P1/download")
        return json(200, { url: "http://storage.test/original", expiresAt: "" });
      if (path === "/api/v1/files/P1/thumbnail" && thumbnail)
        return json(200, {
          url: `http://storage.test/thumbnail-${url.searchParams.get("size")}`,
          expiresAt: "2099-01-01T00:00:00Z",
        });
      if (path === "/api/v1/files/P1/thumbnail")
        return json(404, { error: { code: "thumbnail_not_found", message: "No thumbnail." } });
    });
  }

  it("shows a big image's large rendition, with the original one click away", async () => {
    const { requests } = imageServer();
    show(photo(LARGE_RENDITION_FROM_BYTES + 1));
    const image = await screen.findByRole("img", { name: "photo.jpg" });
    expect(image).toHaveAttribute("src", "http://storage.test/thumbnail-large");
    expect(requests).not.toContain("GET /api/v1/files/P1/download?disposition=inline");

    await userEvent.click(screen.getByRole("button", { name: "Show the original" }));
    await waitFor(() =>
      expect(screen.getByRole("img", { name: "photo.jpg" })).toHaveAttribute("src", "http://storage.test/original"),
    );
    expect(screen.queryByRole("button", { name: "Show the original" })).toBeNull();
  });

  it("shows the original of a small image, or of a big one without a rendition", async () => {
    const { requests } = imageServer();
    show(photo(LARGE_RENDITION_FROM_BYTES));
    expect(await screen.findByRole("img", { name: "photo.jpg" })).toHaveAttribute(
      "src",
      "http://storage.test/original",
    );
    expect(requests.filter((request) => request.includes("/thumbnail"))).toEqual([]);
    expect(screen.queryByRole("button", { name: "Show the original" })).toBeNull();
  });

  it("falls back to the original when the rendition is refused or fails to load", async () => {
    imageServer(false);
    show(photo(5 * LARGE_RENDITION_FROM_BYTES));
    expect(await screen.findByRole("img", { name: "photo.jpg" })).toHaveAttribute(
      "src",
      "http://storage.test/original",
    );
  });

  it("gets a fresh link for an original that fails to load", async () => {
    const { requests } = imageServer(false);
    show(photo(100));
    fireEvent.error(await screen.findByRole("img", { name: "photo.jpg" }));
    await waitFor(() =>
      expect(requests.filter((request) => request === "GET /api/v1/files/P1/download?disposition=inline")).toHaveLength(
        2,
      ),
    );
    expect(await screen.findByRole("img", { name: "photo.jpg" })).toHaveAttribute(
      "src",
      "http://storage.test/original",
    );
  });

  it("loads the original when the large rendition fails to load", async () => {
    imageServer();
    show(photo(5 * LARGE_RENDITION_FROM_BYTES));
    fireEvent.error(await screen.findByRole("img", { name: "photo.jpg" }));
    await waitFor(() =>
      expect(screen.getByRole("img", { name: "photo.jpg" })).toHaveAttribute("src", "http://storage.test/original"),
    );
  });
});

describe("a file's history in its details", () => {
  it("lists the file's own events when asked, as sentences", async () => {
    const asked: string[] = [];
    fakeApi(({ path, url }) => {
      if (path.endsWith("/download")) return json(200, { url: "http://storage.test/raw", expiresAt: "" });
      if (url.host === "storage.test") return new Response("hi", { headers: { "content-type": "text/plain" } });
      if (path === "/api/v1/files/activity") {
        asked.push(url.searchParams.get("itemId") ?? "");
        return json(200, {
          events: [
            {
              id: "e1",
              action: "rename",
              at: "2026-01-02T00:00:00Z",
              actorId: null,
              itemId: "T1",
              itemKind: "file",
              nameBefore: "old.txt",
              nameAfter: "notes.txt",
              pathBefore: "/",
              pathAfter: "/",
            },
          ],
          nextCursor: null,
        });
      }
    });
    show(file("T1", "notes.txt", "text/plain"));
    expect(asked).toEqual([]);
    await userEvent.click(screen.getByRole("button", { name: "History" }));
    expect(await screen.findByText("A visitor renamed old.txt to notes.txt")).toBeInTheDocument();
    expect(asked).toEqual(["T1"]);
  });
});
