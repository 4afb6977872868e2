import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { fakeApi, json, renderApp, type ApiHandler } from "../test/harness";

const REQUEST = "RRRRRRRRRRRRRRRRRRRRRR";
const BASE = `/api/v1/files/public/requests/${REQUEST}`;
const folder = {
  folderName: "Tax papers",
  expiresAt: "2999-02-01T00:00:00Z",
  maxFileBytes: 10 * 1024 * 1024,
  bytesLeft: null,
  ownerName: "Ada",
};

/** A signed-out browser: the session does not restore; then `handler` answers the request's routes. */
function fakeVisitor(handler: ApiHandler) {
  return fakeApi((call) => {
    if (call.path === "/api/v1/auth/refresh") return json(401, { error: { code: "unauthenticated", message: "No." } });
    expect(call.request.headers.get("Authorization")).toBeNull();
    return handler(call);
  });
}

/** What storage answers a part's PUT: 200 with an ETag, after reporting the bytes sent. */
class StorageXhr {
  static puts: string[] = [];
  upload: { onprogress?: (event: { loaded: number }) => void } = {};
  onload?: () => void;
  onerror?: () => void;
  status = 0;
  private url = "";
  open(_method: string, url: string) {
    this.url = url;
  }
  setRequestHeader() {}
  getResponseHeader(name: string) {
    return name === "ETag" ? '"etag-1"' : null;
  }
  send(body: Blob) {
    StorageXhr.puts.push(this.url);
    queueMicrotask(() => {
      this.upload.onprogress?.({ loaded: body.size });
      this.status = 200;
      this.onload?.();
    });
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
  StorageXhr.puts = [];
});

describe("the file request page", () => {
  it("shows where the files go and sends the chosen files with the note, listing only them", async () => {
    vi.stubGlobal("XMLHttpRequest", StorageXhr);
    const completions: unknown[] = [];
    fakeVisitor(({ method, path, body }) => {
      if (method === "GET" && path === BASE) return json(200, folder);
      if (method === "POST" && path === `${BASE}/uploads`)
        return json(201, {
          id: "U1",
          name: body.name,
          size: body.size,
          partSize: 5 * 1024 * 1024,
          partCount: 1,
          expiresAt: "2999-01-01T00:00:00Z",
          maxPartsPerRequest: 10,
          parts: [],
        });
      if (method === "POST" && path === `${BASE}/uploads/U1/parts`)
        return json(200, {
          parts: [{ number: 1, url: "https://storage.example/p1", headers: {}, expiresAt: "2999-01-01T00:00:00Z" }],
        });
      if (method === "POST" && path === `${BASE}/uploads/U1/complete`) {
        completions.push(body);
        return json(201, { name: "scan (1).pdf", size: 5 });
      }
    });
    renderApp(`/r/${REQUEST}`);

    expect(await screen.findByRole("heading", { name: /Send files to “Tax papers”/ })).toBeInTheDocument();
    expect(screen.getByText(/Ada asks you for files/)).toBeInTheDocument();
    expect(screen.getByText(/Each file up to 10/)).toBeInTheDocument();

    await userEvent.upload(screen.getByLabelText("choose files"), new File(["hello"], "scan.pdf"));
    await userEvent.type(screen.getByLabelText("Note to the owner (optional)"), "Here you go");
    await userEvent.click(screen.getByRole("button", { name: "Send" }));

    const sent = await screen.findByRole("region", { name: "Your files" });
    expect(await within(sent).findByText("Sent")).toBeInTheDocument();
    expect(within(sent).getByText("scan (1).pdf")).toBeInTheDocument();
    expect(StorageXhr.puts).toEqual(["https://storage.example/p1"]);
    expect(completions).toEqual([
      { parts: [expect.objectContaining({ number: 1, etag: '"etag-1"' })], note: "Here you go" },
    ]);
  });

  it("says a revoked request is closed", async () => {
    fakeVisitor(({ method, path }) => {
      if (method === "GET" && path === BASE)
        return json(410, { error: { code: "request_revoked", message: "The owner has closed this file request." } });
    });
    renderApp(`/r/${REQUEST}`);
    expect(await screen.findByText("The owner has closed this file request.")).toBeInTheDocument();
    expect(screen.queryByRole("button", { name: "Send" })).not.toBeInTheDocument();
  });
});
