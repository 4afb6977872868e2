import { describe, expect, it, vi } from "vitest";
import { planTreeUpload, walkEntries, type DropEntry } from "./dropTree";

function file(name: string): DropEntry {
  return { name, isFile: true, isDirectory: false, file: (resolve) => resolve(new File([name], name)) };
}

/** A directory whose reader answers in batches of one, as browsers answer in batches. */
function directory(name: string, children: DropEntry[]): DropEntry {
  return {
    name,
    isFile: false,
    isDirectory: true,
    createReader: () => {
      const left = [...children];
      return { readEntries: (resolve) => resolve(left.splice(0, 1)) };
    },
  };
}

describe("a dropped folder tree", () => {
  it("creates each folder once, parents first, merging into existing ones, and uploads each file into its folder", async () => {
    const dropped = await walkEntries([
      directory("Photos", [file("a.jpg"), directory("2024", [file("b.jpg"), file("c.jpg")]), directory("empty", [])]),
      file("loose.txt"),
    ]);
    let next = 1;
    const createFolder = vi.fn(async (name: string, parentId: string | null) => ({ id: `F${next++}`, name, parentId }));
    const requests = await planTreeUpload(dropped, "P", createFolder);

    expect(createFolder.mock.calls).toEqual([
      ["Photos", "P"],
      ["2024", "F1"],
      ["empty", "F1"],
    ]);
    expect(requests.map(({ file, parentId }) => [file.name, parentId])).toEqual([
      ["a.jpg", "F1"],
      ["b.jpg", "F2"],
      ["c.jpg", "F2"],
      ["loose.txt", "P"],
    ]);
  });
});
