/** Base64 of the SHA-256 digest of `blob`, computed with Web Crypto (what S3's x-amz-checksum-sha256 carries). */
export async function sha256Base64(blob: Blob): Promise<string> {
  // A view rather than the ArrayBuffer itself: both are BufferSources, and the view is also taken
  // by Node's Web Crypto under the jsdom tests, where an ArrayBuffer from another realm is not.
  const bytes = new Uint8Array(await blob.arrayBuffer());
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
