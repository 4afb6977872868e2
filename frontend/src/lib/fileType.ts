/** What kind of file an item is, for its icon and its readable type label. */
export type FileFamily =
  | "folder"
  | "image"
  | "audio"
  | "video"
  | "pdf"
  | "markdown"
  | "spreadsheet"
  | "document"
  | "presentation"
  | "archive"
  | "code"
  | "text"
  | "file";

export interface FileType {
  family: FileFamily;
  label: string;
}

const OFFICE = "application/vnd.openxmlformats-officedocument";

const MEDIA_TYPES: Record<string, FileType> = {
  "application/pdf": { family: "pdf", label: "PDF" },
  "text/markdown": { family: "markdown", label: "Markdown" },
  "text/x-markdown": { family: "markdown", label: "Markdown" },
  "text/csv": { family: "spreadsheet", label: "CSV" },
  "text/tab-separated-values": { family: "spreadsheet", label: "TSV" },
  "text/plain": { family: "text", label: "Text" },
  "text/html": { family: "code", label: "HTML" },
  "text/css": { family: "code", label: "CSS" },
  "text/javascript": { family: "code", label: "JavaScript" },
  "application/json": { family: "code", label: "JSON" },
  "application/xml": { family: "code", label: "XML" },
  "text/xml": { family: "code", label: "XML" },
  "application/msword": { family: "document", label: "Word document" },
  [`${OFFICE}.wordprocessingml.document`]: { family: "document", label: "Word document" },
  "application/vnd.oasis.opendocument.text": { family: "document", label: "OpenDocument text" },
  "application/rtf": { family: "document", label: "Rich text" },
  "application/vnd.ms-excel": { family: "spreadsheet", label: "Excel spreadsheet" },
  [`${OFFICE}.spreadsheetml.sheet`]: { family: "spreadsheet", label: "Excel spreadsheet" },
  "application/vnd.oasis.opendocument.spreadsheet": { family: "spreadsheet", label: "OpenDocument spreadsheet" },
  "application/vnd.ms-powerpoint": { family: "presentation", label: "PowerPoint presentation" },
  [`${OFFICE}.presentationml.presentation`]: { family: "presentation", label: "PowerPoint presentation" },
  "application/vnd.oasis.opendocument.presentation": { family: "presentation", label: "OpenDocument presentation" },
  "application/zip": { family: "archive", label: "ZIP archive" },
  "application/x-zip-compressed": { family: "archive", label: "ZIP archive" },
  "application/gzip": { family: "archive", label: "Gzip archive" },
  "application/x-tar": { family: "archive", label: "Tar archive" },
  "application/x-7z-compressed": { family: "archive", label: "7-Zip archive" },
  "application/vnd.rar": { family: "archive", label: "RAR archive" },
};

const CODE_EXTENSIONS: Record<string, string> = {
  py: "Python",
  js: "JavaScript",
  mjs: "JavaScript",
  ts: "TypeScript",
  tsx: "TypeScript",
  jsx: "JavaScript",
  go: "Go",
  rs: "Rust",
  java: "Java",
  kt: "Kotlin",
  swift: "Swift",
  c: "C",
  h: "C header",
  cpp: "C++",
  cs: "C#",
  rb: "Ruby",
  php: "PHP",
  sh: "Shell script",
  sql: "SQL",
  html: "HTML",
  css: "CSS",
  json: "JSON",
  yaml: "YAML",
  yml: "YAML",
  toml: "TOML",
  xml: "XML",
};

const EXTENSION_TYPES: Record<string, string> = {
  pdf: "application/pdf",
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  tsv: "text/tab-separated-values",
  txt: "text/plain",
  log: "text/plain",
  doc: "application/msword",
  docx: `${OFFICE}.wordprocessingml.document`,
  odt: "application/vnd.oasis.opendocument.text",
  rtf: "application/rtf",
  xls: "application/vnd.ms-excel",
  xlsx: `${OFFICE}.spreadsheetml.sheet`,
  ods: "application/vnd.oasis.opendocument.spreadsheet",
  ppt: "application/vnd.ms-powerpoint",
  pptx: `${OFFICE}.presentationml.presentation`,
  odp: "application/vnd.oasis.opendocument.presentation",
  zip: "application/zip",
  gz: "application/gzip",
  tgz: "application/gzip",
  tar: "application/x-tar",
  "7z": "application/x-7z-compressed",
  rar: "application/vnd.rar",
};

const MEDIA_EXTENSIONS: Record<string, "image" | "audio" | "video"> = {
  png: "image",
  jpg: "image",
  jpeg: "image",
  gif: "image",
  webp: "image",
  svg: "image",
  bmp: "image",
  ico: "image",
  avif: "image",
  heic: "image",
  tif: "image",
  tiff: "image",
  mp3: "audio",
  wav: "audio",
  ogg: "audio",
  oga: "audio",
  flac: "audio",
  m4a: "audio",
  aac: "audio",
  opus: "audio",
  mp4: "video",
  m4v: "video",
  webm: "video",
  mov: "video",
  mkv: "video",
  avi: "video",
};

const FILE: FileType = { family: "file", label: "File" };
const capitalised = (word: string) => `${word[0].toUpperCase()}${word.slice(1)}`;

/** The lower-case extension of a file name ("report.final.DOCX" -> "docx"), or "". */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf(".");
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : "";
}

/** A media type's kind and label, or null when it says nothing (absent, or octet-stream). */
export function typeOfMedia(mediaType: string | null | undefined): FileType | null {
  const mime = mediaType?.split(";")[0].trim().toLowerCase();
  if (!mime || mime === "application/octet-stream") return null;
  const known = MEDIA_TYPES[mime];
  if (known) return known;
  const [kind, subtype = ""] = mime.split("/");
  if (kind === "image" || kind === "audio" || kind === "video") {
    const name = subtype.replace(/^(x-|vnd\.)/, "").replace(/\+xml$/, "");
    return { family: kind, label: `${capitalised(kind)} (${name.toUpperCase()})` };
  }
  if (kind === "text") return { family: "text", label: `Text (${subtype.replace(/^x-/, "")})` };
  return null;
}

/** A file name's kind and label from its extension, or null for an unknown extension. */
export function typeOfName(name: string): FileType | null {
  const extension = extensionOf(name);
  if (!extension) return null;
  if (EXTENSION_TYPES[extension]) return typeOfMedia(EXTENSION_TYPES[extension]);
  const media = MEDIA_EXTENSIONS[extension];
  if (media) return { family: media, label: `${capitalised(media)} (${extension.toUpperCase()})` };
  if (CODE_EXTENSIONS[extension]) return { family: "code", label: CODE_EXTENSIONS[extension] };
  return null;
}

/**
 * What an item is: a folder; else the detected `mediaType` (contract 2 of step 9), else the name's
 * extension, else the type the bytes are served with; else just "File".
 */
export function fileTypeOf(item: {
  kind: "file" | "folder";
  name: string;
  type?: string | null;
  mediaType?: string | null;
}): FileType {
  if (item.kind === "folder") return { family: "folder", label: "Folder" };
  return typeOfMedia(item.mediaType) ?? typeOfName(item.name) ?? typeOfMedia(item.type) ?? FILE;
}
