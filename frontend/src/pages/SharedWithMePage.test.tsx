import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import AwsS3 from "@uppy/aws-s3";
import { afterEach, describe, expect, it, vi } from "vitest";
import * as drive from "../api/drive";
import { DirectUploadServer, patternedFile } from "../test/directUploadServer";
import { directory, dropOf, file } from "../test/dropEntries";
import { fakeSignedInApi, json, limits, renderApp, type ApiHandler } from "../test/harness";

const share = (id: string, name: string, overrides: Record<string, unknown> = {}) => ({
  id,
  kind: "folder",
  name,
  role: "viewer",
  ownerName: "Ada",
  inDrive: false,
  sharedAt: "2026-01-01T00:00:00Z",
  size: null,
  modifiedAt: "2026-01-01T00:00:00Z",
  ...overrides,
});

const item = (id: string, name: string, overrides: Record<string, unknown> = {}) => ({
  id,
  kind: "file",
  name,
  parentId: "S1",
  size: 2048,
  type: "text/plain",
  createdAt: "2026-01-01T00:00:00Z",
  modifiedAt: "2026-01-02T00:00:00Z",
  trashedAt: null,
  thumbnail: "none",
  path: [],
  ...overrides,
});

const rootFolder = item("S1", "Trip", { kind: "folder", parentId: null, size: null, type: null });
const photos = item("D1", "Photos", { kind: "folder", size: null, type: null });

afterEach(() => vi.restoreAllMocks());

/** Answers every small upload (one XHR) with the item `stored` gives; lists each "METHOD url" sent. */
function fakeSmallUploads(stored: () => unknown) {
  const sent: string[] = [];
  class FakeXhr {
    status = 0;
    responseText = "";
    upload = { onprogress: null as ((event: ProgressEvent) => void) | null };
    onload: (() => void) | null = null;
    onerror = null;
    onabort = null;
    open(method: string, url: string) {
      sent.push(`${method} ${url}`);
    }
    setRequestHeader() {}
    getResponseHeader() {
      return null;
    }
    abort() {}
    send() {
      this.status = 201;
      this.responseText = JSON.stringify(stored());
      queueMicrotask(() => this.onload?.());
    }
  }
  vi.stubGlobal("XMLHttpRequest", FakeXhr);
  return sent;
}

/** The signed-in app at `path`, Trip (S1) shared with the user as `role`, then `handler`. */
function renderShare(path: string, role: "editor" | "viewer", handler: ApiHandler) {
  const api = fakeSignedInApi((call) => {
    if (call.method === "GET" && call.path === "/api/v1/shared-with-me")
      return json(200, { items: [share("S1", "Trip", { role })], nextCursor: null });
    return handler(call);
  });
  renderApp(path);
  return api;
}

