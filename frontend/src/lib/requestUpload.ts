import type { PartToComplete, ReceivedFile, RequestVisitor } from "../api/fileRequest";
import { sha256Base64 } from "./checksum";

/** Headers the browser sets itself and refuses from scripts. */
const BROWSER_HEADERS = new Set(["content-length", "host"]);

export type PutPart = (
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (sent: number) => void,
) => Promise<string>;

/** PUTs one part straight to storage with XMLHttpRequest (fetch reports no upload progress); its ETag. */
export const putPart: PutPart = (url, headers, body, onProgress) =>
  new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open("PUT", url);
    for (const [name, value] of Object.entries(headers)) {
      if (!BROWSER_HEADERS.has(name.toLowerCase())) request.setRequestHeader(name, value);
    }
    request.upload.onprogress = (event) => onProgress(event.loaded);
    request.onload = () => {
      const etag = request.getResponseHeader("ETag");
      if (request.status >= 200 && request.status < 300 && etag) resolve(etag);
      else reject(new Error(`The storage refused a part (${request.status}).`));
    };
    request.onerror = () => reject(new Error("The network failed while sending the file."));
    request.send(body);
  });

/**
 * Sends one file through a file request with the direct-upload protocol: create, then for each
 * run of parts their SHA-256, a signature and a PUT each, then the completion with the note. The
 * upload is aborted if a step fails after it was created.
 */
export async function sendThroughRequest(
  api: RequestVisitor,
  file: File,
  note: string | null,
  onProgress: (sentBytes: number) => void,
  put: PutPart = putPart,
): Promise<ReceivedFile> {
  const upload = await api.create({ name: file.name, size: file.size, type: file.type || null });
  const sentByPart = new Map<number, number>();
  const report = () => onProgress([...sentByPart.values()].reduce((sum, sent) => sum + sent, 0));
  try {
    const parts: PartToComplete[] = [];
    for (let first = 1; first <= upload.partCount; first += upload.maxPartsPerRequest) {
      const numbers = Array.from(
        { length: Math.min(upload.maxPartsPerRequest, upload.partCount - first + 1) },
        (_, index) => first + index,
      );
      const bodies = numbers.map((number) =>
        file.slice((number - 1) * upload.partSize, Math.min(file.size, number * upload.partSize)),
      );
      const digests = await Promise.all(bodies.map((body) => sha256Base64(body)));
      const signed = await api.signParts(
        upload.id,
        numbers.map((number, index) => ({ number, size: bodies[index].size, sha256: digests[index] })),
      );
      for (const part of signed.parts) {
        const index = part.number - first;
        const etag = await put(part.url, part.headers, bodies[index], (sent) => {
          sentByPart.set(part.number, sent);
          report();
        });
        sentByPart.set(part.number, bodies[index].size);
        report();
        parts.push({ number: part.number, etag, sha256: digests[index] });
      }
    }
    return await api.complete(upload.id, parts, note);
  } catch (reason) {
    await api.abort(upload.id).catch(() => undefined);
    throw reason;
  }
}
