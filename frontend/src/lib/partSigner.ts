import { directUploadApi, type PartToComplete, type SignedPart } from "../api/directUpload";
import { sha256Base64 } from "./checksum";

/** Parts signed per request: about the parts in flight at once, so one request feeds them all. */
export const SIGN_AHEAD = 6;
/** A URL this close to its expiry is signed again rather than used (clock skew, a slow start). */
const FRESH_FOR_MS = 30_000;
/**
 * Headers a browser sets itself and refuses from scripts: Content-Length is what the server binds
 * the URL to, and the browser sends exactly the part's length anyway.
 */
const BROWSER_HEADERS = new Set(["content-length", "host"]);

export interface PartLayout {
  uploadId: string;
  blob: Blob;
  partSize: number;
  partCount: number;
  maxPartsPerRequest: number;
}

type SignApi = Pick<typeof directUploadApi, "signParts">;

/**
 * Signs the parts of one direct upload: each part's SHA-256 (Web Crypto) goes with its size, a
 * request signs the asked part and the next few not yet signed or stored, and the checksums are
 * kept for the completion. Parts S3 holds already (after a reload) are hashed here, never resent.
 */
export class PartSigner {
  private ahead = new Map<number, Promise<SignedPart | undefined>>();
  private handedOut = new Set<number>();
  private stored = new Set<number>();
  private digests = new Map<number, Promise<string>>();

  constructor(
    private readonly layout: PartLayout,
    private readonly api: SignApi = directUploadApi,
    private readonly now: () => number = Date.now,
  ) {}

  /** The bytes of part `number` (1-based): partSize each, the last one what is left. */
  part(number: number): Blob {
    const start = (number - 1) * this.layout.partSize;
    return this.layout.blob.slice(start, Math.min(this.layout.blob.size, start + this.layout.partSize));
  }

  checksum(number: number): Promise<string> {
    let digest = this.digests.get(number);
    if (!digest) {
      digest = sha256Base64(this.part(number));
      this.digests.set(number, digest);
      digest.catch(() => this.digests.delete(number));
    }
    return digest;
  }

  /** Parts S3 already holds: never signed ahead again. */
  markStored(numbers: number[]): void {
    for (const number of numbers) this.stored.add(number);
  }

  /** A URL and the headers to PUT part `number` with; the browser's own headers left out. */
  async sign(number: number): Promise<{ url: string; headers: Record<string, string> }> {
    // Uppy asks for several parts in the same tick: a part not signed ahead starts its batch before
    // any await, so the parts asked next find themselves in it instead of starting their own.
    const early = this.ahead.get(number);
    this.ahead.delete(number);
    const signed = (early && this.fresh(await early.catch(() => undefined))) || (await this.signBatch(number));
    this.handedOut.add(number);
    const headers = Object.fromEntries(
      Object.entries(signed.headers).filter(([name]) => !BROWSER_HEADERS.has(name.toLowerCase())),
    );
    return { url: signed.url, headers };
  }

  /** What the completion sends: each part's ETag and SHA-256, in order. */
  async completion(parts: { PartNumber?: number; ETag?: string }[]): Promise<PartToComplete[]> {
    const sorted = [...parts].sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    return Promise.all(
      sorted.map(async ({ PartNumber = 0, ETag = "" }) => ({
        number: PartNumber,
        etag: ETag,
        sha256: await this.checksum(PartNumber),
      })),
    );
  }

  private fresh(signed: SignedPart | undefined): SignedPart | undefined {
    return signed && Date.parse(signed.expiresAt) - this.now() > FRESH_FOR_MS ? signed : undefined;
  }

  private async signBatch(number: number): Promise<SignedPart> {
    const numbers = [number, ...this.nextUnsigned(number)];
    const request = Promise.all(
      numbers.map(async (each) => ({ number: each, size: this.part(each).size, sha256: await this.checksum(each) })),
    ).then((parts) => this.api.signParts(this.layout.uploadId, parts));
    for (const each of numbers.slice(1)) {
      const signed = request.then((answer) => answer.parts.find((part) => part.number === each));
      // Parts signed ahead may never be asked for (a pause, a cancel): their failure is not an error.
      signed.catch(() => {});
      this.ahead.set(each, signed);
    }
    const signed = (await request).parts.find((part) => part.number === number);
    if (!signed) throw new Error(`The server did not sign part ${number}.`);
    return signed;
  }

  private nextUnsigned(number: number): number[] {
    const limit = Math.min(SIGN_AHEAD, this.layout.maxPartsPerRequest) - 1;
    const next: number[] = [];
    for (let each = number + 1; each <= this.layout.partCount && next.length < limit; each += 1) {
      if (!this.stored.has(each) && !this.handedOut.has(each) && !this.ahead.has(each)) next.push(each);
    }
    return next;
  }
}