describe("the Shared with me page", () => {
  it("lists what others shared, toggles the drive flag and leaves a share", async () => {
    const requests: string[] = [];
    fakeSignedInApi(({ method, path, body }) => {
      requests.push(`${method} ${path} ${body ? JSON.stringify(body) : ""}`.trim());
      if (method === "GET" && path === "/api/v1/shared-with-me")
        return json(200, {
          items: [share("S1", "Trip", { role: "editor" }), share("S2", "notes.txt", { kind: "file", size: 2048 })],
          nextCursor: null,
        });
      if (method === "PUT" && path === "/api/v1/shared-with-me/S1/in-drive") return new Response(null, { status: 204 });
      if (method === "DELETE" && path === "/api/v1/shared-with-me/S2") return new Response(null, { status: 204 });
    });
    renderApp("/shared-with-me");

    const table = await screen.findByRole("table", { name: "Items shared with you" });
    const trip = within(table).getByRole("row", { name: /Trip/ });
    expect(within(trip).getByRole("link", { name: "Trip" })).toHaveAttribute("href", "/shared-with-me/S1");
    expect(trip).toHaveTextContent("Ada");
    expect(trip).toHaveTextContent("Editor");
    expect(within(table).getByRole("row", { name: /notes\.txt/ })).toHaveTextContent("Viewer");

    await userEvent.click(within(trip).getByRole("button", { name: "Add to my drive: Trip" }));
    expect(await within(trip).findByRole("button", { name: "Remove from my drive: Trip" })).toHaveAttribute(
      "aria-pressed",
      "true",
    );
    expect(requests).toContain('PUT /api/v1/shared-with-me/S1/in-drive {"inDrive":true}');

    await userEvent.click(screen.getByRole("button", { name: "Leave notes.txt" }));
    const first = await screen.findByRole("dialog", { name: "Leave notes.txt?" });
    await userEvent.click(within(first).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(requests).not.toContain("DELETE /api/v1/shared-with-me/S2");
    expect(screen.getByRole("row", { name: /notes\.txt/ })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Leave notes.txt" }));
    const dialog = await screen.findByRole("dialog", { name: "Leave notes.txt?" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Leave" }));
    await waitFor(() => expect(screen.queryByRole("row", { name: /notes\.txt/ })).not.toBeInTheDocument());
    expect(requests).toContain("DELETE /api/v1/shared-with-me/S2");
  });

  it("browses a shared folder as a viewer: breadcrumbs inside the share, downloads, no editor controls", async () => {
    const assign = vi.spyOn(drive, "navigateTo").mockImplementation(() => {});
    fakeSignedInApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/shared-with-me")
        return json(200, { items: [share("S1", "Trip")], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, {
          folder: rootFolder,
          items: [item("D1", "Photos", { kind: "folder", size: null }), item("A1", "plan.txt")],
          nextCursor: null,
        });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/D1/children")
        return json(200, {
          folder: item("D1", "Photos", { kind: "folder", size: null, path: [] }),
          items: [item("P1", "beach.jpg", { parentId: "D1" })],
          nextCursor: null,
        });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/files/A1/download")
        return json(200, { url: "https://s3.example/plan", expiresAt: "2999-01-01T00:00:00Z" });
    });
    renderApp("/shared-with-me/S1");

    expect(await screen.findByRole("heading", { name: "Trip" })).toBeInTheDocument();
    expect(await screen.findByText(/Shared by Ada · you are a viewer/)).toBeInTheDocument();
    await userEvent.click(screen.getByRole("button", { name: "Download plan.txt" }));
    await waitFor(() => expect(assign).toHaveBeenCalledWith("https://s3.example/plan"));
    expect(screen.queryByLabelText("Choose files")).not.toBeInTheDocument();
    expect(screen.queryByTestId("upload-dropzone")).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: /Rename|Move|Trash/ })).not.toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "New folder" })).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole("link", { name: "Photos" }));
    expect(await screen.findByRole("button", { name: "Download beach.jpg" })).toBeInTheDocument();
    const crumbs = screen.getByRole("navigation", { name: "Breadcrumb" });
    expect(
      within(crumbs)
        .getAllByRole("link")
        .map((link) => link.textContent),
    ).toEqual(["Shared with me", "Trip"]);
    expect(within(crumbs).getByText("Photos")).toHaveAttribute("aria-current", "page");
  });

  it("lets an editor upload a small file in one request, keeping both names on a clash, rename and trash", async () => {
    const requests: string[] = [];
    let files = [item("A1", "plan.txt")];
    fakeSignedInApi(({ method, path, body }) => {
      requests.push(`${method} ${path} ${body ? JSON.stringify(body) : ""}`.trim());
      if (method === "GET" && path === "/api/v1/shared-with-me")
        return json(200, { items: [share("S1", "Trip", { role: "editor" })], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items: files, nextCursor: null });
      if (method === "PATCH" && path === "/api/v1/shared-with-me/S1/items/A1")
        return json(200, item("A1", "plan-v2.txt"));
      if (method === "DELETE" && path === "/api/v1/shared-with-me/S1/items/A1")
        return new Response(null, { status: 204 });
    });
    const sent = fakeSmallUploads(() => {
      files = [...files, item("N1", "new.txt")];
      return item("N1", "new.txt");
    });
    renderApp("/shared-with-me/S1");

    await userEvent.upload(await screen.findByLabelText("Choose files"), new File(["hi"], "new.txt"));
    const panel = await screen.findByRole("region", { name: "Uploads" });
    expect(await within(panel).findByText("Uploaded")).toBeInTheDocument();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^POST \/api\/v1\/shared-with-me\/S1\/upload\?parentId=root&onConflict=rename/);
    expect(await screen.findByRole("button", { name: "Download new.txt" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Rename plan.txt" }));
    const renameDialog = await screen.findByRole("dialog", { name: "Rename plan.txt" });
    const field = within(renameDialog).getByLabelText("New name");
    await userEvent.clear(field);
    await userEvent.type(field, "plan-v2.txt");
    await userEvent.click(within(renameDialog).getByRole("button", { name: "Rename" }));
    expect(await screen.findByRole("button", { name: "Download plan-v2.txt" })).toBeInTheDocument();
    expect(requests).toContain('PATCH /api/v1/shared-with-me/S1/items/A1 {"name":"plan-v2.txt"}');

    await userEvent.click(screen.getByRole("button", { name: "Trash plan-v2.txt" }));
    const trashDialog = await screen.findByRole("dialog", { name: /Move plan-v2.txt to the trash/ });
    expect(requests).not.toContain("DELETE /api/v1/shared-with-me/S1/items/A1");
    await userEvent.click(within(trashDialog).getByRole("button", { name: "Cancel" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(requests).not.toContain("DELETE /api/v1/shared-with-me/S1/items/A1");

    await userEvent.click(screen.getByRole("button", { name: "Trash plan-v2.txt" }));
    const again = await screen.findByRole("dialog", { name: /Move plan-v2.txt to the trash/ });
    await userEvent.click(within(again).getByRole("button", { name: "Move to trash" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Download plan-v2.txt" })).not.toBeInTheDocument());
    expect(requests).toContain("DELETE /api/v1/shared-with-me/S1/items/A1");
  });

  it("shows the API's message when a share cannot be opened", async () => {
    fakeSignedInApi(({ method, path }) => {
      if (method === "GET" && path === "/api/v1/shared-with-me") return json(200, { items: [], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S9/folders/root/children")
        return json(404, { error: { code: "not_found", message: "Not found." } });
    });
    renderApp("/shared-with-me/S9");
    expect(await screen.findByText("Not found.")).toBeInTheDocument();
    expect(screen.queryByLabelText("Choose files")).not.toBeInTheDocument();
  });

  it("sends an editor's big file in parts through the share's upload routes, never the drive's", async () => {
    const server = new DirectUploadServer({ routes: "/api/v1/shared-with-me/S1/uploads" });
    vi.spyOn(AwsS3, "uploadPartBytes").mockImplementation(server.uploadPartBytes);
    let files = [item("A1", "plan.txt")];
    const creates: unknown[] = [];
    const { requests } = renderShare("/shared-with-me/S1", "editor", (call) => {
      if (call.method === "GET" && call.path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items: files, nextCursor: null });
      if (call.method === "POST" && call.path === "/api/v1/shared-with-me/S1/uploads") creates.push(call.body);
      const answer = server.handle(call);
      if (call.path.endsWith("/complete") && answer?.status === 201) files = [...files, item("N1", "video.bin")];
      return answer;
    });

    const big = patternedFile("video.bin", limits.maxUploadBytes * 20);
    await userEvent.upload(await screen.findByLabelText("Choose files"), big);

    const panel = await screen.findByRole("region", { name: "Uploads" });
    expect(await within(panel).findByText("Uploaded")).toBeInTheDocument();
    expect(creates).toEqual([expect.objectContaining({ name: "video.bin", parentId: "root", onConflict: "rename" })]);
    expect(requests).toContain("POST /api/v1/shared-with-me/S1/uploads/up1/parts");
    expect(requests).toContain("POST /api/v1/shared-with-me/S1/uploads/up1/complete");
    expect(requests.filter((request) => request.startsWith("POST /api/v1/uploads"))).toEqual([]);
    expect(requests.some((request) => request.startsWith("POST /api/v1/shared-with-me/S1/upload?"))).toBe(false);
    expect(Buffer.concat(server.puts.map((put) => put.bytes))).toEqual(Buffer.from(await big.arrayBuffer()));
    expect(await screen.findByRole("button", { name: "Download video.bin" })).toBeInTheDocument();
  });

  it("makes a folder in the shared folder as an editor, showing a refusal in the dialog as the drive does", async () => {
    const receipts = item("F9", "Receipts", { kind: "folder", size: null, type: null });
    let items = [item("A1", "plan.txt")];
    const creates: unknown[] = [];
    renderShare("/shared-with-me/S1", "editor", ({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items, nextCursor: null });
      if (method === "POST" && path === "/api/v1/shared-with-me/S1/folders") {
        creates.push(body);
        if (body.name === "plan.txt")
          return json(409, { error: { code: "name_taken", message: "An item with this name already exists." } });
        items = [receipts, ...items];
        return json(201, receipts);
      }
    });

    await userEvent.click(await screen.findByRole("button", { name: "New folder" }));
    const dialog = await screen.findByRole("dialog", { name: "New folder" });
    const field = within(dialog).getByLabelText("Folder name");
    await userEvent.clear(field);
    await userEvent.type(field, "plan.txt");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    expect(await within(dialog).findByText("An item with this name already exists.")).toBeInTheDocument();

    await userEvent.clear(field);
    await userEvent.type(field, "Receipts");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(await screen.findByRole("link", { name: "Receipts" })).toHaveAttribute("href", "/shared-with-me/S1/F9");
    expect(creates).toEqual([
      { name: "plan.txt", parentId: "root", onConflict: "fail" },
      { name: "Receipts", parentId: "root", onConflict: "fail" },
    ]);
  });

  it("recreates a dropped folder tree in the share (merging into folders of the same name), each file uploaded into its folder", async () => {
    const made: Record<string, ReturnType<typeof item>> = {
      Album: item("F1", "Album", { kind: "folder", size: null, type: null }),
      "2024": item("F2", "2024", { kind: "folder", size: null, type: null, parentId: "F1" }),
    };
    let items: ReturnType<typeof item>[] = [];
    const creates: unknown[] = [];
    renderShare("/shared-with-me/S1", "editor", ({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items, nextCursor: null });
      if (method === "POST" && path === "/api/v1/shared-with-me/S1/folders") {
        creates.push(body);
        if (body.name === "Album") items = [made.Album];
        return json(201, made[body.name]);
      }
    });
    const sent = fakeSmallUploads(() => item("N1", "beach.jpg", { parentId: "F2" }));

    const dropzone = await screen.findByTestId("upload-dropzone");
    fireEvent.drop(dropzone, { dataTransfer: dropOf([directory("Album", [directory("2024", [file("beach.jpg")])])]) });

    const panel = await screen.findByRole("region", { name: "Uploads" });
    expect(await within(panel).findByText("Uploaded")).toBeInTheDocument();
    expect(creates).toEqual([
      { name: "Album", parentId: "root", onConflict: "merge" },
      { name: "2024", parentId: "F1", onConflict: "merge" },
    ]);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatch(/^POST \/api\/v1\/shared-with-me\/S1\/upload\?parentId=F2&onConflict=rename/);
    expect(await screen.findByRole("link", { name: "Album" })).toBeInTheDocument();
    expect(screen.queryByText(/cannot be uploaded/)).not.toBeInTheDocument();
  });

  it("moves an item into a folder chosen among the share's folders, listed with kind=folder page after page", async () => {
    const requests: string[] = [];
    const receipts = item("D2", "Receipts", { kind: "folder", size: null, type: null });
    const { requests: allRequests } = renderShare("/shared-with-me/S1", "editor", ({ method, path, body, url }) => {
      if (method === "PATCH") requests.push(`${method} ${path} ${JSON.stringify(body)}`);
      const cursor = url.searchParams.get("cursor");
      if (
        method === "GET" &&
        path === "/api/v1/shared-with-me/S1/folders/root/children" &&
        url.searchParams.get("kind") === "folder"
      )
        return json(
          200,
          cursor === "p2"
            ? { folder: rootFolder, items: [receipts], nextCursor: null }
            : { folder: rootFolder, items: [photos], nextCursor: "p2" },
        );
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items: [photos, item("A1", "plan.txt")], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/D1/children")
        return json(200, { folder: photos, items: [item("P1", "beach.jpg", { parentId: "D1" })], nextCursor: null });
      if (method === "PATCH" && path === "/api/v1/shared-with-me/S1/items/A1")
        return json(200, item("A1", "plan.txt", { parentId: "D1" }));
    });

    await userEvent.click(await screen.findByRole("button", { name: "Move plan.txt" }));
    const dialog = await screen.findByRole("dialog", { name: "Move plan.txt to…" });
    expect(within(dialog).getByText("Trip", { selector: "strong" })).toBeInTheDocument();
    const folders = await within(dialog).findByRole("list", { name: "Folders" });
    expect(
      within(folders)
        .getAllByRole("button")
        .map((button) => button.textContent),
    ).toEqual(["Photos", "Receipts"]);
    const folderQueries = allRequests
      .filter((request) => request.startsWith("GET /api/v1/shared-with-me/S1/folders/root/children?"))
      .map((request) => Object.fromEntries(new URL(request.split(" ")[1], "http://x").searchParams));
    expect(folderQueries).toContainEqual(expect.objectContaining({ kind: "folder", sort: "name" }));
    expect(folderQueries).toContainEqual(expect.objectContaining({ kind: "folder", cursor: "p2" }));
    await userEvent.click(within(folders).getByRole("button", { name: "Photos" }));
    expect(await within(dialog).findByText("Photos", { selector: "strong" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Move here" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(requests).toEqual(['PATCH /api/v1/shared-with-me/S1/items/A1 {"parentId":"D1"}']);
    expect(screen.queryByRole("button", { name: "Download plan.txt" })).not.toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Photos" })).toBeInTheDocument();
  });

  it("moves an item from a subfolder up to the shared folder itself (parentId root)", async () => {
    const requests: string[] = [];
    renderShare("/shared-with-me/S1/D1", "editor", ({ method, path, body }) => {
      if (method === "PATCH") requests.push(`${method} ${path} ${JSON.stringify(body)}`);
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items: [photos], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/D1/children")
        return json(200, { folder: photos, items: [item("P1", "beach.jpg", { parentId: "D1" })], nextCursor: null });
      if (method === "PATCH" && path === "/api/v1/shared-with-me/S1/items/P1")
        return json(200, item("P1", "beach.jpg"));
    });

    await userEvent.click(await screen.findByRole("button", { name: "Move beach.jpg" }));
    const dialog = await screen.findByRole("dialog", { name: "Move beach.jpg to…" });
    await userEvent.click(await within(dialog).findByRole("button", { name: "↑ Up to Trip" }));
    expect(await within(dialog).findByText("Trip", { selector: "strong" })).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Move here" }));

    await waitFor(() => expect(screen.queryByRole("dialog")).not.toBeInTheDocument());
    expect(requests).toEqual(['PATCH /api/v1/shared-with-me/S1/items/P1 {"parentId":"root"}']);
    expect(screen.queryByRole("button", { name: "Download beach.jpg" })).not.toBeInTheDocument();
  });

  it("says why a move was refused: a name taken there (409), or a change the user may not make (403)", async () => {
    renderShare("/shared-with-me/S1", "editor", ({ method, path, body }) => {
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/root/children")
        return json(200, { folder: rootFolder, items: [photos, item("A1", "plan.txt")], nextCursor: null });
      if (method === "GET" && path === "/api/v1/shared-with-me/S1/folders/D1/children")
        return json(200, { folder: photos, items: [], nextCursor: null });
      if (method === "PATCH" && path === "/api/v1/shared-with-me/S1/items/A1" && body.parentId === "D1")
        return json(409, { error: { code: "name_taken", message: "An item with this name already exists." } });
      if (method === "PATCH" && path === "/api/v1/shared-with-me/S1/items/D1")
        return json(403, {
          error: { code: "viewer_only", message: "You can view this shared item but not change it." },
        });
    });

    await userEvent.click(await screen.findByRole("button", { name: "Move plan.txt" }));
    let dialog = await screen.findByRole("dialog", { name: "Move plan.txt to…" });
    await userEvent.click(await within(dialog).findByRole("button", { name: "Photos" }));
    await within(dialog).findByText("Photos", { selector: "strong" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Move here" }));
    expect(
      await within(dialog).findByText(
        "Not moved: that folder already has an item named plan.txt. Rename one of them first.",
      ),
    ).toBeInTheDocument();
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(screen.getByRole("button", { name: "Download plan.txt" })).toBeInTheDocument();

    await userEvent.click(screen.getByRole("button", { name: "Move Photos" }));
    dialog = await screen.findByRole("dialog", { name: "Move Photos to…" });
    await within(dialog).findByRole("list", { name: "Folders" });
    await userEvent.click(within(dialog).getByRole("button", { name: "Move here" }));
    expect(await within(dialog).findByText("You can view this shared item but not change it.")).toBeInTheDocument();
  });
});
