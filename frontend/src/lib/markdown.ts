import DOMPurify from "dompurify";
import { marked } from "marked";

// Loaded with import() by the preview only, so neither library weighs on the first page.

DOMPurify.addHook("afterSanitizeAttributes", (node) => {
  // Links in a previewed document open apart from SCloud and learn nothing about it.
  if (node.tagName === "A" && node.getAttribute("href")) {
    node.setAttribute("target", "_blank");
    node.setAttribute("rel", "noopener noreferrer");
  }
});

/** A Markdown document as HTML that is safe to put in the page: no script, style, form or handler survives. */
export function renderMarkdown(text: string): string {
  const html = marked.parse(text, { async: false, gfm: true });
  return DOMPurify.sanitize(html, {
    USE_PROFILES: { html: true },
    FORBID_TAGS: ["style", "form", "input", "button", "textarea", "select"],
    FORBID_ATTR: ["style"],
  });
}
