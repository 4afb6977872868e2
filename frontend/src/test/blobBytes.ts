/**
 * jsdom's Blob has no arrayBuffer() (browsers and Node's own Blob do): read it with jsdom's
 * FileReader instead, so code that hashes or sends a Blob's bytes runs under test as in a browser.
 */
export function giveBlobsArrayBuffer(): void {
  if (typeof Blob.prototype.arrayBuffer === "function") return;
  Blob.prototype.arrayBuffer = function arrayBuffer(this: Blob) {
    return new Promise<ArrayBuffer>((resolve, reject) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as ArrayBuffer);
      reader.onerror = () => reject(reader.error);
      reader.readAsArrayBuffer(this);
    });
  };
}
