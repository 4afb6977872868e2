import { describe, expect, it, vi } from "vitest";
import { directory, file } from "../test/dropEntries";
import { planTreeUpload, treeOfPicked, walkEntries } from "./dropTree";

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
