import { describe, expect, it } from "vitest";
import { extensionOf, fileTypeOf } from "./fileType";

const file = (name: string, type: string | null = "application/octet-stream", mediaType?: string) => ({
  kind: "file" as const,
  name,
  type,
  mediaType,
});

describe("fileTypeOf", () => {
  it("names every ordinary file's type from its extension when no media type is detected", () => {
    const labels = Object.fromEntries(
      [
        "data.csv",
        "notes.md",
        "letter.docx",
        "budget.xlsx",
        "slides.pptx",
        "bundle.zip",
        "paper.pdf",
        "photo.JPG",
        "icon.svg",
        "song.mp3",
        "clip.mp4",
        "script.py",
        "config.yaml",
        "readme.txt",
        "backup.tar",
      ].map((name) => [name, fileTypeOf(file(name)).label]),
    );
    expect(labels).toEqual({
      "data.csv": "CSV",
      "notes.md": "Markdown",
      "letter.docx": "Word document",
      "budget.xlsx": "Excel spreadsheet",
      "slides.pptx": "PowerPoint presentation",
      "bundle.zip": "ZIP archive",
      "paper.pdf": "PDF",
      "photo.JPG": "Image (JPG)",
      "icon.svg": "Image (SVG)",
      "song.mp3": "Audio (MP3)",
      "clip.mp4": "Video (MP4)",
      "script.py": "Python",
      "config.yaml": "YAML",
      "readme.txt": "Text",
      "backup.tar": "Tar archive",
    });
    expect(Object.values(labels)).not.toContain("File");
  });

  it("prefers the detected media type to the name, and the name to the served type", () => {
    expect(fileTypeOf(file("export", "application/octet-stream", "text/csv"))).toEqual({
      family: "spreadsheet",
      label: "CSV",
    });
    expect(fileTypeOf(file("a.png", "image/png", "image/png")).label).toBe("Image (PNG)");
    expect(fileTypeOf(file("drawing", "application/octet-stream", "image/svg+xml")).label).toBe("Image (SVG)");
    expect(fileTypeOf(file("notes.md", "text/plain")).family).toBe("markdown");
    expect(fileTypeOf(file("noext", "text/plain")).label).toBe("Text");
  });

  it("gives each family its own kind, folders included, and 'File' when nothing is known", () => {
    expect(fileTypeOf({ kind: "folder", name: "a.zip" })).toEqual({ family: "folder", label: "Folder" });
    expect(fileTypeOf(file("mystery.qqq")).label).toBe("File");
    expect(fileTypeOf(file("mystery")).family).toBe("file");
  });
});

describe("extensionOf", () => {
  it("takes the last extension, and none for dot files", () => {
    expect(extensionOf("report.final.DOCX")).toBe("docx");
    expect(extensionOf(".bashrc")).toBe("");
    expect(extensionOf("Makefile")).toBe("");
  });
});
