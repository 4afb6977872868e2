/** Base64 of the SHA-256 digest of `blob`, computed with Web Crypto (what S3's x-amz-checksum-sha256 carries). */
export async function sha256Base64(blob: Blob): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", await blob.arrayBuffer()));
  let binary = "";
  for (const byte of digest) binary += String.fromCharCode(byte);
  return btoa(binary);
}
