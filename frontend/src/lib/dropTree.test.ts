import { describe, expect, it, vi } from "vitest";
import { planTreeUpload, treeOfPicked, walkEntries, type DropEntry } from "./dropTree";

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

describe("treeOfPicked", () => {
  it("reads each picked file's folders from its relative path, parents before children", () => {
    const picked = (path: string) => {
      const file = new File(["x"], path.split("/").pop()!);
      Object.defineProperty(file, "webkitRelativePath", { value: path });
      return file;
    };
    const tree = treeOfPicked([picked("Photos/2024/a.jpg"), picked("Photos/b.jpg"), picked("Photos/2024/c.jpg")]);
    expect(tree.directories).toEqual([["Photos"], ["Photos", "2024"]]);
    expect(tree.files.map(({ file, folders }) => [file.name, folders.join("/")])).toEqual([
      ["a.jpg", "Photos/2024"],
      ["b.jpg", "Photos"],
      ["c.jpg", "Photos/2024"],
    ]);
  });
});
