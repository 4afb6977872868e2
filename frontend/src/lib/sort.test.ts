import { describe, expect, it } from "vitest";
import type { FileRead } from "../api/upload";
import { sortFiles } from "./sort";

const file = (fileId: string, fileName: string, fileSize: number, uploadDate: string): FileRead => ({
  fileId,
  fileName,
  fileSize,
  fileType: "text/plain",
  uploadDate,
});

const files = [
  file("1", "b.txt", 300, "2026-01-02T00:00:00Z"),
  file("2", "a10.txt", 100, "2026-01-03T00:00:00Z"),
  file("3", "a9.txt", 200, "2026-01-01T00:00:00Z"),
];

describe("sortFiles", () => {
  it("sorts names naturally and case-insensitively", () => {
    expect(sortFiles(files, "name", "ascending").map((f) => f.fileName)).toEqual(["a9.txt", "a10.txt", "b.txt"]);
  });

  it("sorts by size and by date both ways", () => {
    expect(sortFiles(files, "size", "descending").map((f) => f.fileId)).toEqual(["1", "3", "2"]);
    expect(sortFiles(files, "date", "descending").map((f) => f.fileId)).toEqual(["2", "1", "3"]);
    expect(sortFiles(files, "date", "ascending").map((f) => f.fileId)).toEqual(["3", "1", "2"]);
  });

  it("leaves the input untouched", () => {
    const before = files.map((f) => f.fileId);
    sortFiles(files, "size", "ascending");
    expect(files.map((f) => f.fileId)).toEqual(before);
  });
});
